"""pytest fixtures for benches that test a HAN/P1 reader against hansim.

Loaded by entry point (group ``pytest11``, name ``hansim.pytest_plugin``): having the package
on the path (``PYTHONPATH=build/default/python``) or installed is enough, no conftest line.

    def test_reader_sees_an_hour(han_meter):
        reader = MyReader(han_meter.path)              # the device under test opens the PTY
        han_meter.advance("1h")                         # 360 list 1 + 1 list 2, as fast as read
        han_meter.assert_reported(reader.last_frame())  # vs the frame it read

Fixtures:
  han_meter   a meter (default kamstrup-no-3p, unpaced) on a fresh PTY, closed after the test.
              Parametrise the profile with ``@pytest.mark.parametrize("han_meter", ["kamstrup-p1"],
              indirect=True)`` (a dict gives settings too), or mark the test
              ``@pytest.mark.han_meter("kamstrup-dk-3p", key_file=..., paced=True, speed=10)``.
  han_tap     factory: ``han_tap(path_or_meter, protocol=, key_file=)`` opens a port and
              decodes what arrives with hansim's decoder; closed after the test.
  han_bench   the bench file given with ``--han-bench FILE`` (port, reader, line, meter,
              device); tests using it are skipped, with the reason, when no file is given
              or its hardware is missing.
  han_replay  factory: ``han_replay(capture_file, speed=, loop=, fast=, line=)`` replays a
              capture (``hansim record``, a hex dump, ``generate --format jsonl``) on a fresh
              PTY with the recorded timing: the PTY exists at once (``.path``), ``.start()``
              sends, ``.wait()`` waits; closed after the test.
  virtual_meter  factory for paced meters on fresh PTYs (kept from before han_meter).
"""
from __future__ import annotations

import itertools
import os
import tempfile
from typing import Any, Callable

import pytest

from .bench import BenchError, MeterBench, Tap, check_profile, load_bench_file
from .capture import ReplayBench
from .running import RunningMeter, run_meter

_counter = itertools.count()


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("hansim", "hansim hardware-in-the-loop bench")
    group.addoption("--han-bench", metavar="FILE", default=None,
                    help="bench file (YAML): the real port hansim sends on, the reader's port and line, the "
                         "meter and the device under test; tests needing hardware skip without it")


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "han_meter(profile, **settings): the meter the han_meter fixture starts")


def _fail(error: Exception) -> None:
    pytest.fail(str(error), pytrace=False)


@pytest.fixture
def han_meter(request: Any, tmp_path_factory: Any):
    """A meter on a fresh PTY (unpaced unless paced=True), closed after the test."""
    marker = request.node.get_closest_marker("han_meter")
    options: dict = dict(marker.kwargs) if marker else {}
    profile = marker.args[0] if marker and marker.args else "kamstrup-no-3p"
    param = getattr(request, "param", None)
    if isinstance(param, str):
        profile = param
    elif isinstance(param, dict):
        options.update(param)
        profile = options.pop("profile", profile)
    elif param is not None:
        _fail(BenchError(f"han_meter: parametrise with a profile name or a dict of settings, got {param!r}"))
    port = options.pop("port", None) or f"pty:{tmp_path_factory.mktemp('han')}/ttyHAN"
    bench, problem = None, None
    try:
        bench = MeterBench(profile, port=port, **options)
    except BenchError as error:
        problem = error
    if problem:
        _fail(problem)  # outside the except: no "during handling" chain in the report
    yield bench
    bench.close()


@pytest.fixture
def han_tap() -> Callable[..., Tap]:
    """Factory: han_tap(path or MeterBench, protocol="auto", key_file=None) -> Tap."""
    taps: list = []

    def open_tap(where: Any, **options: Any) -> Tap:
        if isinstance(where, MeterBench):
            options.setdefault("key_file", where.key_file)
            where = where.path
        tap, problem = None, None
        try:
            tap = Tap(str(where), **options)
        except BenchError as error:
            problem = error
        if problem:
            _fail(problem)
        taps.append(tap)
        return tap

    yield open_tap
    for tap in taps:
        tap.close()


@pytest.fixture
def han_bench(request: Any, tmp_path: Any):
    """The --han-bench FILE bench; skipped with the reason when absent or unplugged."""
    path = request.config.getoption("--han-bench")
    if not path:
        pytest.skip("no bench: give --han-bench FILE to run against hardware")
    bench, problem = None, None
    try:
        bench = load_bench_file(path, tmp_path)
    except BenchError as error:
        problem = error
    if problem:
        _fail(problem)
    reason = bench.missing()
    if reason:
        pytest.skip(reason)
    return bench


@pytest.fixture
def han_replay(tmp_path_factory: Any) -> Callable[..., ReplayBench]:
    """Factory: han_replay(capture_file, **options) -> ReplayBench on a fresh PTY (not started)."""
    benches: list = []

    def replay_on_pty(capture: Any, **options: Any) -> ReplayBench:
        port = options.pop("port", None) or f"pty:{tmp_path_factory.mktemp('replay')}/ttyReplay"
        bench, problem = None, None
        try:
            bench = ReplayBench(capture, port=port, **options)
        except BenchError as error:
            problem = error
        if problem:
            _fail(problem)
        benches.append(bench)
        return bench

    yield replay_on_pty
    for bench in benches:
        bench.close()


@pytest.fixture
def virtual_meter() -> Callable[..., RunningMeter]:
    """Factory: starts a paced meter on a fresh PTY (a symlink in a temporary folder) and
    stops it after the test. Returns the RunningMeter; its `.path` is the port to open."""
    started: list = []
    folder = tempfile.mkdtemp(prefix="hansim-")

    def start(profile: str = "kamstrup-no-3p", **options: Any) -> RunningMeter:
        path = os.path.join(folder, f"tty{next(_counter)}")
        problem = None
        try:
            check_profile(profile)
        except BenchError as error:
            problem = error
        if problem:
            _fail(problem)
        bench = run_meter(profile, port=f"pty:{path}", **options)
        bench.path = path  # type: ignore[attr-defined]
        started.append(bench)
        return bench

    yield start
    for bench in started:
        bench.stop()
    try:
        os.rmdir(folder)
    except OSError:
        pass
