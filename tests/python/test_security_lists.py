"""Every ciphered push hansim generates, checked by a second implementation
(python3-cryptography via independent_decoder), for every list kind and SC value; and the
invocation counter across a kill -9 of `hansim run`."""
import json
import os
import signal
import subprocess
import time

import pytest

from independent_decoder import (as_hansim_values, decode_hdlc, decode_notification, decode_p1, glo_decrypt,
                                 split_hdlc_stream)

EK = bytes.fromhex("000102030405060708090A0B0C0D0E0F")
AK = bytes.fromhex("D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF")
LUX_AK = bytes.fromhex("00112233445566778899AABBCCDDEEFF")
SC = {"encrypt": 0x20, "authenticate": 0x10, "encrypt+authenticate": 0x30}


@pytest.fixture
def key_file(tmp_path):
    path = tmp_path / "keys.txt"
    path.write_text(f"encryption_key={EK.hex()}\nauthentication_key={AK.hex()}\n")
    path.chmod(0o600)
    return path


def generate(hansim_bin, *args):
    proc = subprocess.run([str(hansim_bin), "generate", "--format", "jsonl", *map(str, args)],
                          capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    return [json.loads(line) for line in proc.stdout.decode().splitlines()]


@pytest.mark.parametrize("security", list(SC))
@pytest.mark.parametrize("profile,start,lists", [
    ("kamstrup-no-3p", "2024-01-15T11:59:30Z", {"list1", "list2"}),
    ("kamstrup-no-1p", "2024-01-15T11:59:30Z", {"list1", "list2"}),
    ("kamstrup-no-3p-it", "2024-07-15T11:59:30Z", {"list1", "list2"}),
    ("kamstrup-dk-3p", "2024-07-15T10:00:00Z", {"push1"}),
    ("kamstrup-dk-1p", "2024-07-15T10:00:00Z", {"push1"}),
])
def test_every_list_kind_and_sc_verified_independently(hansim_bin, key_file, profile, start, lists, security):
    records = generate(hansim_bin, "--meter", profile, "--security", security, "--key-file", key_file,
                       "--start", start, "--duration", "60s")
    assert {r["list"] for r in records} == lists
    counters = [r["invocation_counter"] for r in records]
    assert counters == list(range(counters[0], counters[0] + len(counters)))  # +1 per frame
    for record in records:
        frame = decode_hdlc(bytes.fromhex(record["hex"]))
        assert (frame.destination, frame.source) == (b"\x41", b"\x03")
        apdu = frame.information[3:]
        assert apdu[0] == 0xDB and apdu[13] == SC[security]
        plain = glo_decrypt(apdu, EK, AK)  # raises on a bad tag
        note = decode_notification(plain)
        expected = {k: v for k, v in record["values"].items() if k not in ("list_version", "date_time")}
        assert as_hansim_values(note.values) == expected


def test_ciphered_p1_luxembourg_wrapper(hansim_bin, key_file):
    records = generate(hansim_bin, "--meter", "kamstrup-p1", "--security", "encrypt+authenticate",
                       "--key-file", key_file, "--start", "2024-01-15T12:00:00Z", "--duration", "30s")
    assert len(records) == 3
    for record in records:
        raw = bytes.fromhex(record["hex"])
        ident, values = decode_p1(glo_decrypt(raw, EK, LUX_AK))  # the fixed public AK, not the file's
        assert ident == "KAM5"
        number, unit = values["1-0:1.8.0"].split("*")
        assert record["values"]["1-0:1.8.0"] == {"value": float(number), "unit": unit}
    # p1_authentication_key=key_file: the AK comes from the key file instead
    own = generate(hansim_bin, "--meter", "kamstrup-p1", "--security", "encrypt+authenticate", "--key-file",
                   key_file, "--p1-authentication-key", "key_file", "--start", "2024-01-15T12:00:00Z",
                   "--duration", "10s")
    decode_p1(glo_decrypt(bytes.fromhex(own[0]["hex"]), EK, AK))


def test_ciphered_p1_decodes_with_hansim_decode(hansim_bin, tmp_path):
    keys = tmp_path / "lux.txt"
    keys.write_text(f"encryption_key={EK.hex()}\nauthentication_key={LUX_AK.hex()}\n")
    keys.chmod(0o600)
    raw = subprocess.run([str(hansim_bin), "generate", "--meter", "landisgyr-e360", "--security",
                          "encrypt+authenticate", "--key-file", str(keys), "--duration", "20s", "--format", "raw"],
                         capture_output=True, timeout=60, check=True).stdout
    out = subprocess.run([str(hansim_bin), "decode", "--strict", "--key-file", str(keys)], input=raw,
                         capture_output=True, timeout=60)
    assert out.returncode == 0, out.stderr
    records = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert [r["kind"] for r in records] == ["glo", "glo"] and records[0]["ident"].startswith("LGF5")


def counters_in(path):
    out = []
    for frame in split_hdlc_stream(path.read_bytes()):
        info = decode_hdlc(frame).information
        out.append(int.from_bytes(info[3 + 2 + 8 + 3 + 1:3 + 2 + 8 + 3 + 5], "big"))
    return out


def test_invocation_counter_never_repeats_across_kill_9(hansim_bin, key_file, tmp_path):
    """hansim run, killed with SIGKILL between frames three times, restarted on the same
    counter store: no counter is ever sent twice, and every restart continues above."""
    store = tmp_path / "dk.ic"
    seen = []
    for round_ in range(3):
        out = tmp_path / f"run{round_}.bin"
        proc = subprocess.Popen([str(hansim_bin), "run", "--meter", "kamstrup-dk-3p", "--key-file", str(key_file),
                                 "--ic-file", str(store), "--port", f"file:{out}", "--fast", "--speed", "50",
                                 "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (not out.exists() or len(counters_in(out)) < 3):
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        counters = counters_in(out)
        assert len(counters) >= 3, proc.stderr.read().decode()
        assert counters == sorted(counters) and len(set(counters)) == len(counters)
        if seen:
            assert counters[0] > max(seen)
        seen += counters
    assert len(set(seen)) == len(seen)
