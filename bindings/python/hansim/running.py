"""Meters running in real time on a port (PTY, serial, TCP, file), in the background.

The native session runs on its own thread with the GIL released; Python only collects the
per-frame reports. A PTY has no modem lines: the P1 data-request line is modelled by
RunningMeter.set_data_request() (see README, "Physical layer").
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Sequence

from . import _hansim
from .bench import RunEnded
from .meter import Frame, _settings


@dataclass(frozen=True)
class FrameReport(Frame):
    """A Frame as it went on the line: what happened to it and how late it started."""

    outcome: str = "sent"        # "sent", "no_listener", "not_requested", "aborted", "overrun", "port_unavailable", "truncated"
    lateness_ms: float = 0.0     # actual first byte vs scheduled (monotonic clock)
    bytes_written: int = 0

    @staticmethod
    def from_report(record: dict, wire: bytes) -> "FrameReport":
        frame = Frame.from_record(record, wire)
        return FrameReport(**vars(frame), outcome=record["outcome"], lateness_ms=record["lateness_ms"],
                           bytes_written=record["bytes_written"])


class RunningMeter:
    """One or more meters running on their ports until stop() (or `duration` of meter time)."""

    def __init__(self) -> None:
        self._native = _hansim.Session()
        self._reports: list = []
        self._started = False

    def add(self, profile: str = "kamstrup-no-3p", *, port: str, key_file: "str | None" = None,
            events: "Sequence[str]" = (), **settings: Any) -> int:
        """Adds a meter on `port` ("pty:/tmp/ttyHAN0", "tcp:127.0.0.1:7000", "file:out.bin",
        "serial:/dev/ttyUSB0:2400:8N1"), with timeline `events` as for Meter; returns its index."""
        settings = dict(settings, port=port)
        return self._native.add_meter(profile, _settings(settings), None if key_file is None else str(key_file),
                                      list(events))

    def start(self, *, speed: float = 1.0, fast: bool = False, start: "str | None" = None,
              duration: "str | None" = None) -> "RunningMeter":
        """Starts every meter. `start` is the meter UTC at the first instant (default now);
        `speed` runs the meter clock that much faster; `fast` sends each frame at once
        instead of at the line rate; `duration` (meter time) ends the run by itself."""
        self._native.start(speed, fast, start or "", duration or "")
        self._started = True
        return self

    def port(self, index: int = 0) -> str:
        """Where meter `index` writes (e.g. "pty /tmp/ttyHAN0 -> /dev/pts/3")."""
        return self._native.describe(index)

    def set_data_request(self, asserted: bool, index: int = 0) -> None:
        """The P1 data-request line of meter `index` (PTY / file / TCP ports: modelled).
        RunEnded once the run has ended."""
        self._call(self._native.set_data_request, index, asserted)

    def event(self, text: str, index: int = 0) -> dict:
        """A timeline event for meter `index`, as `--event` spells it ("load=3kW",
        "outage@now/20m"; no `@` is now, `@+D` after the meter's time now). Applied between its
        frames; returns {applied, at, meter_now}. ValueError with the reason; RunEnded (a
        ValueError) naming the change once the run has ended."""
        return self._call(self._native.event, index, text)

    def fault(self, text: str, index: int = 0) -> dict:
        """Fault rules for meter `index`, as `--faults` spells them ("bad_fcs@next")."""
        return self._call(self._native.fault, index, text)

    def _call(self, method: Any, *args: Any) -> Any:
        try:
            return method(*args)
        except ValueError as error:
            # the run ended (the native refusal says so, maybe before `running` turns False)
            # ("the run has ended" when it was refused at the door, "its run has ended" when it
            # was taken just before the end and reached the meter after it)
            if self._started and (not self.running or "run has ended" in str(error)):
                raise RunEnded(str(error)) from None
            raise

    def ended_because(self) -> str:
        """How the run ended: "stop() ended it", "its duration was reached", "a port failed: ..."."""
        return self._native.ended_reason() if self._started and not self.running else ""

    @property
    def reports(self) -> list:
        """Every frame report so far, in the order the frames ended."""
        for record, wire in self._native.take_reports():
            self._reports.append(FrameReport.from_report(record, wire))
        return list(self._reports)

    def wait_for(self, count: int, *, outcome: str = "sent", timeout: float = 30.0) -> list:
        """Waits until `count` frames ended with `outcome`; returns them. Raises TimeoutError."""
        deadline = time.monotonic() + timeout
        while True:
            matching = [r for r in self.reports if r.outcome == outcome]
            if len(matching) >= count:
                return matching[:count]
            if not self.running:
                raise TimeoutError(f"the run ended with {len(matching)} of {count} frames '{outcome}'")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(matching)} of {count} frames '{outcome}' after {timeout} s")
            self._native.wait(0.05)

    @property
    def running(self) -> bool:
        return self._native.running

    def wait(self, timeout: "float | None" = None) -> bool:
        """Waits for the run to end by itself (its `duration` reached); True when it has."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = -1.0 if deadline is None else max(0.0, deadline - time.monotonic())
            if self._native.wait(left):  # wakes on every report too
                return True
            if deadline is not None and time.monotonic() >= deadline:
                return False

    def stop(self) -> None:
        """Stops every meter, flushes and closes the ports (PTY symlinks removed)."""
        self._native.stop()

    @property
    def failures(self) -> list:
        """Why the run stopped early: one message per port that failed for good, e.g.
        "file /tmp/x: write failed: No space left on device" (such a frame is counted lost,
        never sent). Empty while running and after a run that ended normally."""
        return list(self._native.failures)

    @property
    def summary(self) -> dict:
        """Counts per outcome and lateness over every report so far."""
        reports = self.reports
        out: dict = {"frames": len(reports)}
        for r in reports:
            out[r.outcome] = out.get(r.outcome, 0) + 1
        late = [r.lateness_ms for r in reports if r.outcome == "sent"]
        out["max_lateness_ms"] = max(late) if late else 0.0
        out["mean_lateness_ms"] = sum(late) / len(late) if late else 0.0
        return out

    def __enter__(self) -> "RunningMeter":
        if not self._started:
            self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def run_meter(profile: str = "kamstrup-no-3p", *, port: str, speed: float = 1.0, fast: bool = False,
              start: "str | None" = None, duration: "str | None" = None, key_file: "str | None" = None,
              events: "Sequence[str]" = (), **settings: Any) -> RunningMeter:
    """One meter on `port`, started; use as a context manager to stop it on exit."""
    bench = RunningMeter()
    bench.add(profile, port=port, key_file=key_file, events=events, **settings)
    return bench.start(speed=speed, fast=fast, start=start, duration=duration)


__all__ = ["FrameReport", "RunningMeter", "run_meter"]


