"""`hansim decode` checked against the independent Python decoder on every capture."""
import json
import subprocess

import pytest

from independent_decoder import as_hansim_values, decode_hdlc, decode_notification, decode_p1, glo_decrypt


def run_decode(hansim_bin, *args, stdin=None):
    proc = subprocess.run([str(hansim_bin), "decode", *map(str, args)], input=stdin,
                          capture_output=True, timeout=30)
    records = [json.loads(line) for line in proc.stdout.decode().splitlines() if line.strip()]
    return proc, records


def hdlc_captures(data_dir):
    return sorted(p for p in (data_dir / "reference-frames").glob("*.hex")
                  if p.read_text().strip().startswith("7E"))


def test_every_plain_capture_matches_independent_decoder(hansim_bin, data_dir):
    checked = 0
    for path in hdlc_captures(data_dir):
        frame = bytes.fromhex(path.read_text())
        info = decode_hdlc(frame).information
        if info[3] != 0x0F:
            continue
        proc, records = run_decode(hansim_bin, "--hex", "--strict", path)
        assert proc.returncode == 0, (path.name, proc.stderr)
        assert len(records) == 1
        theirs = decode_notification(info[3:])
        assert records[0]["values"] == as_hansim_values(theirs.values), path.name
        checked += 1
    assert checked >= 12


def test_real_encrypted_capture_with_key_file(hansim_bin, data_dir, tmp_path):
    key_file = tmp_path / "keys.txt"
    key_file.write_text("# published keys of the Danish capture\n"
                        "encryption_key=5AD84121D9D20B364B7A11F3C1B5827F\n"
                        "authentication_key=AFB3F93E3E7204EDB3C27F96DBD51AE0\n")
    key_file.chmod(0o600)
    capture = data_dir / "reference-frames" / "kamstrup_dk_3p_dlmspush_encrypted_gpk_20200107T144720.hex"
    proc, records = run_decode(hansim_bin, "--hex", "--strict", "--key-file", key_file, capture)
    assert proc.returncode == 0, proc.stderr
    plain = glo_decrypt(decode_hdlc(bytes.fromhex(capture.read_text())).information[3:],
                        bytes.fromhex("5AD84121D9D20B364B7A11F3C1B5827F"),
                        bytes.fromhex("AFB3F93E3E7204EDB3C27F96DBD51AE0"))
    assert records[0]["values"] == as_hansim_values(decode_notification(plain).values)
    assert records[0]["invocation_counter"] == 0x788E1
    assert b"5AD84121" not in proc.stdout + proc.stderr  # keys are never printed


def test_without_keys_ciphered_frame_gives_header_fields(hansim_bin, data_dir):
    proc, records = run_decode(hansim_bin, "--hex", data_dir / "vectors" / "nve_list1_3ph_glo_0x30.hex")
    assert proc.returncode == 0
    assert records[0]["apdu"] == "general-glo-ciphering"
    assert records[0]["system_title"] == "4B414D4500BC614E"
    assert "values" not in records[0]


def test_wrong_key_is_authentication_failure(bad_input, data_dir):
    proc = bad_input.cli("decode", "--hex", "--strict", "--key-file", "{tmp}/keys.txt",
                         data_dir / "vectors" / "nve_list1_3ph_glo_0x30.hex", code=1,
                         files={"keys.txt": "encryption_key=000102030405060708090A0B0C0D0E0F\n"
                                            "authentication_key=00000000000000000000000000000000\n"})
    records = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert records[0]["error_kind"] == "authentication_failed"


def test_bad_key_file_names_the_key(bad_input, data_dir):
    bad_input.cli("decode", "--key-file", "{tmp}/keys.txt", data_dir / "vectors" / "p1_kam5_minimal.txt",
                  files={"keys.txt": "encryption_key=0001020304\nauthentication_key=00000000000000000000000000000000\n"},
                  expect=["encryption_key", "line 1"])


def test_p1_captures_match_independent_decoder(hansim_bin, data_dir):
    for path in sorted((data_dir / "reference-frames").glob("p1_*.txt")):
        proc, records = run_decode(hansim_bin, path)
        assert proc.returncode == 0
        assert len(records) == 1, path.name
        if "badcrc" in path.name:
            assert "error" in records[0]
            continue
        ident, values = decode_p1(path.read_bytes())
        assert records[0]["ident"] == ident
        assert set(records[0]["values"]) == set(values), path.name
        for key, text in values.items():
            if "*" in text and ")(" not in text:
                number, unit = text.split("*")
                assert records[0]["values"][key] == {"value": float(number), "unit": unit}, (path.name, key)


def test_raw_stream_from_stdin_with_garbage_and_a_broken_frame(bad_input, data_dir):
    good = bytes.fromhex((data_dir / "vectors" / "nve_list1_3ph.hex").read_text())
    broken = bytearray(good)
    broken[50] ^= 0x01
    stream = b"\x00\x01" + good + bytes(broken) + good
    proc = bad_input.cli("decode", "--strict", "-", stdin=stream, code=1)
    records = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    ok = [r for r in records if "error" not in r]
    assert [r["offset"] for r in ok] == [2, 2 + 2 * len(good)]
    assert any("error" in r and isinstance(r["offset"], int) for r in records)


@pytest.mark.parametrize("name", ["push1_3ph.hex", "nve_list2_1ph.hex"])
def test_hex_and_raw_inputs_agree(hansim_bin, data_dir, name, tmp_path):
    path = data_dir / "vectors" / name
    raw = tmp_path / "frame.bin"
    raw.write_bytes(bytes.fromhex(path.read_text()))
    _, from_hex = run_decode(hansim_bin, "--hex", path)
    _, from_raw = run_decode(hansim_bin, raw)
    assert from_hex == from_raw


def test_bad_hex_input_names_the_line(bad_input):
    bad_input.cli("decode", "--hex", "-", stdin="7E A0\n7E zz\n", expect=["<stdin> line 2"])
    bad_input.cli("decode", "--hex", "{tmp}/odd.hex", files={"odd.hex": "# odd digit count\n7E A\n"},
                  expect=["odd.hex line 2"])


def test_unknown_protocol_and_missing_input_are_usage_errors(bad_input):
    bad_input.cli("decode", "--protocol", "modbus", "-", stdin=b"", expect="modbus")
    bad_input.cli("decode", "{tmp}/missing.bin", expect="{tmp}/missing.bin")
