"""pytest fixtures for benches that test a HAN/P1 reader against hansim.

Enable with ``pytest_plugins = ["hansim.pytest_plugin"]`` in a conftest.py.

    def test_reader_gets_list1(virtual_meter):
        bench = virtual_meter("kamstrup-no-3p", start="2024-01-15T12:59:58Z")
        reader = MyReader(bench.path)                 # the device/firmware under test
        sent = bench.wait_for(1)                      # hansim's record of what went out
        assert reader.last_power_w() == sent[0].values["1-1:1.7.0.255"]
"""
from __future__ import annotations

import itertools
import os
import tempfile
from typing import Any, Callable

import pytest

from .running import RunningMeter, run_meter

_counter = itertools.count()




@pytest.fixture
def virtual_meter() -> Callable[..., RunningMeter]:
    """Factory: starts a simulated meter on a fresh PTY (a symlink in a temporary folder) and
    stops it after the test. Returns the RunningMeter; its `.path` is the port to open."""
    started: list = []
    folder = tempfile.mkdtemp(prefix="hansim-")

    def start(profile: str = "kamstrup-no-3p", **options: Any) -> RunningMeter:
        path = os.path.join(folder, f"tty{next(_counter)}")
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
