"""Timeline events as a reader sees them: `hansim generate --format jsonl` with --event, every
frame decoded twice (by `hansim decode` and by the independent decoder, which shares no code
with the C++ core), the two checked against each other and against the ground truth.

    frames = generate(hansim_bin, tmp_path, "kamstrup-p1", "1m", events=["outage@+20s/10s"])
    frames[0].values["1-0:1.7.0"]      # what the independent decoder read (hansim's JSON form)
    frames[0].clock                    # the meter's clock in the frame ("2024-…T…:…:…")
    frames[0].truth["events"]          # the ground truth of generate (events in force)

A test asserts on `values` and `clock` (the reader's view); `truth` says what hansim meant.
"""
from __future__ import annotations

import json
import pathlib
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from independent_decoder import (as_hansim_values, decode_notification, glo_decrypt, p1_as_hansim_values,
                                 read_hdlc_piece, read_p1_piece)

START = "2024-01-15T12:00:00Z"  # a winter Monday: CET, UTC+1

# Two made-up key sets (never real keys).
KEYS_A = ("000102030405060708090A0B0C0D0E0F", "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF")
KEYS_B = ("F0E0D0C0B0A090807060504030201000", "A0A1A2A3A4A5A6A7A8A9AAABACADAEAF")


def key_file_text(keys) -> str:
    return f"encryption_key={keys[0]}\nauthentication_key={keys[1]}\n"


def write_keys(folder: pathlib.Path, name: str, keys) -> pathlib.Path:
    path = folder / name
    path.write_text(key_file_text(keys))
    path.chmod(0o600)
    return path


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def seconds_after(start: str, text: str) -> float:
    return (utc(text) - utc(start)).total_seconds()


@dataclass
class Frame:
    truth: dict                 # the generate JSON line (ground truth)
    decoded: dict               # the `hansim decode` JSON line
    values: dict                # the independent decoder's values, in hansim's JSON form
    clock: str | None           # the meter clock the frame carries (list header or P1 0-0:1.0.0)
    ciphered: bool = False
    security_control: int | None = None
    invocation_counter: int | None = None
    date_time_form: str | None = None  # "standard" (0C …) or "legacy_09" (09 0C …); HAN only
    raw_values: dict = field(default_factory=dict)  # the independent decoder's raw values
    dst: bool | None = None     # the clock's DST flag (HAN: status bit 0x80; P1: 'S')
    opened_with: int | None = None  # which of decode_keys opened a ciphered push
    nulls: int = 0              # null items in the notification body (single-phase placeholders)

    @property
    def at(self) -> float:
        """Seconds of true time after the start of the run at which the push was triggered."""
        return seconds_after(self.truth["_start"], self.truth["scheduled"])

    @property
    def list(self) -> str:
        return self.truth["list"]

    def number(self, key: str) -> float:
        """A numeric value as the reader sees it (P1: the number in the unit written)."""
        value = self.values[key]
        return value["value"] if isinstance(value, dict) else value


def _hex_clock(raw: bytes) -> str:
    year = int.from_bytes(raw[0:2], "big")
    return f"{year:04d}-{raw[2]:02d}-{raw[3]:02d}T{raw[5]:02d}:{raw[6]:02d}:{raw[7]:02d}"


def decode_independently(wire: bytes, keys_by_try=()) -> dict:
    """What the independent decoder makes of one push: {values, clock, ciphered, sc, ic, form,
    raw}. Ciphered pushes are opened with the first key set in `keys_by_try` that verifies;
    'opened_with' says which (its index), and a push no key opens raises ValueError."""
    if wire[:1] == b"/":
        ident, raw = read_p1_piece(wire)
        values = p1_as_hansim_values(raw)
        stamp = values.get("0-0:1.0.0")
        return {"values": values, "clock": stamp["time"] if isinstance(stamp, dict) else None, "raw": raw, "nulls": 0,
                "ciphered": False, "sc": None, "ic": None, "form": None, "opened_with": None,
                "dst": stamp["dst"] if isinstance(stamp, dict) else None}
    llc = read_hdlc_piece(wire)
    if llc[:3] != b"\xE6\xE7\x00":
        raise ValueError(f"not a push LLC header: {llc[:3].hex()}")
    apdu = llc[3:]
    out = {"ciphered": False, "sc": None, "ic": None, "opened_with": None}
    if apdu[0] == 0xDB:
        title_len = apdu[1]
        pos = 2 + title_len
        pos += 1 if apdu[pos] < 0x80 else 1 + (apdu[pos] & 0x7F)
        out.update(ciphered=True, sc=apdu[pos], ic=int.from_bytes(apdu[pos + 1:pos + 5], "big"))
        errors = []
        for index, (ek, ak) in enumerate(keys_by_try):
            try:
                apdu_plain = glo_decrypt(apdu, bytes.fromhex(ek), bytes.fromhex(ak))
                note = decode_notification(apdu_plain)  # a wrong key under sc 0x20 gives garbage
                out["opened_with"] = index
                apdu = apdu_plain
                break
            except Exception as e:  # InvalidTag, ValueError: try the next key
                errors.append(f"key {index}: {type(e).__name__} {e}")
        else:
            raise ValueError("no key opens the push: " + "; ".join(errors))
    note = decode_notification(apdu)
    out["form"] = "legacy_09" if apdu[5] == 0x09 else "standard"
    out["clock"] = _hex_clock(note.date_time) if note.date_time else None
    out["dst"] = bool(note.date_time[11] & 0x80) if note.date_time else None
    out["values"] = as_hansim_values(note.values)
    out["raw"] = note.values
    out["nulls"] = sum(item is None for item in note.body) if isinstance(note.body, list) else 0
    return out


