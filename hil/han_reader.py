#!/usr/bin/python3
"""han_reader: the reference HAN/P1 reader, the device under test of hansim's bench examples.

It is written as a firmware team's PC-side reader would be, from the public protocol
description (simulator/docs/PROTOCOLS.md), and shares no code with hansim: it must be able
to disagree with it. It reads a serial port or a PTY, deframes

  * HAN: HDLC type 3 frames (flags, HCS and FCS CRC-16/X.25, length framing with no byte
    stuffing, segmentation), LLC header, data-notification APDUs, ciphered with DLMS suite 0
    general-glo-ciphering (SC 0x30, 0x20 or 0x10) when a key file is given;
  * P1: ASCII telegrams (/ ... !CRC, CRC-16/ARC) and the Luxembourg-style raw 0xDB wrapper;

and prints one JSON line per frame on standard output:

  {"status": "ok", "n": 3, "format": "hdlc", "list": "list2", "security": "none",
   "clock": "2024-01-15T14:00:05", "values": {"1-1:1.7.0.255": 492.0, ...},
   "units": {"1-1:1.7.0.255": "W", ...}}
  {"status": "rejected", "n": 4, "format": "hdlc", "reason": "fcs_mismatch", "detail": "..."}

Values are in engineering units: W, var, V, A, kWh, kvarh, a power factor as a ratio, the
clock as local ISO time. The wire carries no scalers (PROTOCOLS.md §2.5, §3.3), so the
reader is told the meter's resolutions, as a real one is configured.

    han_reader.py --port /tmp/ttyHAN0 [--protocol han|p1] [--key-file keys.txt]
                  [--energy-resolution 10] [--current-resolution 0.01] [--voltage-resolution 1]
                  [--frames N] [--duration S] [--idle-timeout S]

A key file holds `encryption_key=<32 hex>` and `authentication_key=<32 hex>` lines.
Exit status: 0 on a clean end, 2 for bad options or a bad key file, 1 when the port fails.
"""
from __future__ import annotations

import argparse
import json
import os
import select
import sys
import termios
import time
from dataclasses import dataclass, field
from typing import Iterator, Optional

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

LUXEMBOURG_AK = bytes.fromhex("00112233445566778899AABBCCDDEEFF")  # fixed, public (PROTOCOLS.md §6.7)
MAX_P1_TELEGRAM = 4096
HEX_DIGITS = b"0123456789ABCDEFabcdef"


class Reject(Exception):
    """A frame the reader refuses, with a short machine-readable reason."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


# --------------------------------------------------------------------------------- checksums

def crc_x25(data: bytes) -> int:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc ^ 0xFFFF


def crc_arc(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


# --------------------------------------------------------------------------------- keys

@dataclass
class Keys:
    encryption: Optional[bytes] = None
    authentication: Optional[bytes] = None


def load_key_file(path: str) -> Keys:
    """Reads `encryption_key=HEX` / `authentication_key=HEX`; raises ValueError naming the
    file, the line and the key (never the key's value)."""
    keys = Keys()
    with open(path, encoding="utf-8") as handle:
        for number, raw in enumerate(handle, 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            name, sep, value = (part.strip() for part in line.partition("="))
            if not sep or name not in ("encryption_key", "authentication_key"):
                raise ValueError(f"{path}:{number}: expected encryption_key=HEX or authentication_key=HEX")
            try:
                key = bytes.fromhex(value)
            except ValueError:
                key = b""
            if len(key) != 16:
                raise ValueError(f"{path}:{number}: {name} must be 32 hex digits (16 bytes)")
            setattr(keys, "encryption" if name == "encryption_key" else "authentication", key)
    if keys.encryption is None:
        raise ValueError(f"{path}: no encryption_key")
    return keys


# --------------------------------------------------------------------------------- A-XDR

@dataclass
class Cursor:
    data: bytes
    pos: int = 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise Reject("malformed_apdu", f"needs {n} bytes at offset {self.pos}, {len(self.data) - self.pos} left")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def byte(self) -> int:
        return self.take(1)[0]

    def length(self) -> int:
        first = self.byte()
        if first < 0x80:
            return first
        count = first & 0x7F
        if count == 0 or count > 4:
            raise Reject("malformed_apdu", f"length form {first:02X} at offset {self.pos - 1}")
        return int.from_bytes(self.take(count), "big")


FIXED = {0x03: (1, False), 0x05: (4, True), 0x06: (4, False), 0x0F: (1, True), 0x10: (2, True),
         0x11: (1, False), 0x12: (2, False), 0x14: (8, True), 0x15: (8, False), 0x16: (1, False)}


def read_data(cur: Cursor, depth: int = 0):
    """One COSEM Data value: ints, bytes (octet-string), str (visible-string), list
    (structure/array) or None (null-data)."""
    if depth > 8:
        raise Reject("malformed_apdu", "nesting too deep")
    tag = cur.byte()
    if tag == 0x00:
        return None
    if tag in (0x01, 0x02):
        return [read_data(cur, depth + 1) for _ in range(cur.length())]
    if tag == 0x09:
        return bytes(cur.take(cur.length()))
    if tag == 0x0A:
        raw = cur.take(cur.length())
        try:
            return raw.decode("ascii")
        except UnicodeDecodeError:
            raise Reject("malformed_apdu", "visible-string is not ASCII") from None
    if tag in FIXED:
        size, signed = FIXED[tag]
        return int.from_bytes(cur.take(size), "big", signed=signed)
    if tag == 0x19:
        return bytes(cur.take(12))
    raise Reject("malformed_apdu", f"unsupported data tag {tag:02X} at offset {cur.pos - 1}")


def date_time(raw: bytes) -> tuple:
    """12-byte COSEM date-time -> (local ISO text, DST flag)."""
    if len(raw) != 12:
        raise Reject("malformed_apdu", f"date-time of {len(raw)} bytes")
    year = int.from_bytes(raw[0:2], "big")
    month, day, _, hour, minute, second = raw[2:8]
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and second < 60):
        raise Reject("malformed_apdu", f"date-time out of range: {raw.hex().upper()}")
    status = raw[11]
    return (f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}",
            status != 0xFF and bool(status & 0x80))


