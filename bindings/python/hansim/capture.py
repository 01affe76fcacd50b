"""Replaying capture files (simulator/docs/CAPTURE.md) on a port from Python.

    summary = hansim.replay("meter.capture", port="pty:/tmp/ttyHAN0", speed=2)
    assert summary.frames_lost == 0

The capture is parsed and sent by the native core (the same runner and pacer as
`hansim replay`); this module only shapes the result.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from . import _hansim


@dataclass(frozen=True)
class ReplaySummary:
    """What a replay did: transmissions sent and lost, bytes, lateness."""

    port: str
    line: str
    frames_sent: int
    frames_lost: int
    lost_no_listener: int
    lost_overrun: int
    lost_truncated: int
    lost_port_unavailable: int
    bytes_sent: int
    max_lateness_ms: float
    mean_lateness_ms: float


def replay(path: "str | os.PathLike", port: str, *, speed: float = 1.0, loop: bool = False, fast: bool = False,
           skip_bad: bool = False, line: "str | None" = None, duration: "str | None" = None,
           gap: str = "10s") -> ReplaySummary:
    """Sends the capture at `path` (also a hex dump, a `+SECONDS HEX` log or `hansim generate
    --format jsonl` output) on `port` with the recorded gaps divided by `speed`, at the recorded
    line rate (`line`, e.g. "2400:8N1", overrides it). Blocks until done, `duration` (wall
    clock, e.g. "30s") has passed, or Ctrl-C; with `loop` it starts over at the end. A file with
    bad lines raises ValueError naming file and line, unless `skip_bad`."""
    return ReplaySummary(**_hansim.replay(os.fspath(path), port, speed, loop, fast, skip_bad, line, duration, gap))