def run_hansim(hansim_bin, *args, stdin: bytes | None = None, check=True) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(hansim_bin), *map(str, args)], input=stdin, capture_output=True, timeout=120)
    if check:
        assert proc.returncode == 0, (args, proc.returncode, proc.stderr.decode(errors="replace"))
    return proc


def generate_records(hansim_bin, meter, duration, *, start=START, events=(), settings=(), key_file=None,
                     scenario=None, extra=()) -> list[dict]:
    args = ["generate", "--start", start, "--duration", duration, "--format", "jsonl", "--set", "jitter=none"]
    args += ["--scenario", scenario] if scenario else ["--meter", meter]
    for s in settings:
        args += ["--set", s]
    for e in events:
        args += ["--event", e]
    if key_file:
        args += ["--key-file", key_file]
    args += list(extra)
    out = run_hansim(hansim_bin, *args).stdout.decode()
    records = [json.loads(line) for line in out.splitlines() if line.strip()]
    for r in records:
        r["_start"] = start
    return records


def generate(hansim_bin, tmp_path, meter, duration, *, start=START, events=(), settings=(), key_file=None,
             decode_keys=(), scenario=None, extra=()) -> list[Frame]:
    """Generates, decodes every frame with `hansim decode` (with `key_file`, the meter's
    own keys, when given) and with the independent decoder (trying `decode_keys` in order),
    and checks that both decoders read the same values as the ground truth says were sent.
    Frames the key file cannot open (after a key change) are compared by the independent
    decoder only."""
    records = generate_records(hansim_bin, meter, duration, start=start, events=events, settings=settings,
                               key_file=key_file, scenario=scenario, extra=extra)
    assert records, "generate wrote no frame"
    hex_text = "\n".join(r["hex"] for r in records) + "\n"
    decode_args = ["decode", "--hex", "-"]
    if key_file:
        decode_args += ["--key-file", key_file]
    lines = run_hansim(hansim_bin, *decode_args, stdin=hex_text.encode()).stdout.decode().splitlines()
    decoded = [json.loads(line) for line in lines]
    assert len(decoded) == len(records), (len(decoded), len(records))
    frames = []
    for record, dec in zip(records, decoded):
        mine = decode_independently(bytes.fromhex(record["hex"]), decode_keys)
        frame = Frame(truth=record, decoded=dec, values=mine["values"], clock=mine["clock"],
                      ciphered=mine["ciphered"], security_control=mine["sc"], invocation_counter=mine["ic"],
                      date_time_form=mine["form"], raw_values=mine["raw"], dst=mine["dst"],
                      opened_with=mine["opened_with"], nulls=mine["nulls"])
        # The two decoders and the ground truth agree on every value.
        assert frame.values == record["values"], (record["sequence"], frame.values, record["values"])
        if "error" not in dec:
            assert dec["values"] == record["values"], (record["sequence"], dec, record["values"])
        else:
            assert frame.ciphered, dec  # only a push ciphered with other keys may fail hansim decode
        if frame.ciphered:
            assert frame.invocation_counter == record["invocation_counter"], record["sequence"]
        frames.append(frame)
    return frames


def clock_seconds(clock: str) -> float:
    """Seconds since the epoch of a meter clock text (naive local time, as the meter shows)."""
    return datetime.fromisoformat(clock).replace(tzinfo=timezone.utc).timestamp()


def local(start: str, offset_s: float, hours: int = 1) -> str:
    """The CET wall-clock text `offset_s` after `start` (UTC+hours)."""
    t = utc(start) + timedelta(seconds=offset_s, hours=hours)
    return t.strftime("%Y-%m-%dT%H:%M:%S")
