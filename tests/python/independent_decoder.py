"""A small, independent decoder for what hansim emits, written from PROTOCOLS.md in plain
Python and sharing no code with the C++ core. Tests use it to check hansim's output with a
second implementation: HDLC type 3 (CRC-16/X.25), A-XDR data, the 0x0F data-notification,
general-glo-ciphering (with python3-cryptography) and P1 telegrams (CRC-16/ARC).
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field


def crc16_x25(data: bytes) -> int:
    crc = 0xFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc ^ 0xFFFF


def crc16_arc(data: bytes) -> int:
    crc = 0
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


@dataclass
class HdlcFrame:
    destination: bytes
    source: bytes
    control: int
    segmented: bool
    information: bytes


def _address(buf: bytes, pos: int) -> tuple[bytes, int]:
    start = pos
    while not buf[pos] & 1:
        pos += 1
    return buf[start:pos + 1], pos + 1


def decode_hdlc(frame: bytes) -> HdlcFrame:
    """One complete frame, flags included. Raises ValueError on any inconsistency."""
    if frame[0] != 0x7E or frame[-1] != 0x7E:
        raise ValueError("missing flag")
    fmt = (frame[1] << 8) | frame[2]
    if fmt >> 12 != 0xA:
        raise ValueError("not frame format type 3")
    length = fmt & 0x7FF
    if length + 2 != len(frame):
        raise ValueError(f"length field {length} but frame has {len(frame) - 2} bytes between flags")
    dest, pos = _address(frame, 3)
    src, pos = _address(frame, pos)
    control = frame[pos]
    pos += 1
    hcs = frame[pos] | (frame[pos + 1] << 8)
    if crc16_x25(frame[1:pos]) != hcs:
        raise ValueError("HCS mismatch")
    pos += 2
    fcs = frame[-3] | (frame[-2] << 8)
    if crc16_x25(frame[1:-3]) != fcs:
        raise ValueError("FCS mismatch")
    return HdlcFrame(dest, src, control, bool(fmt & 0x0800), frame[pos:-3])


def split_hdlc_stream(stream: bytes) -> list[bytes]:
    """Frames by length field (no byte stuffing)."""
    frames, pos = [], 0
    while pos < len(stream):
        if stream[pos] != 0x7E or pos + 3 > len(stream):
            pos += 1
            continue
        length = ((stream[pos + 1] << 8) | stream[pos + 2]) & 0x7FF
        end = pos + length + 2
        if end <= len(stream) and stream[end - 1] == 0x7E:
            frames.append(stream[pos:end])
            pos = end
        else:
            pos += 1
    return frames


def _length(buf: bytes, pos: int) -> tuple[int, int]:
    first = buf[pos]
    if first < 0x80:
        return first, pos + 1
    n = first & 0x7F
    return int.from_bytes(buf[pos + 1:pos + 1 + n], "big"), pos + 1 + n


_FIXED = {3: (1, "?"), 5: (4, ">i"), 6: (4, ">I"), 15: (1, ">b"), 16: (2, ">h"), 17: (1, ">B"),
          18: (2, ">H"), 20: (8, ">q"), 21: (8, ">Q"), 22: (1, ">B"), 23: (4, ">f"), 24: (8, ">d")}


def decode_axdr(buf: bytes, pos: int = 0):
    """Returns (value, next position). Structures/arrays are lists; octet strings bytes;
    visible strings str; null None; date-time/date/time raw bytes."""
    tag = buf[pos]
    pos += 1
    if tag == 0:
        return None, pos
    if tag in (1, 2):
        count, pos = _length(buf, pos)
        items = []
        for _ in range(count):
            item, pos = decode_axdr(buf, pos)
            items.append(item)
        return items, pos
    if tag in (9, 10, 12):
        n, pos = _length(buf, pos)
        raw = buf[pos:pos + n]
        if len(raw) != n:
            raise ValueError("truncated string")
        return (raw.decode("ascii") if tag == 10 else raw), pos + n
    if tag in _FIXED:
        size, fmt = _FIXED[tag]
        if fmt == "?":
            return bool(buf[pos]), pos + 1
        return struct.unpack(fmt, buf[pos:pos + size])[0], pos + size
    if tag in (25, 26, 27):
        size = {25: 12, 26: 5, 27: 4}[tag]
        return buf[pos:pos + size], pos + size
    raise ValueError(f"unsupported A-XDR tag {tag:#x}")


@dataclass
class Notification:
    invoke_id: int
    date_time: bytes | None
    body: object
    values: dict = field(default_factory=dict)  # "A-B:C.D.E.F" -> value


def obis_text(raw: bytes) -> str:
    a, b, c, d, e, f = raw
    return f"{a}-{b}:{c}.{d}.{e}.{f}"


def decode_notification(apdu: bytes) -> Notification:
    if apdu[0] != 0x0F:
        raise ValueError(f"not a data-notification (tag {apdu[0]:#x})")
    invoke_id = int.from_bytes(apdu[1:5], "big")
    pos = 5
    if apdu[pos] == 0x09 and apdu[pos + 1] == 0x0C:   # legacy Kamstrup form
        date_time, pos = apdu[pos + 2:pos + 14], pos + 14
    elif apdu[pos] == 0x0C:
        date_time, pos = apdu[pos + 1:pos + 13], pos + 13
    elif apdu[pos] == 0x00:
        date_time, pos = None, pos + 1
    else:
        raise ValueError("bad date-time field")
    body, end = decode_axdr(apdu, pos)
    if end != len(apdu):
        raise ValueError(f"{len(apdu) - end} trailing bytes after the body")
    note = Notification(invoke_id, date_time, body)
    if isinstance(body, list):
        items = body[1:]  # element 0: list version, no OBIS
        for i in range(0, len(items) - 1, 2):
            if isinstance(items[i], bytes) and len(items[i]) == 6:
                note.values[obis_text(items[i])] = items[i + 1]
    return note


def glo_decrypt(apdu: bytes, ek: bytes, ak: bytes) -> bytes:
    """general-glo-ciphering (0xDB) -> plaintext APDU, checking the tag (python3-cryptography)."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    if apdu[0] != 0xDB:
        raise ValueError("not general-glo-ciphering")
    title_len = apdu[1]
    title = apdu[2:2 + title_len]
    length, pos = _length(apdu, 2 + title_len)
    content = apdu[pos:pos + length]
    if len(content) != length or pos + length != len(apdu):
        raise ValueError(f"ciphered length {length} but {len(apdu) - pos} bytes follow")
    sc, ic = content[0], content[1:5]
    iv = title + ic
    body = content[5:]
    if sc == 0x30:
        ct, tag = body[:-12], body[-12:]
        dec = Cipher(algorithms.AES(ek), modes.GCM(iv, tag, min_tag_length=12)).decryptor()
        dec.authenticate_additional_data(bytes([sc]) + ak)
        return dec.update(ct) + dec.finalize()
    if sc == 0x20:
        dec = Cipher(algorithms.AES(ek), modes.CTR(iv + b"\x00\x00\x00\x02")).decryptor()
        return dec.update(body) + dec.finalize()
    if sc == 0x10:
        pt, tag = body[:-12], body[-12:]
        enc = Cipher(algorithms.AES(ek), modes.GCM(iv)).encryptor()
        enc.authenticate_additional_data(bytes([sc]) + ak + pt)
        enc.finalize()
        if enc.tag[:12] != tag:
            raise ValueError("authentication failed")
        return pt
    raise ValueError(f"unsupported security control {sc:#x}")


