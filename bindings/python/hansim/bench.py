"""A bench for a device under test: a meter on a port, a tap on a port, bench files.

    bench = MeterBench("kamstrup-no-3p", path="/tmp/x/ttyHAN0", seed=7)   # unpaced: virtual time
    reader = MyReader(bench.path)          # the device under test opens the PTY
    sent = bench.advance("1h")             # every push of the next meter hour, as fast as the port takes them
    bench.assert_reported(reader.last())   # what the device reported vs the frame it read

An unpaced meter (the default) keeps its own clock: `advance(d)` writes every push of the next
`d` of meter time to the port (any `hansim run --port` form) as fast as the port takes the
bytes, then stops (the native io::unpaced_runner, GIL released); the same seed gives the same
bytes. A paced meter (`paced=True`) runs in real time, or `speed` times faster, on hansim's
native session and stays wire-true: advancing it is an error, `wait_for` waits.

A PTY ignores baud rate and parity and has no modem lines: an unpaced meter on a PTY writes
whole frames; on a real serial port the UART paces the bytes at the line rate. A pause inside
a frame (the timing faults split_pause, p1_split_pause, char_gaps) is the fault itself and is
kept in real time on any port.
"""
from __future__ import annotations

import os
import pathlib
import select
import threading
import time
import tty
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

from . import _hansim
from .meter import Frame, Meter, _settings, decode, profiles


class BenchError(Exception):
    """A bench used wrongly (unknown profile, missing port, advancing a paced meter, a frame
    that was never sent); the message says what and how to fix it."""


class RunEnded(BenchError, ValueError):
    """A change (an event, a fault, the data-request line, advance()) given to a meter
    whose run has ended: the message names the change and how the run ended."""


def check_profile(profile: str) -> None:
    known = profiles()
    if profile not in known:
        raise BenchError(f"unknown meter profile '{profile}'; known profiles: {', '.join(sorted(known))}")


# --------------------------------------------------------------------------------- the meter

