"""The reference reader (hil/han_reader.py) on the real captures and worked vectors of
tests/data: every frame accepted with the values PROTOCOLS.md gives, every split of the
stream gives the same records, every single-bit flip is rejected, and bad keys, replayed
counters and broken telegrams are rejected with a reason."""
import io
import json
import os
import pathlib
import subprocess
import sys

import pytest

# The reference reader is a program beside this folder, not a package: import it from there.
# (No hil/conftest.py: a second module named conftest would shadow tests/python's.)
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
import han_reader as hr  # noqa: E402

DATA = pathlib.Path(__file__).resolve().parents[2] / "tests" / "data"
REF = DATA / "reference-frames"
VEC = DATA / "vectors"
VECTOR_KEYS = hr.Keys(bytes.fromhex("000102030405060708090A0B0C0D0E0F"),
                      bytes.fromhex("D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF"))
DK_KEYS = hr.Keys(bytes.fromhex("5AD84121D9D20B364B7A11F3C1B5827F"),
                  bytes.fromhex("AFB3F93E3E7204EDB3C27F96DBD51AE0"))


def hexfile(path):
    return bytes.fromhex(path.read_text())


def read_all(reader, data):
    return list(reader.feed(data)) + list(reader.flush())


HDLC_CAPTURES = sorted(p for p in REF.glob("*.hex") if hexfile(p)[:1] == b"\x7e" and "encrypted" not in p.name)


@pytest.mark.parametrize("path", HDLC_CAPTURES, ids=lambda p: p.stem)
def test_every_plain_hdlc_capture_is_accepted(path):
    records = read_all(hr.HanReader(), hexfile(path))
    assert [r["status"] for r in records] == ["ok"], records
    assert records[0]["list"] in ("list1", "list2", "push1")


def test_list1_values_in_engineering_units():
    # PROTOCOLS.md §3.6: P+ 1234 W, Q- 321 var, I 5.67/2.34/0.89 A, U 230/231/229 V.
    (r,) = read_all(hr.HanReader(), hexfile(VEC / "nve_list1_3ph.hex"))
    v, u = r["values"], r["units"]
    assert r["list"] == "list1" and r["clock"] == "2024-01-15T13:45:20" and r["dst"] is False
    assert v["1-1:1.7.0.255"] == 1234.0 and u["1-1:1.7.0.255"] == "W"
    assert v["1-1:4.7.0.255"] == 321.0 and u["1-1:4.7.0.255"] == "var"
    assert [v[f"1-1:{c}.7.0.255"] for c in (31, 51, 71)] == [5.67, 2.34, 0.89]
    assert [v[f"1-1:{c}.7.0.255"] for c in (32, 52, 72)] == [230.0, 231.0, 229.0]
    assert v["1-1:0.0.5.255"] == "5706567123456784"


def test_list2_energy_in_kwh_at_the_configured_resolution():
    (r,) = read_all(hr.HanReader(), hexfile(VEC / "nve_list2_3ph.hex"))
    assert r["list"] == "list2" and r["values"]["0-1:1.0.0.255"] == "2024-01-15T14:00:05"
    assert r["values"]["1-1:1.8.0.255"] == 123456.78 and r["units"]["1-1:1.8.0.255"] == "kWh"
    (r1,) = read_all(hr.HanReader(res=hr.Resolution(energy_wh=1)), hexfile(VEC / "nve_list2_3ph.hex"))
    assert r1["values"]["1-1:1.8.0.255"] == 12345.678


def test_single_phase_placeholders_are_skipped():
    (r,) = read_all(hr.HanReader(), hexfile(VEC / "nve_list1_1ph.hex"))
    assert "1-1:51.7.0.255" not in r["values"] and r["values"]["1-1:31.7.0.255"] == 5.67


def test_ct_meter_currents_in_milliampere():
    (r,) = read_all(hr.HanReader(res=hr.Resolution(current_a=0.001)),
                    hexfile(REF / "kamstrup_dk_3p_dlmspush_plain_CT_amsreader-gh216-1.hex"))
    assert r["list"] == "push1" and r["values"]["1-1:31.7.0.255"] == 0x16377 / 1000
    assert r["values"]["1-1:13.7.0.255"] == 0.04


