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


class ReplayBench:
    """A capture replayed on a port as the source of a bench (the pytest `han_replay` fixture):

        replay = ReplayBench("meter.capture", port="pty:/tmp/x/ttyHAN0")   # the PTY exists now
        reader = MyReader(replay.path)                                     # the device opens it
        replay.start().wait()                                              # the recorded timing
        assert replay.summary.frames_lost == 0

    The bytes and their gaps are the native replay source's (the same as `hansim replay`); the
    port opens at construction so a reader can be ready before the first byte, and `start()`
    begins sending. `close()` stops and removes the PTY link."""

    def __init__(self, path: "str | os.PathLike", *, port: str, speed: float = 1.0, loop: bool = False,
                 fast: bool = False, skip_bad: bool = False, line: "str | None" = None, gap: str = "10s") -> None:
        from .bench import BenchError, port_path

        self.capture = os.fspath(path)
        self.path = port_path(port)
        try:
            self._native = _hansim.ReplaySession(self.capture, port, speed, loop, fast, skip_bad, line, gap)
        except ValueError as error:
            raise BenchError(f"replay of {self.capture} on {port}: {error}") from None

    @property
    def bursts(self) -> int:
        """The transmissions in the capture (one chunk as recorded, or one imported frame)."""
        return self._native.bursts

    def start(self, *, duration: "str | None" = None) -> "ReplayBench":
        """Starts sending (`duration`: a wall-clock limit, e.g. "5s", for a looping replay)."""
        self._native.start(duration)
        return self

    def wait(self, timeout: "float | None" = None) -> bool:
        """Waits for the replay to end (the capture sent, or `duration`); True when it has."""
        return self._native.wait(-1.0 if timeout is None else timeout)

    @property
    def summary(self) -> ReplaySummary:
        return ReplaySummary(**self._native.summary)

    def describe(self) -> str:
        return self._native.describe()

    def close(self) -> None:
        self._native.stop()

    def __enter__(self) -> "ReplayBench":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