def obis_text(raw: bytes) -> str:
    a, b, c, d, e, f = raw
    return f"{a}-{b}:{c}.{d}.{e}.{f}"


# --------------------------------------------------------------------------------- units

@dataclass
class Resolution:
    """What the wire integers mean: the meter's configuration, as a real reader is told."""

    energy_wh: float = 10.0      # Norway 10 Wh; Sweden/Switzerland often 1 Wh
    current_a: float = 0.01      # 0.001 A on CT meters (meter type 685...)
    voltage_v: float = 1.0       # 0.01 V on some Danish meters


def scale(obis: str, raw: int, res: Resolution, ct: bool) -> tuple:
    """Wire integer of `obis` (A-B:C.D.E.F) -> (value, unit)."""
    c, d = (int(x) for x in obis.split(":")[1].split(".")[:2])
    if d == 7:
        if c in (1, 2, 21, 41, 61, 22, 42, 62):
            return float(raw), "W"
        if c in (3, 4, 23, 43, 63, 24, 44, 64):
            return float(raw), "var"
        if c in (31, 51, 71):
            return round(raw * (0.001 if ct else res.current_a), 6), "A"
        if c in (32, 52, 72):
            return round(raw * res.voltage_v, 6), "V"
        if c in (13, 33, 53, 73):
            return round(raw * 0.01, 6), ""
    if d == 8:
        if c in (1, 2, 21, 41, 61, 22, 42, 62):
            return round(raw * res.energy_wh / 1000.0, 6), "kWh"
        if c in (3, 4):
            return round(raw * res.energy_wh / 1000.0, 6), "kvarh"
    return raw, ""


LISTS = {25: "list1", 35: "list2", 15: "list2", 65: "push1", 37: "push1"}

# The objects of Kamstrup's lists (PROTOCOLS.md §3.1, §3.2, §4.1), as C.D.E: identity, clock,
# powers, currents, voltages, power factors and energy registers. A list is recognised by
# how many of these it carries; an object outside them is reported (raw) and listed in
# `unknown_obis`, and does not make the list unrecognisable.
KNOWN_OBJECTS = {(0, 0, 1), (0, 0, 5), (96, 1, 1), (96, 1, 0), (96, 1, 7), (1, 0, 0), *(
    (c, d, 0) for d in (7, 8) for c in (1, 2, 3, 4, 21, 22, 41, 42, 61, 62)), *(
    (c, 7, 0) for c in (13, 23, 24, 31, 32, 33, 43, 44, 51, 52, 53, 63, 64, 71, 72, 73))}