def test_encrypted_danish_capture_decrypts_to_the_published_plaintext():
    (r,) = read_all(hr.HanReader(DK_KEYS), hexfile(REF / "kamstrup_dk_3p_dlmspush_encrypted_gpk_20200107T144720.hex"))
    assert r["status"] == "ok" and r["security"] == "encrypt+authenticate"
    assert r["invocation_counter"] == 0x000788E1 and r["system_title"] == "4B414D4501A4DC52"
    plain = hr.notification(hexfile(REF / "kamstrup_dk_3p_dlmspush_encrypted_gpk_20200107T144720.plaintext_apdu.hex"),
                            hr.Resolution())
    assert r["values"] == plain["values"] and r["list"] == "push1"


def test_encrypted_vector_matches_the_plain_list1():
    (plain,) = read_all(hr.HanReader(), hexfile(VEC / "nve_list1_3ph.hex"))
    (glo,) = read_all(hr.HanReader(VECTOR_KEYS), hexfile(VEC / "nve_list1_3ph_glo_0x30.hex"))
    assert glo["values"] == plain["values"] and glo["invocation_counter"] == 0x12345


@pytest.mark.parametrize("name,security", [("small_glo_apdu", 0x30), ("small_glo_enc_only", 0x20),
                                           ("small_glo_auth_only", 0x10)])
def test_every_security_control_unprotects(name, security):
    plain, info = hr.unprotect(hexfile(VEC / f"{name}.hex"), VECTOR_KEYS, {})
    assert info["security"] == hr.SECURITY[security]
    assert plain.hex().upper().startswith("0F000000000C07E8010F010D2D14FF800000")
    assert hr.notification(plain, hr.Resolution())["values"] == {"1-1:1.7.0.255": 0.0}


def test_wrong_key_is_an_authentication_failure_and_no_key_is_said():
    wrong = hr.Keys(bytes(16), VECTOR_KEYS.authentication)
    (r,) = read_all(hr.HanReader(wrong), hexfile(VEC / "nve_list1_3ph_glo_0x30.hex"))
    assert r["status"] == "rejected" and r["reason"] == "authentication_failed"
    (r,) = read_all(hr.HanReader(), hexfile(VEC / "nve_list1_3ph_glo_0x30.hex"))
    assert r["reason"] == "no_key"


def test_a_replayed_invocation_counter_is_rejected():
    frame = hexfile(VEC / "nve_list1_3ph_glo_0x30.hex")
    records = read_all(hr.HanReader(VECTOR_KEYS), frame + frame)
    assert [r["status"] for r in records] == ["ok", "rejected"] and records[1]["reason"] == "replayed_counter"


def han_stream():
    return b"".join(hexfile(p) for p in HDLC_CAPTURES) + hexfile(VEC / "nve_list1_3ph.hex")


def test_every_split_of_the_stream_gives_the_same_records():
    stream = han_stream()
    whole = read_all(hr.HanReader(), stream)
    assert len(whole) == len(HDLC_CAPTURES) + 1 and all(r["status"] == "ok" for r in whole)
    for cut in range(1, len(stream)):
        reader = hr.HanReader()
        assert list(reader.feed(stream[:cut])) + list(reader.feed(stream[cut:])) + list(reader.flush()) == whole, cut


def test_byte_by_byte_with_garbage_between_frames():
    frame = hexfile(VEC / "nve_list1_3ph.hex")
    reader = hr.HanReader()
    out = []
    for byte in b"\x00\x7e\x7e\x55" + frame + b"\x7e\x7e" + frame:
        out += reader.feed(bytes([byte]))
    # 00 and 55 belong to no frame: one garbage rejection, reported when the frame starts;
    # fill flags are no noise.
    assert [(r["status"], r.get("reason")) for r in out] == [("rejected", "garbage"), ("ok", None), ("ok", None)]
    assert out[0]["detail"] == "2 bytes that belong to no frame"


def test_noise_is_reported_once_a_stretch_and_a_cut_frames_tail_is_not_noise():
    frame = hexfile(VEC / "nve_list1_3ph.hex")
    text = b"splitter: link up, rssi -71 dBm\r\n"
    records = read_all(hr.HanReader(), frame + text + frame + text)
    assert [(r["status"], r.get("reason")) for r in records] == [
        ("ok", None), ("rejected", "garbage"), ("ok", None), ("rejected", "garbage")]
    # a frame cut short, then the line idle, then its tail (a pause longer than the
    # reader's timeout): one rejection, the tail is not reported again
    reader = hr.HanReader()
    first = list(reader.feed(frame[:100])) + list(reader.flush())
    rest = list(reader.feed(frame[100:] + frame)) + list(reader.flush())
    assert [r.get("reason") for r in first] == ["incomplete_frame"]
    assert [r["status"] for r in rest] == ["ok"]
    # noise after a whole damaged frame is reported on its own
    bad = bytearray(frame)
    bad[-3] ^= 0xFF
    records = read_all(hr.HanReader(), bytes(bad) + text + frame)
    assert [r.get("reason") for r in records] == ["fcs_mismatch", "garbage", None]


