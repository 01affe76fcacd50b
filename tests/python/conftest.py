"""Shared pytest fixtures: where the built CLI, the native module and the test data are.

Run through the README's test command, which sets HANSIM_BUILD_DIR; by hand:
    HANSIM_BUILD_DIR=build/default PYTHONPATH=build/default/python /usr/bin/python3 -m pytest tests/python
"""
import os
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import bad_input as bad_input_module  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[2]
BUILD_DIR = pathlib.Path(os.environ.get("HANSIM_BUILD_DIR", REPO / "build" / "default")).resolve()

# Import the package built next to the native module, not a stale one elsewhere.
sys.path.insert(0, str(BUILD_DIR / "python"))


@pytest.fixture(scope="session")
def hansim_bin() -> pathlib.Path:
    """The built `hansim` command-line tool."""
    path = BUILD_DIR / "simulator" / "hansim"
    if not path.exists():
        pytest.fail(f"hansim binary not built at {path}; build first (see README)")
    return path


def pytest_addoption(parser):
    parser.addoption(bad_input_module.UPDATE_OPTION, action="store_true",
                     help="rewrite tests/BAD_INPUT.md from the bad-input tests that run (see bad_input.py)")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if call.when == "call" and outcome.get_result().failed:
        item.bad_input_call_failed = True


@pytest.fixture
def bad_input(request, hansim_bin, tmp_path):
    """Feeds hansim a bad input and records it in tests/BAD_INPUT.md (see bad_input.py)."""
    recorder = bad_input_module.BadInput(hansim_bin, tmp_path, bad_input_module.section_name(request.node))
    yield recorder
    if getattr(request.node, "bad_input_call_failed", False):
        return  # the test's own failure says more than a table difference would
    if request.config.getoption(bad_input_module.UPDATE_OPTION):
        bad_input_module.update_section(recorder.section, recorder.rows)
    else:
        bad_input_module.check_section(recorder.section, recorder.rows)


@pytest.fixture(scope="session")
def data_dir() -> pathlib.Path:
    """tests/data: real captures (reference-frames/) and worked vectors (vectors/)."""
    return REPO / "tests" / "data"