def notification(apdu: bytes, res: Resolution) -> dict:
    """A data-notification APDU (0x0F) with Kamstrup's flat body -> the record fields."""
    cur = Cursor(apdu)
    if cur.byte() != 0x0F:
        raise Reject("unexpected_apdu", f"tag {apdu[0]:02X}, expected 0F (data-notification)")
    cur.take(4)  # long-invoke-id-and-priority
    first = cur.byte()
    header_time = None
    if first == 0x0C:
        header_time = date_time(cur.take(12))
    elif first == 0x09:
        if cur.byte() != 0x0C:
            raise Reject("malformed_apdu", "legacy date-time without length 0C")
        header_time = date_time(cur.take(12))
    elif first != 0x00:
        raise Reject("malformed_apdu", f"date-time field starts with {first:02X}")
    body = read_data(cur)
    if cur.pos != len(apdu):
        raise Reject("malformed_apdu", f"{len(apdu) - cur.pos} bytes after the body")
    if not isinstance(body, list) or not body:
        raise Reject("malformed_apdu", "body is not a structure")
    versioned = isinstance(body[0], str)  # Kamstrup: the list version leads, with no OBIS
    pairs = body[1:] if versioned else body
    if len(pairs) % 2:
        raise Reject("malformed_apdu", "odd number of OBIS/value elements")
    unknown = [obis_text(o) for o in pairs[::2]
               if isinstance(o, bytes) and len(o) == 6 and tuple(o[2:5]) not in KNOWN_OBJECTS]
    size = len(body) - 2 * len(unknown)
    record: dict = {"list": LISTS.get(size, f"structure_{len(body)}") if versioned else "other",
                    "list_version": body[0] if versioned else None, "values": {}, "units": {}}
    if unknown:
        record["unknown_obis"] = unknown
    if header_time:
        record["clock"], record["dst"] = header_time
    meter_type = next((v for o, v in zip(pairs[::2], pairs[1::2])
                       if isinstance(o, bytes) and o[2:5] == bytes([96, 1, 1])), "")
    ct = isinstance(meter_type, str) and meter_type.startswith("685")
    for code, value in zip(pairs[::2], pairs[1::2]):
        if code is None and value is None:
            continue  # a single-phase meter's placeholder for a missing phase
        if not isinstance(code, bytes) or len(code) != 6:
            raise Reject("malformed_apdu", "expected an OBIS octet-string")
        obis = obis_text(code)
        if isinstance(value, bytes):
            clock, dst = date_time(value)
            record["values"][obis] = clock
            record["units"][obis] = "clock"
            record["dst"] = dst
        elif isinstance(value, int):
            record["values"][obis], record["units"][obis] = scale(obis, value, res, ct)
        else:
            record["values"][obis] = value
            record["units"][obis] = ""
    return record


# --------------------------------------------------------------------------------- suite 0

SECURITY = {0x30: "encrypt+authenticate", 0x20: "encrypt", 0x10: "authenticate"}


