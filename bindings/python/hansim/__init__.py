"""hansim: a Kamstrup HAN / P1 smart-meter simulator, driven from Python.

    import hansim

    meter = hansim.Meter("kamstrup-no-3p", start="2024-01-15T12:00:00Z", seed=7)
    frames = meter.frames("1h")              # every push of that hour, without waiting
    assert frames[0].list == "list1"
    assert hansim.decode(frames[0].wire)[0]["values"]["1-1:1.7.0.255"] == frames[0].values["1-1:1.7.0.255"]

    with hansim.run_meter("kamstrup-no-3p", port="pty:/tmp/ttyHAN0", speed=10) as bench:
        ...                                  # a reader under test opens /tmp/ttyHAN0
    print(bench.summary)

The native core is ``hansim._hansim``; this package adds plain-Python conveniences.
"""
from __future__ import annotations

from ._hansim import crc16_arc, crc16_x25  # noqa: F401
from .capture import ReplayBench, ReplaySummary, replay  # noqa: F401
from .meter import Frame, Meter, decode, profiles, setting_keys  # noqa: F401
from .running import FrameReport, RunningMeter, run_meter  # noqa: F401
from .bench import BenchError, LiveChange, MeterBench, RunEnded, Tap, load_bench_file  # noqa: F401
from .assertions import assert_reported  # noqa: F401

__all__ = [
    "BenchError",
    "Frame",
    "FrameReport",
    "LiveChange",
    "Meter",
    "MeterBench",
    "ReplayBench",
    "ReplaySummary",
    "RunEnded",
    "RunningMeter",
    "Tap",
    "assert_reported",
    "crc16_arc",
    "crc16_x25",
    "decode",
    "load_bench_file",
    "profiles",
    "replay",
    "run_meter",
    "setting_keys",
]