def decode_p1(telegram: bytes) -> tuple[str, dict]:
    """(ident, {"1-0:1.8.0": "00123456.789*kWh", ...}); checks the CRC."""
    start = telegram.index(b"/")
    bang = telegram.index(b"!", start)
    crc_text = telegram[bang + 1:bang + 5].decode("ascii")
    if int(crc_text, 16) != crc16_arc(telegram[start:bang + 1]):
        raise ValueError("P1 CRC mismatch")
    lines = telegram[start:bang].decode("ascii").split("\r\n")
    ident = lines[0][1:]
    values = {}
    for line in lines[1:]:
        if "(" in line:
            key, rest = line.split("(", 1)
            values[key] = rest[:-1]
    return ident, values


def as_hansim_values(values: dict) -> dict:
    """This decoder's values in hansim's JSON conventions: clock octet-strings as ISO 8601
    (no offset, as Kamstrup sends no deviation), other octet strings as upper-case hex,
    null placeholders left out."""
    out = {}
    for key, value in values.items():
        if isinstance(value, bytes):
            if key.startswith("0-") and ":1.0.0." in key and len(value) == 12:
                year = int.from_bytes(value[0:2], "big")
                out[key] = f"{year:04d}-{value[2]:02d}-{value[3]:02d}T{value[5]:02d}:{value[6]:02d}:{value[7]:02d}"
            else:
                out[key] = value.hex().upper()
        elif value is not None:
            out[key] = value
    return out