def unprotect(apdu: bytes, keys: Optional[Keys], last_counter: dict, fixed_ak: Optional[bytes] = None) -> tuple:
    """general-glo-ciphering (0xDB) -> (plaintext, info). Rejects on a bad tag, a replayed
    invocation counter or a malformed envelope."""
    cur = Cursor(apdu)
    cur.byte()
    title = cur.take(cur.length())
    if len(title) != 8:
        raise Reject("malformed_cipher", f"system title of {len(title)} bytes, expected 8")
    size = cur.length()
    if size != len(apdu) - cur.pos:
        raise Reject("malformed_cipher", f"ciphered content says {size} bytes, {len(apdu) - cur.pos} follow")
    sc = cur.byte()
    if sc & 0x0F or sc not in SECURITY:
        raise Reject("unsupported_security", f"security control {sc:02X}")
    counter = int.from_bytes(cur.take(4), "big")
    rest = apdu[cur.pos:]
    if keys is None or keys.encryption is None:
        raise Reject("no_key", "ciphered frame and no key file")
    ak = fixed_ak if fixed_ak is not None else keys.authentication
    if sc & 0x10 and ak is None:
        raise Reject("no_key", "authenticated frame and no authentication_key")
    iv = title + counter.to_bytes(4, "big")
    if sc == 0x20:
        counter_block = iv + (2).to_bytes(4, "big")
        plain = Cipher(algorithms.AES(keys.encryption), modes.CTR(counter_block)).decryptor().update(rest)
    else:
        if len(rest) < 12:
            raise Reject("malformed_cipher", "no room for the 12-byte tag")
        body, tag = rest[:-12], rest[-12:]
        try:
            if sc == 0x30:
                dec = Cipher(algorithms.AES(keys.encryption), modes.GCM(iv, tag, min_tag_length=12)).decryptor()
                dec.authenticate_additional_data(bytes([sc]) + ak)
                plain = dec.update(body) + dec.finalize()
            else:  # 0x10: the APDU is in clear and authenticated
                dec = Cipher(algorithms.AES(keys.encryption), modes.GCM(iv, tag, min_tag_length=12)).decryptor()
                dec.authenticate_additional_data(bytes([sc]) + ak + body)
                dec.finalize()
                plain = body
        except InvalidTag:
            raise Reject("authentication_failed", f"GCM tag mismatch (system title {title.hex().upper()}, "
                                                  f"invocation counter {counter})") from None
    previous = last_counter.get(title)
    if previous is not None and counter <= previous:
        raise Reject("replayed_counter", f"invocation counter {counter} after {previous}")
    last_counter[title] = counter
    return plain, {"security": SECURITY[sc], "system_title": title.hex().upper(), "invocation_counter": counter}


# --------------------------------------------------------------------------------- HAN (HDLC)