class MeterBench:
    """One simulated meter on a port, with the ground truth of everything it sent."""

    def __init__(self, profile: str = "kamstrup-no-3p", *, port: str, paced: bool = False, speed: float = 1.0,
                 fast: bool = False, start: str = "2024-01-01T00:00:00Z", key_file: "str | os.PathLike | None" = None,
                 **settings: Any) -> None:
        check_profile(profile)
        port_path(port)  # a bad port spec is named before anything starts
        self.profile = profile
        self.paced = paced
        self.key_file = None if key_file is None else str(key_file)
        self.sent: list = []
        self._running = None
        self._unpaced = None
        self._closed = False
        try:
            if paced:
                from .running import run_meter
                # the wire resolutions, from a meter that sends nothing (no counter store)
                quiet = {k: v for k, v in settings.items() if k != "invocation_counter_file"}
                self.resolution = dict(Meter(profile, start=start, key_file=self.key_file, **quiet)._native.resolution)
                self._running = run_meter(profile, port=port, speed=speed, fast=fast, start=start,
                                          key_file=self.key_file, **settings)
            else:
                self._unpaced = _hansim.UnpacedMeter(profile, _settings(settings), start, self.key_file, port)
                self.resolution = dict(self._unpaced.resolution)
        except ValueError as error:
            raise BenchError(f"meter {profile} on {port}: {error}") from None
        self.path = port_path(port)

    # -- virtual time (unpaced meters)
    def advance(self, duration: "str | float", *, stall: float = 10.0) -> list:
        """Sends every push of the next `duration` of meter time ("10s", "1h", or seconds) as
        fast as the port takes them, then stops. Returns those frames (also added to `sent`).
        A port that takes nothing for `stall` seconds (nobody reading) is a BenchError."""
        if self.paced:
            raise BenchError("advance() needs an unpaced meter: this one is paced (it runs on the wall clock and "
                             "stays wire-true); use wait_for(), or create the meter with paced=False")
        text = f"{int(duration * 1000)}ms" if isinstance(duration, (int, float)) else str(duration)
        self._refuse_if_ended(f"advance('{text}')")
        try:
            pairs = self._unpaced.advance(text, stall)
        except ValueError as error:
            raise BenchError(str(error)) from None
        except TimeoutError as error:
            message, pairs = error.args
            self.sent += [Frame.from_record(r, w) for r, w in pairs]
            raise BenchError(message) from None
        frames = [Frame.from_record(r, w) for r, w in pairs]
        self.sent += frames
        return frames

    @property
    def now(self) -> str:
        """Unpaced meters: the meter time reached (ISO 8601 UTC)."""
        return self._unpaced.now if self._unpaced is not None else ""

    # -- real time (paced meters)
    def wait_for(self, count: int, *, timeout: float = 30.0) -> list:
        """Paced meters: waits until `count` frames went out; returns them."""
        if not self.paced:
            raise BenchError("wait_for() is for paced meters; an unpaced meter sends only when you advance() it")
        reports = self._running.wait_for(count, timeout=timeout)
        self.sent = [r for r in self._running.reports if r.outcome == "sent"]
        return reports

    def set_data_request(self, asserted: bool, *, lasting: "str | None" = None) -> None:
        """The P1 data-request line (modelled on a PTY). A paced meter has a request line the
        runner reads at each frame start. An unpaced meter takes a `data_request` event now,
        released for `lasting` (it would otherwise never send again, and advance() would
        have nothing to send)."""
        self._refuse_if_ended(f"set_data_request({asserted})")
        if not self.paced:
            if not asserted and lasting is None:
                raise BenchError("set_data_request(False) on an unpaced meter needs lasting=DURATION (e.g. "
                                 "lasting=\"30s\"): a request released for good leaves advance() nothing to send")
            self.event(f"data_request={'on' if asserted else 'off'}@now" + (f"/{lasting}" if lasting else ""))
            return
        if lasting is not None:
            raise BenchError("lasting= is for unpaced meters; a paced meter's request line stays as set")
        self._running.set_data_request(asserted)

    # -- live control: the same grammar as --event and --faults (scenario/live_control.hpp)
    def event(self, text: str) -> "LiveChange":
        """Applies a timeline event to the running meter, as `--event` spells it: "load=3kW",
        "outage@now/20m", "voltage=207@+30s/5m", "clock_jump=+1h", "key_change=keys2.txt". No `@`
        (or `@now`) means the meter's time now, `@+D` that long after it. It shows in the ground
        truth (`frame.events`) and the values of the next frame not yet on the line. BenchError
        with the reason when the text is wrong or cannot apply; the meter is then unchanged."""
        return self._change("event", text)

    def fault(self, text: str) -> "LiveChange":
        """Injects faults of the catalogue, as `--faults` spells them: "bad_fcs" or "bad_fcs@next"
        (the next push), "truncated:at=40@next:3" (the next three), "garbage@every:5",
        "bad_hcs@time:+1m" (+ counts from the meter's time now). The frames it broke carry
        `fault` and `fault_effect`. BenchError with the reason when the rule is wrong."""
        return self._change("fault", text)

    def set_load(self, watts: "float | Sequence[float]", *, at: str = "now") -> "LiveChange":
        """The total load in W (negative: export), or one power per phase (L1, L2, L3)."""
        if isinstance(watts, (int, float)):
            return self.event(f"load={_number(watts)}@{at}")
        return self.event("load=phases:" + ":".join(_number(w) for w in watts) + f"@{at}")

    def set_voltage(self, volts: float, *, at: str = "now", lasting: "str | None" = None) -> "LiveChange":
        """The voltage (line-to-line on a 3-wire grid); with `lasting` it returns afterwards."""
        return self.event(f"voltage={_number(volts)}@{at}" + (f"/{lasting}" if lasting else ""))

    def set_power_factor(self, pf: float, *, capacitive: bool = False, at: str = "now",
                         lasting: "str | None" = None) -> "LiveChange":
        """The load's power factor (inductive unless `capacitive`)."""
        kind = ":capacitive" if capacitive else ""
        return self.event(f"power_factor={_number(pf)}{kind}@{at}" + (f"/{lasting}" if lasting else ""))

    def jump_clock(self, by: "str | float", *, at: str = "now") -> "LiveChange":
        """The meter clock jumps by `by` ("+1h", "-2m", or seconds)."""
        text = (f"{'+' if by >= 0 else '-'}{int(abs(by) * 1000)}ms" if isinstance(by, (int, float)) else str(by))
        return self.event(f"clock_jump={text}@{at}")

    def switch_keys(self, key_file: "str | os.PathLike", *, at: str = "now") -> "LiveChange":
        """The keys of `key_file` take over (later frames are ciphered with them; `key_file`
        of this bench, used by taps, follows)."""
        change = self.event(f"key_change={os.fspath(key_file)}@{at}")
        self.key_file = os.fspath(key_file)
        return change

    def set_security(self, policy: str, *, at: str = "now",
                     key_file: "str | os.PathLike | None" = None) -> "LiveChange":
        """Ciphering: "none", "encrypt", "authenticate" or "encrypt+authenticate", with the
        meter's keys: its key_file, the keys of switch_keys(), the HANSIM_ENCRYPTION_KEY /
        HANSIM_AUTHENTICATION_KEY environment it was started in, or `key_file` given here
        (its keys take over first, at the same time; `self.key_file` follows, for taps and
        readers). A meter with no keys refuses to cipher, saying how to give it keys."""
        if key_file is not None:
            self.switch_keys(key_file, at=at)
        try:
            return self.event(f"security={policy}@{at}")
        except RunEnded:
            raise
        except BenchError as error:
            if "needs keys" not in str(error) or self.key_file is not None:
                raise
            problem = (f"set_security('{policy}'): this meter has no keys: it was started without key_file= and "
                       f"without HANSIM_ENCRYPTION_KEY / HANSIM_AUTHENTICATION_KEY in the environment. Give it "
                       f"keys: set_security('{policy}', key_file=KEY_FILE), or switch_keys(KEY_FILE) first, or "
                       f"start it with key_file=KEY_FILE; the reader under test needs the same key file")
        raise BenchError(problem)

    def _change(self, kind: str, text: str) -> "LiveChange":
        self._refuse_if_ended(f"{kind} '{text}'")
        native = self._unpaced if self._unpaced is not None else None
        try:
            if native is not None:
                result = getattr(native, kind)(text)
            else:
                result = getattr(self._running, kind)(text)
        except RunEnded:
            raise
        except ValueError as error:
            raise BenchError(str(error)) from None
        return LiveChange(**result)

    def _refuse_if_ended(self, what: str) -> None:
        if self._closed:
            raise RunEnded(f"{what}: the run has ended (close() ended it); a change needs a running meter, "
                           f"start a new MeterBench")
        if self._running is not None and not self._running.running:
            raise RunEnded(f"{what}: the run has ended ({self._running.ended_because()}); a change needs a "
                           f"running meter")

    # -- ground truth
    def frame(self, *, clock: "str | None" = None, invocation_counter: "int | None" = None,
              sequence: "int | None" = None) -> Frame:
        """The frame that was sent with this wire clock (local meter time, as a reader shows
        it), invocation counter or sequence number. BenchError when none was."""
        for frame in self.sent:
            if sequence is not None and frame.sequence == sequence:
                return frame
            if invocation_counter is not None and frame.invocation_counter == invocation_counter:
                return frame
            if clock is not None and frame_clock(frame) == clock:
                return frame
        what = (f"clock {clock}" if clock is not None else f"invocation counter {invocation_counter}"
                if invocation_counter is not None else f"sequence {sequence}")
        if not self.sent:
            raise BenchError(f"no frame with {what} was sent: nothing was sent yet (advance() or wait_for() first)")
        raise BenchError(f"no frame with {what} was sent; {len(self.sent)} frames were sent, clocks "
                         f"{frame_clock(self.sent[0])} to {frame_clock(self.sent[-1])}")

    def assert_reported(self, reported: dict, frame: "Frame | None" = None, **options: Any) -> Frame:
        """Checks what the device reported against the frame it read (found by the reported
        invocation counter or clock unless given). See hansim.assertions.assert_reported."""
        from .assertions import assert_reported
        if frame is None:
            if reported.get("invocation_counter") is not None:
                frame = self.frame(invocation_counter=reported["invocation_counter"])
            elif reported.get("clock"):
                frame = self.frame(clock=reported["clock"])
            else:
                raise BenchError("the reported record has neither 'clock' nor 'invocation_counter': pass frame=")
        assert_reported(reported, frame, self.resolution, **options)
        return frame

    def describe(self) -> str:
        return self._unpaced.describe() if self._unpaced is not None else self._running.port()

    def close(self) -> None:
        """Ends the run and closes the port; later changes and advance() raise RunEnded."""
        self._closed = True
        if self._running is not None:
            self._running.stop()
        if self._unpaced is not None:
            self._unpaced.close()