def read_hdlc_piece(piece: bytes) -> bytes:
    """What a strict reader makes of a piece of the line that should hold one frame, or one
    message sent as HDLC segments: the LLC PDU (segments joined). Fill flags between frames
    are allowed; anything else (a bad check, a short or long frame, stray bytes) raises
    ValueError."""
    pos, frames = 0, []
    while pos < len(piece):
        if piece[pos] == 0x7E and (pos + 1 == len(piece) or piece[pos + 1] == 0x7E):
            pos += 1  # fill flag (or a closing flag shared with the next frame)
            continue
        if piece[pos] != 0x7E or pos + 3 > len(piece):
            raise ValueError(f"no frame at offset {pos}")
        length = ((piece[pos + 1] << 8) | piece[pos + 2]) & 0x7FF
        end = pos + length + 2
        if end > len(piece):
            raise ValueError(f"frame at offset {pos} declares {length} bytes, only {len(piece) - pos - 2} follow")
        frames.append(decode_hdlc(piece[pos:end]))
        pos = end - 1 if end < len(piece) and piece[end] != 0x7E else end
    if not frames:
        raise ValueError("no frame")
    for frame in frames[:-1]:
        if not frame.segmented:
            raise ValueError("several frames where one message was expected")
    if frames[-1].segmented:
        raise ValueError("the last segment has the segmentation bit set")
    return b"".join(f.information for f in frames)


_P1_OBIS = __import__("re").compile(r"^\d{1,3}-\d{1,3}:\d{1,3}\.\d{1,3}\.\d{1,3}$")


def read_p1_piece(piece: bytes) -> tuple[str, dict]:
    """A strict P1 reader: '/' first, '!' then four hex digits and CR LF last, the CRC right
    (ValueError otherwise). Returns (ident, {OBIS: raw value text}); lines whose OBIS token is
    malformed (e.g. 1-0:4:24.7.0) are dropped, as a careful reader must."""
    if not piece.startswith(b"/"):
        raise ValueError("no '/' at the start")
    bang = piece.find(b"!")
    if bang < 0 or len(piece) != bang + 7 or piece[-2:] != b"\r\n":
        raise ValueError("no '!' + CRC + CR LF at the end")
    crc_text = piece[bang + 1:bang + 5].decode("ascii", "replace")
    if any(c not in "0123456789ABCDEF" for c in crc_text):
        raise ValueError("CRC is not four hex digits")
    if int(crc_text, 16) != crc16_arc(piece[:bang + 1]):
        raise ValueError("P1 CRC mismatch")
    ident, values = decode_p1(piece)
    return ident, {k: v for k, v in values.items() if _P1_OBIS.match(k)}


def p1_as_hansim_values(values: dict) -> dict:
    """P1 raw value texts in hansim's JSON form (numbers with units; timestamps; text)."""
    out = {}
    for key, text in values.items():
        if ")(" in text:
            continue  # multi-group lines: not compared here
        if "*" in text:
            number, unit = text.split("*")
            out[key] = {"value": float(number), "unit": unit}
        elif len(text) == 13 and text[-1] in "SW" and text[:12].isdigit():
            t = text
            out[key] = {"time": f"20{t[0:2]}-{t[2:4]}-{t[4:6]}T{t[6:8]}:{t[8:10]}:{t[10:12]}", "dst": t[-1] == "S"}
        else:
            out[key] = text
    return out