class HanReader:
    """Feeds bytes in, yields records. HDLC framing by length (PROTOCOLS.md §1.4): hunt for
    7E, read the format, wait for L+2 bytes, check the closing flag, HCS and FCS; on failure
    resynchronise at the next 7E after the bad opening flag.

    What a reader reports besides frames:
      * bytes that belong to no frame (line noise, a splitter's debug text) are one
        `garbage` rejection per stretch, reported when the next frame starts or the line goes
        idle; fill flags (7E 7E ...) are no noise;
      * a frame cut short (no closing flag where its length says, or the line idle before it
        ended) is one rejection; the bytes that follow up to the next good frame are its tail
        (the rest of a frame a pause split, or of the frame the cut one collided with), not
        new noise;
      * a frame that ends where its length says but fails HCS or FCS is one rejection and is
        consumed whole, unless a good frame starts inside it (a cut frame whose declared end
        happens to fall on a flag of the next frame: the good frame is not thrown away)."""

    def __init__(self, keys: Optional[Keys] = None, res: Optional[Resolution] = None) -> None:
        self.keys = keys
        self.res = res or Resolution()
        self.buffer = bytearray()
        self.segments = bytearray()
        self.last_counter: dict = {}
        self.count = 0
        self.noise = 0            # bytes of no frame since the last record
        self.resyncing = False    # after a frame cut short: its tail, up to the next good frame
        self._out: list = []

    def feed(self, data: bytes) -> Iterator[dict]:
        self.buffer += data
        while self._step(final=False):
            pass
        yield from self._drain()

    def flush(self) -> Iterator[dict]:
        """The line went idle: a frame still waiting for bytes is incomplete (rejected; what
        arrives after the pause is its tail), noise waiting for a frame is reported."""
        while self._step(final=True):
            pass
        self._report_noise()
        self.buffer.clear()
        self.segments.clear()
        yield from self._drain()

    def _drain(self) -> Iterator[dict]:
        out, self._out = self._out, []
        yield from out

    def _report_noise(self) -> None:
        if self.noise:
            self.count += 1
            self._out.append({"status": "rejected", "n": self.count, "format": "hdlc", "reason": "garbage",
                              "detail": f"{self.noise} bytes that belong to no frame"})
            self.noise = 0

    def _emit(self, record: dict) -> None:
        self._report_noise()
        self.count += 1
        self._out.append({"n": self.count, "format": "hdlc", **record})

    def _reject(self, reason: str, detail: str) -> None:
        self._emit({"status": "rejected", "reason": reason, "detail": detail})

    def _skip(self, n: int) -> None:
        """Drops `n` bytes that start no frame: noise, unless they are a cut frame's tail."""
        if not self.resyncing:
            self.noise += sum(1 for b in self.buffer[:n] if b != 0x7E)
        del self.buffer[:n]

    def _step(self, final: bool) -> bool:
        """Takes one decision on the buffer; False when it needs more bytes (or is empty)."""
        buf = self.buffer
        if not buf:
            return False
        if buf[0] != 0x7E:
            end = buf.find(0x7E)
            self._skip(len(buf) if end < 0 else end)
            return True
        if len(buf) < 3:
            if len(buf) == 2 and buf[1] == 0x7E:
                del buf[0]
                return True
            if final:
                self._skip(1)
                return True
            return False
        if buf[1] == 0x7E:  # a closing flag followed by the next opening flag, or fill flags
            del buf[0]
            return True
        if buf[1] >> 4 != 0xA:
            self._skip(1)  # a flag that starts no type-3 frame
            return True
        length = ((buf[1] & 0x07) << 8) | buf[2]
        if length < 7:
            self._skip(1)
            return True
        header = header_check(buf)  # True, False, or None while the header is still arriving
        if len(buf) < length + 2:
            if not final:
                return False
            if header:  # a real frame, and the line went idle before its end
                self._reject("incomplete_frame", f"{len(buf)} of {length + 2} bytes, then the line went idle")
                self.resyncing = True
                del buf[0]
            else:
                self._skip(1)
            return True
        frame = bytes(buf[:length + 2])
        closed = frame[-1] == 0x7E
        if not header and not closed:
            self._skip(1)  # an unverified header that delimits nothing: noise
            return True
        fcs_ok = crc_x25(frame[1:-3]) == int.from_bytes(frame[-3:-1], "little")
        if header and closed and fcs_ok:
            del buf[:length + 1]  # a sound frame is consumed; its closing flag may open the next one
            self.resyncing = False
            try:
                self._information(frame, frame_info(frame))
            except Reject as error:
                self.segments.clear()
                self._reject(error.reason, error.detail)
            return True
        inside = good_frame_inside(buf, length, final)
        if inside is None:
            return False  # a frame inside may be good: wait for its end
        if not header and (inside or not closed):
            self._skip(1)
            return True
        if closed and not inside:
            reason = "hcs_mismatch" if not header else "fcs_mismatch"
            self._reject(reason, "header check fails" if not header else f"frame check over {length - 2} bytes fails")
            del buf[:length + 1]  # the damaged frame ends where it says
            self.resyncing = False
            return True
        self._reject("no_closing_flag" if not closed else "truncated_frame",
                     f"byte {length + 1} is {frame[-1]:02X}, not 7E" if not closed
                     else f"a good frame starts inside the {length + 2} bytes the length field claims")
        self.resyncing = True
        del buf[0]  # resynchronise at the next 7E after the bad opening flag
        return True

    def _information(self, frame: bytes, info: bytes) -> None:
        segmented = bool(frame[1] & 0x08)
        first = not self.segments
        if first:
            if info[:3] != b"\xe6\xe7\x00":
                raise Reject("malformed_frame", f"LLC header {info[:3].hex().upper()}, expected E6E700")
            info = info[3:]
        self.segments += info
        if segmented:
            return  # wait for the last segment
        apdu = bytes(self.segments)
        self.segments.clear()
        self._emit(self._apdu(apdu))

    def _apdu(self, apdu: bytes) -> dict:
        info: dict = {"security": "none"}
        if apdu[:1] == b"\xdb":
            apdu, info = unprotect(apdu, self.keys, self.last_counter)
        record = notification(apdu, self.res)
        return {"status": "ok", **info, **record}


def header_length(buf) -> Optional[int]:
    """Bytes from the opening flag through the control byte (addresses walked by their LSB,
    PROTOCOLS.md §1.2); None when they have not all arrived, 0 when an address is too long."""
    pos = 3
    for _ in range(2):  # destination, then source address: LSB 1 ends an address
        for size in range(1, 5):
            if pos >= len(buf):
                return None
            pos += 1
            if buf[pos - 1] & 1:
                break
        else:
            return 0
    return pos + 1  # control


def header_check(buf) -> Optional[bool]:
    """Whether the HCS of the frame candidate at buf[0] checks out (None: not all in yet)."""
    end = header_length(buf)
    if end is None or (end and len(buf) < end + 2):
        return None
    length = ((buf[1] & 0x07) << 8) | buf[2]
    if not end or end + 2 > length + 1:
        return False
    return crc_x25(bytes(buf[1:end])) == int.from_bytes(buf[end:end + 2], "little")


