#!/usr/bin/env bash
# hansim developer entry point: the README's two Quick start commands.
#   ./dev.sh run [hansim run options]   install what is missing, build, start the default
#                                       simulated meter (Norwegian 3-phase Kamstrup on a PTY)
#   ./dev.sh test                       install, build, run every test (ctest + pytest)
#   ./dev.sh build                      install and build only
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"

preset=default
build_dir=build/$preset
# Debian's interpreter: the module is built for it and its pytest/pyserial are there.
python=/usr/bin/python3

build() {
  .ci/install-deps
  if [[ ! -f $build_dir/build.ninja ]]; then
    cmake --preset "$preset" >/dev/null
  fi
  cmake --build --preset "$preset" -j"$(nproc)"
}

case "${1:-}" in
  run)
    shift
    build >&2
    exec "$build_dir/simulator/hansim" run "$@"
    ;;
  test)
    shift
    build
    status=0
    ctest --preset "$preset" -j"$(nproc)" --no-tests=error "$@" || status=1
    pytest_status=0
    HANSIM_BUILD_DIR=$PWD/$build_dir PYTHONPATH=$PWD/$build_dir/python \
      "$python" -m pytest -q -p no:cacheprovider -n auto tests/python hil || pytest_status=$?
    # pytest exit 5 = "no tests collected": that is a failure here, never a pass.
    [[ $pytest_status -eq 0 ]] || status=1
    if [[ $status -eq 0 ]]; then echo "dev.sh test: all suites passed"; else echo "dev.sh test: FAILED" >&2; fi
    exit $status
    ;;
  build)
    build
    ;;
  *)
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