@dataclass(frozen=True)
class LiveChange:
    """What a live change did: the change as applied (absolute time, resolved pushes), when
    it takes effect and the meter's time when it was made (ISO 8601 UTC)."""

    applied: str
    at: str
    meter_now: str


def _number(value: float) -> str:
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


def port_path(port: str) -> str:
    """What a reader opens for a `--port` spec: the PTY link or serial device, else the spec
    itself. The spec is parsed by hansim (BenchError naming it when it is wrong)."""
    try:
        spec = _hansim.parse_port_spec(port)
    except ValueError as error:
        raise BenchError(str(error)) from None
    return spec.path if spec.kind in ("pty", "serial") else port


def frame_clock(frame: Frame) -> "str | None":
    """The wire clock of a frame (local meter time, ISO, no zone), from its ground truth, or
    from hansim's decoder for a plain list 1; None for a ciphered frame without a clock value."""
    values = frame.values
    if "0-1:1.0.0.255" in values:
        return values["0-1:1.0.0.255"]
    stamp = values.get("0-0:1.0.0")
    if isinstance(stamp, dict):
        return stamp.get("time")
    if frame.invocation_counter is None:
        records = decode(frame.wire)
        if records and "date_time" in records[0]:
            return records[0]["date_time"]
    return None


# --------------------------------------------------------------------------------- the tap