def frame_check(buf) -> Optional[bool]:
    """Whether buf[0:] holds a whole good frame (flags, HCS, FCS); None while it may."""
    if len(buf) < 3 or buf[1] >> 4 != 0xA:
        return False
    length = ((buf[1] & 0x07) << 8) | buf[2]
    if length < 7:
        return False
    header = header_check(buf)
    if header is None:
        return None
    if not header:
        return False
    if len(buf) < length + 2:
        return None
    return buf[length + 1] == 0x7E and crc_x25(bytes(buf[1:length - 1])) == int.from_bytes(buf[length - 1:length + 1],
                                                                                           "little")


def good_frame_inside(buf, length: int, final: bool) -> Optional[bool]:
    """Whether a good frame starts at a 7E inside the candidate of `length` at buf[0]; None
    while one still may (its bytes not all in, and the line not idle)."""
    waiting = False
    for i in range(1, length + 1):
        if buf[i] != 0x7E:
            continue
        good = frame_check(buf[i:])
        if good:
            return True
        waiting = waiting or good is None
    return None if waiting and not final else False


def frame_info(frame: bytes) -> bytes:
    """The information field of a checked frame."""
    return frame[header_length(frame) + 2:-3]


# --------------------------------------------------------------------------------- P1

P1_UNITS = {"kW": (1000.0, "W"), "kVAr": (1000.0, "var"), "kvar": (1000.0, "var"), "kWh": (1.0, "kWh"),
            "kVArh": (1.0, "kvarh"), "kvarh": (1.0, "kvarh"), "V": (1.0, "V"), "A": (1.0, "A"),
            "W": (1.0, "W"), "Wh": (0.001, "kWh")}


def p1_telegram(text: bytes) -> dict:
    """One complete telegram `/...!CRC` (CR LF after the CRC optional) -> record fields."""
    bang = text.rfind(b"!")
    sent = text[bang + 1:bang + 5]
    try:
        expected = int(sent, 16)
    except ValueError:
        raise Reject("malformed_telegram", f"CRC field {sent!r} is not 4 hex digits") from None
    if len(sent) != 4 or crc_arc(text[:bang + 1]) != expected:
        raise Reject("crc_mismatch", f"computed {crc_arc(text[:bang + 1]):04X}, telegram says {sent.decode(errors='replace')}")
    try:
        lines = text[:bang].decode("ascii").split("\r\n")
    except UnicodeDecodeError:
        raise Reject("malformed_telegram", "not ASCII") from None
    record: dict = {"ident": lines[0][1:], "values": {}, "units": {}}
    for line in lines[1:]:
        if not line:
            continue
        code, paren, rest = line.partition("(")
        if not paren or not rest.endswith(")"):
            raise Reject("malformed_telegram", f"line {line!r}")
        value = rest[:-1].split(")(")[-1]
        if code == "0-0:1.0.0":
            stamp, flag = value[:-1], value[-1:]
            if len(stamp) != 12 or not stamp.isdigit() or flag not in ("W", "S"):
                raise Reject("malformed_telegram", f"timestamp {value!r}")
            record["clock"] = (f"20{stamp[0:2]}-{stamp[2:4]}-{stamp[4:6]}T"
                               f"{stamp[6:8]}:{stamp[8:10]}:{stamp[10:12]}")
            record["dst"] = flag == "S"
            record["values"][code] = record["clock"]
            record["units"][code] = "clock"
            continue
        number, star, unit = value.partition("*")
        try:
            amount = float(number)
        except ValueError:
            record["values"][code] = value
            record["units"][code] = ""
            continue
        factor, name = P1_UNITS.get(unit, (1.0, unit))
        record["values"][code] = round(amount * factor, 6)
        record["units"][code] = name
    return record