def test_a_cut_frame_whose_length_ends_on_a_flag_of_the_next_does_not_swallow_it():
    frame = hexfile(VEC / "nve_list1_3ph.hex")
    # cut so that byte L+1 of the cut frame is the next frame's closing flag... or an inner 7E
    for cut in range(3, len(frame) - 1):
        stream = frame[:cut] + frame
        if stream[len(frame) - 1] != 0x7E:
            continue
        records = read_all(hr.HanReader(), stream)
        assert [r["status"] for r in records] == ["rejected", "ok"], cut


@pytest.mark.parametrize("name", ["nve_list1_3ph.hex", "nve_list1_3ph_glo_0x30.hex"])
def test_every_single_bit_flip_is_rejected(name):
    frame = hexfile(VEC / name)
    good = hexfile(VEC / "nve_list1_3ph.hex")
    for index in range(len(frame)):
        for bit in range(8):
            flipped = bytearray(frame)
            flipped[index] ^= 1 << bit
            records = read_all(hr.HanReader(VECTOR_KEYS), bytes(flipped))
            assert not any(r["status"] == "ok" for r in records), (index, bit, records)
            if bit:
                continue
            # and the reader finds the next good frame
            after = read_all(hr.HanReader(VECTOR_KEYS), bytes(flipped) + b"\x00" * 4 + good)
            assert [r["status"] for r in after][-1:] == ["ok"], (index, bit, after)


def test_truncated_frame_then_a_good_one():
    frame = hexfile(VEC / "nve_list1_3ph.hex")
    records = read_all(hr.HanReader(), frame[:100] + frame)
    assert [r["status"] for r in records] == ["rejected", "ok"]
    assert records[0]["reason"] == "no_closing_flag"
    # Truncated at the end of the input: the idle flush reports it.
    records = read_all(hr.HanReader(), frame + frame[:50])
    assert [(r["status"], r.get("reason")) for r in records] == [("ok", None), ("rejected", "incomplete_frame")]


def test_segmented_frames_are_joined():
    # Cut the list 1 LLC-PDU in two HDLC frames, the first with the segmentation bit.
    whole = hexfile(VEC / "nve_list1_3ph.hex")
    info = whole[8:-3]

    def frame(part, segmented):
        length = 9 + len(part)
        fmt = bytes([0xA0 | (0x08 if segmented else 0) | (length >> 8), length & 0xFF])
        header = fmt + b"\x2b\x21\x13"
        header += hr.crc_x25(header).to_bytes(2, "little")
        body = header + part
        return b"\x7e" + body + hr.crc_x25(body).to_bytes(2, "little") + b"\x7e"

    (r,) = read_all(hr.HanReader(), frame(info[:100], True) + frame(info[100:], False))
    (plain,) = read_all(hr.HanReader(), whole)
    assert r["status"] == "ok" and r["values"] == plain["values"]


P1_CAPTURES = sorted(list(REF.glob("p1_*.txt")) + list(VEC.glob("p1_*.txt")))


@pytest.mark.parametrize("path", P1_CAPTURES, ids=lambda p: p.stem)
def test_p1_captures(path):
    records = read_all(hr.P1Reader(), path.read_bytes())
    assert len(records) == 1
    if "badcrc" in path.name:
        assert records[0]["status"] == "rejected" and records[0]["reason"] == "crc_mismatch"
    else:
        assert records[0]["status"] == "ok", records
        assert records[0]["clock"].startswith("20")


def test_p1_values_in_w_and_kwh():
    (r,) = read_all(hr.P1Reader(), (VEC / "p1_kam5_example.txt").read_bytes())
    v, u = r["values"], r["units"]
    assert r["clock"] == "2024-01-15T13:45:20" and r["dst"] is False and r["ident"] == "KAM5"
    assert (v["1-0:1.7.0"], u["1-0:1.7.0"]) == (1234.0, "W")
    assert (v["1-0:4.7.0"], u["1-0:4.7.0"]) == (321.0, "var")
    assert (v["1-0:1.8.0"], u["1-0:1.8.0"]) == (123456.789, "kWh")
    assert (v["1-0:32.7.0"], v["1-0:31.7.0"]) == (230.1, 5.6)


