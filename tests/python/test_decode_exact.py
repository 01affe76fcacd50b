"""`hansim decode` reports exactly one record per frame, broken or not (issue 9), decodes bare
APDUs and LLC PDUs, and opens ciphered P1 with the fixed public authentication key."""
import json
import subprocess

import hansim
from independent_decoder import as_hansim_values, crc16_x25, decode_hdlc, decode_notification


def run_decode(hansim_bin, *args, stdin=None):
    proc = subprocess.run([str(hansim_bin), "decode", *map(str, args)], input=stdin,
                          capture_output=True, timeout=30)
    records = [json.loads(line) for line in proc.stdout.decode().splitlines() if line.strip()]
    return proc, records


def generated_frames(hansim_bin, *args):
    proc = subprocess.run([str(hansim_bin), "generate", "--format", "hex", *map(str, args)],
                          capture_output=True, timeout=60, check=True)
    return [bytes.fromhex(line) for line in proc.stdout.decode().split()]


def test_mixed_broken_stream_gives_one_record_per_frame(hansim_bin):
    frames = generated_frames(hansim_bin, "--meter", "kamstrup-no-3p", "--duration", "80s")
    assert len(frames) >= 8
    bad_fcs = bytearray(frames[1]); bad_fcs[-2] ^= 0x40
    bad_hcs1 = bytearray(frames[2]); bad_hcs1[7] ^= 0x01
    bad_hcs2 = bytearray(frames[3]); bad_hcs2[6] ^= 0x80
    cut = frames[5][:60]
    pieces = [frames[0], bytes(bad_fcs), bytes(bad_hcs1), bytes(bad_hcs2), frames[4], cut, frames[6],
              b"splitter debug: rssi -71\r\n", frames[7]]
    want = [None, "bad_fcs", "bad_hcs", "bad_hcs", None, "truncated", None, "garbage", None]
    stream, offsets = b"", []
    for piece in pieces:
        offsets.append(len(stream))
        stream += piece
    proc, records = run_decode(hansim_bin, stdin=stream)
    assert proc.returncode == 0, proc.stderr
    got = [(r["offset"], r.get("error_kind")) for r in records]
    assert got == list(zip(offsets, want))
    for record, piece, kind in zip(records, pieces, want):
        if kind is None:  # the good frames decode to what the independent decoder reads
            info = decode_hdlc(piece).information
            assert record["values"] == as_hansim_values(decode_notification(info[3:]).values)
    # The Python decode() gives the same records.
    assert [(r["offset"], r.get("error_kind")) for r in hansim.decode(stream)] == got


def test_bare_apdu_and_llc_pdu(hansim_bin, tmp_path, bad_input):
    frame = generated_frames(hansim_bin, "--meter", "kamstrup-no-3p", "--duration", "10s")[0]
    llc = decode_hdlc(frame).information
    apdu = llc[3:]
    theirs = as_hansim_values(decode_notification(apdu).values)
    for protocol, pdu in (("apdu", apdu), ("llc", llc)):
        # One PDU a line with --hex: two lines, two records.
        path = tmp_path / f"{protocol}.hex"
        path.write_text(pdu.hex() + "\n" + pdu.hex() + "\n")
        proc, records = run_decode(hansim_bin, "--hex", "--strict", "--protocol", protocol, path)
        assert proc.returncode == 0, proc.stderr
        assert [r["kind"] for r in records] == [protocol, protocol]
        assert [r["offset"] for r in records] == [0, len(pdu)]
        assert records[0]["values"] == theirs
        # Raw input is one PDU; Python the same.
        proc, records = run_decode(hansim_bin, "--protocol", protocol, stdin=pdu)
        assert len(records) == 1 and records[0]["values"] == theirs
        assert hansim.decode(pdu, protocol=protocol)[0]["values"] == theirs
    proc, records = run_decode(hansim_bin, "--protocol", "llc", stdin=apdu)
    assert records[0]["error_kind"] == "malformed"
    bad_input.cli("decode", "--protocol", "x25", "-", stdin=b"", expect="apdu or llc")


def test_ciphered_p1_opens_with_the_public_authentication_key(hansim_bin, tmp_path):
    keys = tmp_path / "keys.txt"
    # The key file's AK is not the public one: generate uses the fixed public AK by default,
    # and decode must open it all the same.
    keys.write_text("encryption_key=000102030405060708090A0B0C0D0E0F\n"
                    "authentication_key=D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF\n")
    keys.chmod(0o600)
    proc = subprocess.run([str(hansim_bin), "generate", "--meter", "kamstrup-p1", "--security",
                           "encrypt+authenticate", "--key-file", str(keys), "--duration", "30s",
                           "--format", "raw"], capture_output=True, timeout=60, check=True)
    proc, records = run_decode(hansim_bin, "--strict", "--key-file", keys, stdin=proc.stdout)
    assert proc.returncode == 0, (proc.stderr, records)
    assert len(records) == 3
    assert all(r["kind"] == "glo" and r["decrypted"] and r["authentication_key"] == "luxembourg"
               for r in records)
    assert "1-0:1.8.0" in records[0]["values"]


def test_p1_errors_name_the_telegram_and_a_kind(hansim_bin):
    proc = subprocess.run([str(hansim_bin), "generate", "--meter", "kamstrup-p1", "--duration", "40s",
                           "--format", "raw"], capture_output=True, timeout=60, check=True)
    telegrams = [b"/" + t for t in proc.stdout.split(b"/") if t]
    assert len(telegrams) == 4
    bang = telegrams[1].index(b"!")
    bad_crc = telegrams[1][:bang + 1] + (b"0000" if telegrams[1][bang + 1:bang + 5] != b"0000" else b"FFFF") + b"\r\n"
    no_crc = telegrams[2][:bang + 1] + b"\r\n"
    cut = telegrams[3][:100]
    stream = telegrams[0] + bad_crc + no_crc + cut + telegrams[0]
    offsets = [0, len(telegrams[0]), len(telegrams[0]) + len(bad_crc),
               len(telegrams[0]) + len(bad_crc) + len(no_crc),
               len(telegrams[0]) + len(bad_crc) + len(no_crc) + len(cut)]
    proc, records = run_decode(hansim_bin, stdin=stream)
    assert [(r["offset"], r.get("error_kind")) for r in records] == list(
        zip(offsets, [None, "bad_crc", "missing_crc", "truncated", None]))