class P1Reader:
    """Telegrams between `/` and `!CRC`; anything before `/` is discarded. The raw 0xDB
    wrapper (ciphered P1, PROTOCOLS.md §6.7) is decrypted with the key file's EK and the
    fixed public AK unless `key_file_ak`."""

    def __init__(self, keys: Optional[Keys] = None, key_file_ak: bool = False) -> None:
        self.keys = keys
        self.fixed_ak = None if key_file_ak else LUXEMBOURG_AK
        self.buffer = bytearray()
        self.last_counter: dict = {}
        self.count = 0

    def _reject(self, reason: str, detail: str) -> dict:
        self.count += 1
        return {"status": "rejected", "n": self.count, "format": "p1", "reason": reason, "detail": detail}

    def _ok(self, record: dict, info: dict) -> dict:
        self.count += 1
        return {"status": "ok", "n": self.count, "format": "p1", "list": "p1", **info, **record}

    def feed(self, data: bytes) -> Iterator[dict]:
        self.buffer += data
        while True:
            out = self._step()
            if out is None:
                return
            if out:
                yield out

    def flush(self) -> Iterator[dict]:
        """The line went idle: a telegram still waiting for its end is incomplete."""
        while self._start() >= 0:
            start = self._start()
            yield self._reject("incomplete_frame", f"{len(self.buffer) - start} bytes and the line went idle")
            del self.buffer[:start + 1]
            yield from self.feed(b"")
        self.buffer.clear()

    def _start(self) -> int:
        """Where the next telegram starts: a '/', or a 0xDB wrapper (DB 08, an 8-byte system
        title, a length, a known security control byte) that is not line noise."""
        slash = self.buffer.find(b"/")
        at = self.buffer.find(b"\xdb\x08")
        while 0 <= at and (slash < 0 or at < slash):
            if self._wrapper_at(at) is not False:
                return at
            at = self.buffer.find(b"\xdb\x08", at + 1)
        return slash

    def _wrapper_at(self, at: int) -> Optional[bool]:
        head = self.buffer[at + 10:at + 14]
        if not head:
            return None
        form = head[0]
        sc_at = 1 if form < 0x80 else 2 if form == 0x81 else 3 if form == 0x82 else -1
        if sc_at < 0:
            return False
        if len(head) <= sc_at:
            return None
        return head[sc_at] in SECURITY

    def _step(self):
        buf = self.buffer
        start = self._start()
        if start < 0:
            del buf[:max(0, len(buf) - 1)]  # keep a last DB that may start a wrapper
            return None
        del buf[:start]
        if buf[0] == 0xDB:
            return self._ciphered()
        end = buf.find(b"!")
        again = buf.find(b"/", 1)
        if 0 <= again < (end if end >= 0 else len(buf)):
            del buf[:again]
            return self._reject("truncated_telegram", "a new telegram began before '!'")
        if end < 0:
            if len(buf) > MAX_P1_TELEGRAM:
                del buf[0]
                return self._reject("telegram_too_long", f"no '!' within {MAX_P1_TELEGRAM} bytes")
            return None
        # After '!': the CRC, 4 hex digits, then CR LF, which ends every line (PROTOCOLS.md
        # §6.1). Anything else there is a telegram cut short (the data request dropped) and
        # is not eaten: it may be the '/' of the next telegram.
        after = end + 1
        while after < end + 5 and after < len(buf) and buf[after] in HEX_DIGITS:
            after += 1
        if len(buf) < after + 2:
            if after >= len(buf) or buf[after] == 0x0D:
                return None  # the rest is still coming
        if buf[after:after + 2] != b"\r\n":
            detail = f"{bytes(buf[after:after + 1])!r} after '{bytes(buf[end:after]).decode()}'"
            del buf[:after]
            return self._reject("truncated_telegram", detail)
        telegram = bytes(buf[:after + 2])
        del buf[:after + 2]
        if after - end - 1 < 4:
            return self._reject("missing_crc" if after == end + 1 else "malformed_telegram",
                                f"'{telegram[end:after].decode()}' then CR LF: the CRC needs 4 hex digits")
        try:
            return self._ok(p1_telegram(telegram), {"security": "none"})
        except Reject as error:
            return self._reject(error.reason, error.detail)

    def _ciphered(self):
        buf = self.buffer
        if len(buf) < 13:
            return None
        cur = Cursor(bytes(buf))
        try:
            cur.take(10)
            size = cur.length()
        except Reject:
            return None
        total = cur.pos + size
        if size > MAX_P1_TELEGRAM:
            del buf[0]
            return self._reject("malformed_cipher", f"ciphered content of {size} bytes")
        if len(buf) < total:
            return None
        frame = bytes(buf[:total])
        del buf[:total]
        try:
            plain, info = unprotect(frame, self.keys, self.last_counter, self.fixed_ak)
            if not plain.startswith(b"/"):
                raise Reject("malformed_telegram", "decrypted content is not a telegram")
            return self._ok(p1_telegram(plain), info)
        except Reject as error:
            return self._reject(error.reason, error.detail)