def test_p1_stream_splits_junk_and_truncation():
    telegram = (VEC / "p1_kam5_example.txt").read_bytes()
    stream = b"\r\n" + telegram + telegram[:200] + telegram
    whole = read_all(hr.P1Reader(), stream)
    assert [(r["status"], r.get("reason")) for r in whole] == [("ok", None), ("rejected", "truncated_telegram"),
                                                                ("ok", None)]
    for cut in range(1, len(stream), 7):
        reader = hr.P1Reader()
        assert list(reader.feed(stream[:cut])) + list(reader.feed(stream[cut:])) + list(reader.flush()) == whole


@pytest.mark.parametrize("tail,reason", [
    (b"", "truncated_telegram"),           # cut before the CR LF: the next '/' follows the CRC
    (b"\r", "truncated_telegram"),
    (None, "truncated_telegram"),          # cut inside the CRC
    (b"!", None),                          # no CRC at all: '!' then CR LF
])
def test_p1_telegram_cut_around_its_crc_does_not_eat_the_next_one(tail, reason):
    telegram = (VEC / "p1_kam5_example.txt").read_bytes()
    assert telegram.endswith(b"\r\n")
    bang = telegram.rindex(b"!")
    if tail is None:
        cut = telegram[:bang + 3]
    elif tail == b"!":
        cut, reason = telegram[:bang + 1] + b"\r\n", "missing_crc"
    else:
        cut = telegram[:-2] + tail
    stream = cut + telegram
    whole = read_all(hr.P1Reader(), stream)
    assert [(r["status"], r.get("reason")) for r in whole] == [("rejected", reason), ("ok", None)]
    for split in range(1, len(stream)):
        reader = hr.P1Reader()
        assert list(reader.feed(stream[:split])) + list(reader.feed(stream[split:])) + list(reader.flush()) == whole
    # the same cut and then the line idle: incomplete, never accepted
    records = read_all(hr.P1Reader(), cut)
    assert [r["status"] for r in records] == ["rejected"]


def test_p1_noise_that_looks_like_a_cipher_wrapper_is_skipped():
    telegram = (VEC / "p1_kam5_example.txt").read_bytes()
    records = read_all(hr.P1Reader(), b"\x01\xdb\x08\x55\x66" + b"\x00" * 10 + telegram)
    assert [r["status"] for r in records] == ["ok"]


def test_ciphered_p1_with_the_fixed_public_ak():
    (r,) = read_all(hr.P1Reader(VECTOR_KEYS), hexfile(VEC / "lux_p1_glo.hex"))
    assert r["status"] == "ok" and r["security"] == "encrypt+authenticate" and r["values"]["1-0:1.7.0"] == 1234.0
    (r,) = read_all(hr.P1Reader(VECTOR_KEYS, key_file_ak=True), hexfile(VEC / "lux_p1_glo.hex"))
    assert r["reason"] == "authentication_failed"


def test_key_file_errors_name_the_line_and_key_not_the_value(tmp_path):
    good = tmp_path / "keys.txt"
    good.write_text("# keys\nencryption_key=000102030405060708090A0B0C0D0E0F\n"
                    "authentication_key=D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF\n")
    assert hr.load_key_file(str(good)) == VECTOR_KEYS
    bad = tmp_path / "bad.txt"
    bad.write_text("encryption_key=0001020304050607\n")
    with pytest.raises(ValueError, match=r"bad.txt:1: encryption_key must be 32 hex digits"):
        hr.load_key_file(str(bad))


def test_the_program_reads_a_file_and_exits_with_the_documented_codes(tmp_path):
    stream = tmp_path / "stream.bin"
    frame = hexfile(VEC / "nve_list1_3ph.hex")
    stream.write_bytes(frame + frame[:-3] + b"\x00\x00\x7e")
    program = pathlib.Path(hr.__file__)
    proc = subprocess.run([sys.executable, str(program), "--port", str(stream)], capture_output=True, text=True,
                          timeout=30)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["status"] for r in lines] == ["ok", "rejected"] and lines[1]["reason"] == "fcs_mismatch"
    proc = subprocess.run([sys.executable, str(program), "--port", str(tmp_path / "no-such-port")],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 1 and "no-such-port" in proc.stderr
    bad = tmp_path / "bad.txt"
    bad.write_text("nonsense\n")
    proc = subprocess.run([sys.executable, str(program), "--port", str(stream), "--key-file", str(bad)],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2 and "bad.txt:1" in proc.stderr
