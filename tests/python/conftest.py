"""Shared pytest fixtures: where the built CLI, the native module and the test data are.

Run through the README's test command, which sets HANSIM_BUILD_DIR; by hand:
    HANSIM_BUILD_DIR=build/default PYTHONPATH=build/default/python /usr/bin/python3 -m pytest tests/python
"""
import os
import pathlib
import sys

import pytest

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


@pytest.fixture(scope="session")
def data_dir() -> pathlib.Path:
    """tests/data: real captures (reference-frames/) and worked vectors (vectors/)."""
    return REPO / "tests" / "data"

# Hardware-in-the-loop benches (hil/benches/*.yaml): the `bench` fixture, which skips with
# the reason when a bench's hardware is missing.
sys.path.insert(0, str(REPO / "hil"))
from hansim_bench import bench  # noqa: E402,F401  (re-exported as a fixture)