# --------------------------------------------------------------------------------- the port

def open_port(path: str, baud: int):
    """A PTY or a real serial port, raw, non-blocking. A PTY ignores the line settings."""
    fd = os.open(path, os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
    try:
        attrs = termios.tcgetattr(fd)
        attrs[0] = 0                                             # iflag: no CR/LF mangling, no flow control
        attrs[1] = 0                                             # oflag
        attrs[2] = termios.CS8 | termios.CREAD | termios.CLOCAL  # cflag: 8N1
        attrs[3] = 0                                             # lflag: raw
        speed = getattr(termios, f"B{baud}", None)
        if speed is not None:
            attrs[4] = attrs[5] = speed
        attrs[6][termios.VMIN] = 0
        attrs[6][termios.VTIME] = 0
        termios.tcsetattr(fd, termios.TCSANOW, attrs)
    except termios.error:
        pass  # not a terminal (a FIFO or a file): read it as it is
    return fd


def run(reader, fd: int, out, *, frames: int = 0, duration: float = 0.0, idle_timeout: float = 0.5) -> int:
    """Reads until `frames` records, `duration` seconds, or end of input; returns records written."""
    written = 0
    deadline = time.monotonic() + duration if duration else None
    pending = False
    while True:
        wait = idle_timeout if pending else 0.2
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                return written
            wait = min(wait, left)
        ready, _, _ = select.select([fd], [], [], wait)
        if not ready:
            if pending:
                for record in reader.flush():
                    out.write(json.dumps(record) + "\n")
                    written += 1
                out.flush()
                pending = False
            continue
        try:
            data = os.read(fd, 4096)
        except BlockingIOError:
            continue
        except OSError:  # EIO: the PTY's writer closed
            data = b""
        if not data:
            for record in reader.flush():
                out.write(json.dumps(record) + "\n")
                written += 1
            out.flush()
            return written
        for record in reader.feed(data):
            out.write(json.dumps(record) + "\n")
            written += 1
            if frames and written >= frames:
                out.flush()
                return written
        out.flush()
        pending = bool(reader.buffer) or bool(getattr(reader, "noise", 0))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="han_reader", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", required=True, help="serial device, PTY or file to read")
    parser.add_argument("--baud", type=int, default=None, help="line speed (HAN 2400, P1 115200)")
    parser.add_argument("--protocol", choices=("han", "p1"), default="han")
    parser.add_argument("--key-file", help="encryption_key=... / authentication_key=... for ciphered frames")
    parser.add_argument("--p1-authentication-key", choices=("luxembourg", "key_file"), default="luxembourg")
    parser.add_argument("--energy-resolution", type=float, default=10.0, help="Wh per unit on the wire")
    parser.add_argument("--current-resolution", type=float, default=0.01, help="A per unit (CT meters: 0.001)")
    parser.add_argument("--voltage-resolution", type=float, default=1.0, help="V per unit")
    parser.add_argument("--frames", type=int, default=0, help="stop after this many records")
    parser.add_argument("--duration", type=float, default=0.0, help="stop after this many seconds")
    parser.add_argument("--idle-timeout", type=float, default=0.5,
                        help="a partial frame followed by this much silence is rejected")
    args = parser.parse_args(argv)
    keys = None
    if args.key_file:
        try:
            keys = load_key_file(args.key_file)
        except (OSError, ValueError) as error:
            print(f"han_reader: {error}", file=sys.stderr)
            return 2
    if args.protocol == "han":
        reader = HanReader(keys, Resolution(args.energy_resolution, args.current_resolution, args.voltage_resolution))
    else:
        reader = P1Reader(keys, key_file_ak=args.p1_authentication_key == "key_file")
    try:
        fd = open_port(args.port, args.baud or (2400 if args.protocol == "han" else 115200))
    except OSError as error:
        print(f"han_reader: cannot open {args.port}: {error.strerror}", file=sys.stderr)
        return 1
    try:
        run(reader, fd, sys.stdout, frames=args.frames, duration=args.duration, idle_timeout=args.idle_timeout)
    except KeyboardInterrupt:
        pass
    finally:
        os.close(fd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