class Tap:
    """Opens a port (PTY or serial device) and collects what arrives; `records()` decodes it
    with hansim's decoder into frames with values (one dict a frame, "error" for broken ones)."""

    IDLE_S = 0.2

    def __init__(self, path: str, *, baud: int = 2400, protocol: str = "auto",
                 key_file: "str | os.PathLike | None" = None) -> None:
        if not os.path.exists(path):
            raise BenchError(f"cannot tap {path}: no such port")
        self.path = path
        self.protocol = protocol
        self._keys = (None, None)
        if key_file is not None:
            try:
                ek, ak, _ = _hansim.load_key_file(str(key_file))
            except ValueError as error:
                raise BenchError(str(error)) from None
            self._keys = (ek, ak)
        try:
            self._fd = os.open(path, os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
        except OSError as error:
            raise BenchError(f"cannot tap {path}: {error.strerror}") from None
        try:
            tty.setraw(self._fd)
        except Exception:  # noqa: BLE001 - a FIFO or file: read it as it is
            pass
        self._data = bytearray()
        self._last = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, name=f"hansim-tap {path}", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self._fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(self._fd, 65536)
            except BlockingIOError:
                continue
            except OSError:
                chunk = b""
            if not chunk:
                time.sleep(0.05)
                continue
            with self._lock:
                self._data += chunk
                self._last = time.monotonic()

    @property
    def data(self) -> bytes:
        with self._lock:
            return bytes(self._data)

    def records(self) -> list:
        """Every frame so far. A frame still arriving (the line not yet idle) is left out."""
        with self._lock:
            data, idle = bytes(self._data), time.monotonic() - self._last >= self.IDLE_S
        ek, ak = self._keys
        out = decode(data, protocol=self.protocol, encryption_key=ek, authentication_key=ak)
        if out and not idle and "error" in out[-1]:
            out.pop()
        return out

    def wait_for(self, count: int, *, timeout: float = 10.0) -> list:
        """Waits until `count` frames arrived; returns the first `count`."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.records()
            if len(got) >= count:
                return got[:count]
            if time.monotonic() > deadline:
                raise TimeoutError(f"tap on {self.path}: {len(got)} of {count} frames after {timeout} s "
                                   f"({len(self.data)} bytes)")
            time.sleep(0.02)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


# --------------------------------------------------------------------------------- bench files

BENCH_KEYS = {
    "name": "bench name (pytest ids, skip messages)",
    "description": "one line for people",
    "port": "where the meter sends: pty:PATH or serial:DEVICE[:BAUD:8N1]",
    "reader": "what the device under test (or the tap) opens",
    "line": "the reader's line settings, BAUD:8N1",
    "meter": "meter profile (hansim profiles)",
    "device": "the device under test: a command printing one JSON line a frame ({reader}, {baud}, {key_file})",
    "requires": "device paths that must exist, else tests needing the bench are skipped",
}


@dataclass
class BenchFile:
    """A bench description (YAML): which real port, line settings and device."""

    name: str
    port: str
    reader: str
    line: str = "2400:8N1"
    meter: str = "kamstrup-no-3p"
    description: str = ""
    device: str = ""
    requires: list = field(default_factory=list)
    source: str = ""

    @property
    def baud(self) -> int:
        return int(self.line.split(":")[0])

    def missing(self) -> Optional[str]:
        """Why this bench cannot run here, or None."""
        for path in self.requires:
            if not os.path.exists(path):
                return f"bench {self.name}: {path} not present"
        return None


def load_bench_file(path: "str | os.PathLike", tmp: "str | os.PathLike | None" = None) -> BenchFile:
    """Reads a bench file with python3-yaml. `{tmp}` in port/reader/requires becomes `tmp`.
    Raises BenchError naming the file, the line and the key."""
    import yaml

    path = pathlib.Path(path)
    try:
        text = path.read_text()
    except OSError as error:
        raise BenchError(f"bench file {path}: {error.strerror}") from None
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise BenchError(f"bench file {path}: {error}") from None
    if not isinstance(data, dict):
        raise BenchError(f"bench file {path}: expected a mapping of {', '.join(BENCH_KEYS)}")
    lines = {k.value: k.start_mark.line + 1 for k, _ in node.value} if node is not None else {}
    for key in data:
        if key not in BENCH_KEYS:
            raise BenchError(f"{path}:{lines.get(key, '?')}: unknown key '{key}'; known keys: {', '.join(BENCH_KEYS)}")
    for key in ("name", "port", "reader"):
        if key not in data:
            raise BenchError(f"bench file {path}: '{key}' is required ({BENCH_KEYS[key]})")
    requires = data.get("requires") or []
    if not isinstance(requires, list):
        raise BenchError(f"{path}:{lines.get('requires', '?')}: requires: expected a list of device paths")

    def sub(value: Any) -> str:
        return str(value).replace("{tmp}", str(tmp)) if tmp is not None else str(value)

    line = str(data.get("line", "2400:8N1"))
    if not line.split(":")[0].isdigit():
        raise BenchError(f"{path}:{lines.get('line', '?')}: line: expected BAUD:8N1, got '{line}'")
    return BenchFile(name=str(data["name"]), port=sub(data["port"]), reader=sub(data["reader"]), line=line,
                     meter=str(data.get("meter", "kamstrup-no-3p")), description=str(data.get("description", "")),
                     device=str(data.get("device", "")), requires=[sub(p) for p in requires], source=str(path))


__all__ = ["BenchError", "BenchFile", "LiveChange", "MeterBench", "RunEnded", "Tap", "frame_clock", "load_bench_file",
           "port_path"]
