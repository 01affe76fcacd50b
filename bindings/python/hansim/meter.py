"""Meters that produce their pushes without waiting, and the decoder."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Optional, Sequence

from . import _hansim


@dataclass(frozen=True)
class Frame:
    """One push: when, what list, the exact bytes, and the values that were encoded."""

    meter: str
    list: str                      # "list1", "list2", "push1" or "p1"
    sequence: int
    scheduled: str                 # trigger time, ISO 8601 UTC
    send: str                      # first byte on the line, ISO 8601 UTC
    start_offset_ms: float         # jitter: send - scheduled
    wire: bytes
    values: dict = field(default_factory=dict)   # OBIS text -> value as on the wire
    invocation_counter: Optional[int] = None
    fault: Optional[str] = None
    # what the fault did (hansim faults): rule, description, changed, cut_at, pauses, and the
    # pieces a correct reader finds in `wire` with which of them it must reject
    fault_effect: Optional[dict] = None
    events: list = field(default_factory=list)   # timeline events in force (spec texts)
    silenced_before: int = 0       # slots the port did not carry since the previous frame
    # events that began or ended since the previous frame, with their exact times:
    # [{"event", "kind", "at", "until"?}] (an outage shows here, in the first frame after it)
    timeline: list = field(default_factory=list)

    @staticmethod
    def from_record(record: Mapping[str, Any], wire: bytes) -> "Frame":
        return Frame(meter=record["meter"], list=record["list"], sequence=record["sequence"],
                     scheduled=record["scheduled"], send=record["send"],
                     start_offset_ms=record["start_offset_ms"], wire=wire, values=record["values"],
                     invocation_counter=record.get("invocation_counter"), fault=record.get("fault"),
                     fault_effect=record.get("fault_effect"),
                     events=list(record.get("events", [])), silenced_before=record.get("silenced_before", 0),
                     timeline=list(record.get("timeline", [])))


def _duration_ms(duration: "str | float | int") -> int:
    """A number is seconds; text is read by the one duration grammar, in C++ (90s, 1h30m, 2d)."""
    if isinstance(duration, (int, float)):
        return int(duration * 1000)
    return _hansim.parse_duration(duration)


def _settings(settings: Mapping[str, Any]) -> dict:
    def text(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (list, tuple)):
            return ",".join(map(str, value))
        return str(value)
    return {key: text(value) for key, value in settings.items()}


class Meter:
    """A simulated meter of `profile` (see profiles()); keyword settings override the
    profile with the keys and spellings of scenario files (serial=12345678, lists="list1",
    security="encrypt+authenticate", jitter="uniform:0:500", faults="corrupted_tag@3", ...).
    Keys for ciphered meters come from `key_file` or the HANSIM_* environment variables.
    `events` is the meter's timeline in the one-line form of `hansim generate --event`
    ("outage@+2h/20m", "appliance=ev_charger:7400@+17h30m"; `hansim generate --help` lists
    the kinds); each frame's record lists the events in force."""

    def __init__(self, profile: str = "kamstrup-no-3p", *, start: str = "2024-01-01T00:00:00Z",
                 key_file: "str | None" = None, events: "Sequence[str]" = (), **settings: Any) -> None:
        self._native = _hansim.Meter(profile, _settings(settings), start=start,
                                     key_file=None if key_file is None else str(key_file), events=list(events))
        self.warnings = list(self._native.warnings)
        self._cursor_ms = _iso_ms(start)
        self._pending: "Frame | None" = None

    @property
    def name(self) -> str:
        return self._native.name

    @property
    def baud_rate(self) -> int:
        return self._native.baud_rate

    @property
    def bits_per_character(self) -> int:
        return self._native.bits_per_character

    def next(self) -> Frame:
        record, wire = self._native.next()
        return Frame.from_record(record, wire)

    def __iter__(self) -> Iterator[Frame]:
        while True:
            yield self.next()

    def frames(self, duration: "str | float") -> list:
        """Every push sent within the next `duration` of simulated time (the first call
        starts at `start`). A push beyond the window is kept for the next call."""
        window_end = self._cursor_ms + _duration_ms(duration)
        out = []
        while True:
            frame = self._pending if self._pending is not None else self.next()
            self._pending = None
            if _iso_ms(frame.send) >= window_end:
                self._pending = frame
                self._cursor_ms = window_end
                return out
            out.append(frame)


def _iso_ms(text: str) -> int:
    """Milliseconds since the epoch of an ISO 8601 UTC time, read by the C++ grammar."""
    return _hansim.parse_utc_time(text)


def decode(data: bytes, *, protocol: str = "auto", encryption_key: "bytes | None" = None,
           authentication_key: "bytes | None" = None) -> list:
    """Decodes a byte stream as `hansim decode` does: one dict per frame or telegram, with
    "error" and "offset" for broken ones. Keys are 16-byte values."""
    return _hansim.decode(bytes(data), protocol, encryption_key, authentication_key)


def profiles() -> dict:
    """{profile name: one-line description}."""
    return dict(_hansim.profiles())


def setting_keys() -> list:
    """The meter settings Meter() and run_meter() accept (as in scenario files)."""
    return list(_hansim.setting_keys())
