"""`hansim generate` and `hansim profiles` checked from the outside: every frame decodes with
the independent Python decoder to the values the JSON record claims, output is reproducible
from the seed, DST days have the right hourly lists, and usage errors exit 2 with a reason."""
import json
import os
import subprocess

import pytest

from independent_decoder import decode_hdlc, decode_notification, decode_p1, glo_decrypt, split_hdlc_stream

EK = bytes(range(16))
AK = bytes(range(0xD0, 0xE0))
KEY_ENV = {"HANSIM_ENCRYPTION_KEY": EK.hex(), "HANSIM_AUTHENTICATION_KEY": AK.hex()}


def generate(hansim_bin, *args, env=None):
    full_env = dict(os.environ)
    full_env.pop("HANSIM_ENCRYPTION_KEY", None)
    full_env.pop("HANSIM_AUTHENTICATION_KEY", None)
    full_env.update(env or {})
    return subprocess.run([str(hansim_bin), "generate", *map(str, args)], capture_output=True, timeout=120,
                          env=full_env)


def jsonl(proc):
    assert proc.returncode == 0, proc.stderr.decode()
    return [json.loads(line) for line in proc.stdout.decode().splitlines()]


def as_hansim_json(key, value):
    """The independent decoder's value in hansim's JSON conventions."""
    if isinstance(value, bytes):
        if key.startswith("0-") and ":1.0.0." in key and len(value) == 12:
            year = int.from_bytes(value[0:2], "big")
            return f"{year:04d}-{value[2]:02d}-{value[3]:02d}T{value[5]:02d}:{value[6]:02d}:{value[7]:02d}"
        return value.decode("ascii") if all(0x20 <= b < 0x7F for b in value) else value.hex().upper()
    return value


def profiles(hansim_bin):
    proc = subprocess.run([str(hansim_bin), "profiles"], capture_output=True, timeout=30, check=True)
    return [line.split()[0] for line in proc.stdout.decode().splitlines()]


def test_profiles_lists_name_and_description(hansim_bin):
    names = profiles(hansim_bin)
    assert names[0] == "kamstrup-no-3p"
    for wanted in ("kamstrup-no-3p-it", "kamstrup-no-1p", "kamstrup-se-3p", "kamstrup-dk-3p", "kamstrup-dk-1p",
                   "kamstrup-dk-3p-ct", "kamstrup-ch-3p", "kamstrup-p1", "sagemcom-t211", "landisgyr-e360",
                   "kaifa-ma304h4e", "kaifa-cl109", "itron-a300", "sanxing-sx631"):
        assert wanted in names


@pytest.mark.parametrize("profile", ["kamstrup-no-3p", "kamstrup-no-3p-it", "kamstrup-no-1p", "kamstrup-se-3p",
                                     "kamstrup-dk-3p", "kamstrup-dk-1p", "kamstrup-dk-3p-ct", "kamstrup-ch-3p"])
def test_every_han_frame_decodes_independently_to_its_record(hansim_bin, profile):
    records = jsonl(generate(hansim_bin, "--meter", profile, "--start", "2024-03-31T00:59:30Z", "--duration", "70s",
                             "--jitter", "uniform", "--format", "jsonl", env=KEY_ENV))
    assert records
    kinds = set()
    for record in records:
        kinds.add(record["list"])
        frame = decode_hdlc(bytes.fromhex(record["hex"]))
        info = frame.information
        assert info[:3] == b"\xE6\xE7\x00"
        apdu = info[3:]
        if record["invocation_counter"] is not None:
            assert frame.destination == b"\x41" and frame.source == b"\x03"
            assert int.from_bytes(apdu[14:18], "big") == record["invocation_counter"]
            apdu = glo_decrypt(apdu, EK, AK)
        else:
            assert frame.destination == b"\x2B" and frame.source == b"\x21"
        note = decode_notification(apdu)
        decoded = {k: as_hansim_json(k, v) for k, v in note.values.items() if v is not None}
        assert decoded == record["values"]
        assert 0 <= record["start_offset_ms"] <= 1000
    if profile.startswith("kamstrup-no") or profile.startswith("kamstrup-se"):
        assert kinds == {"list1", "list2"}
    else:
        assert kinds == {"push1"}


@pytest.mark.parametrize("profile", ["kamstrup-p1", "sagemcom-t211", "landisgyr-e360", "kaifa-ma304h4e",
                                     "kaifa-cl109", "itron-a300", "sanxing-sx631"])
def test_p1_telegrams_have_valid_crcs_and_the_recorded_lines(hansim_bin, profile):
    records = jsonl(generate(hansim_bin, "--meter", profile, "--duration", "30s", "--format", "jsonl"))
    assert len(records) == 3
    for record in records:
        ident, values = decode_p1(bytes.fromhex(record["hex"]))
        assert set(values) == set(record["values"])


def test_hex_raw_and_jsonl_carry_the_same_bytes(hansim_bin):
    args = ["--meter", "kamstrup-no-3p", "--duration", "2h", "--seed", "9", "--jitter", "normal"]
    hex_lines = generate(hansim_bin, *args).stdout.decode().split()
    raw = generate(hansim_bin, *args, "--format", "raw").stdout
    records = jsonl(generate(hansim_bin, *args, "--format", "jsonl"))
    assert b"".join(bytes.fromhex(h) for h in hex_lines) == raw
    assert [r["hex"] for r in records] == hex_lines
    assert split_hdlc_stream(raw) == [bytes.fromhex(h) for h in hex_lines]
    assert len(hex_lines) == 2 * 360 + 2
    sends = [r["send"] for r in records]
    assert sends == sorted(sends)


def test_same_seed_same_output_other_seed_other_jitter(hansim_bin):
    args = ["--meter", "kamstrup-se-3p", "--duration", "10m", "--jitter", "uniform", "--format", "jsonl"]
    a = generate(hansim_bin, *args, "--seed", "1").stdout
    b = generate(hansim_bin, *args, "--seed", "1").stdout
    c = generate(hansim_bin, *args, "--seed", "2").stdout
    assert a == b
    assert a != c


@pytest.mark.parametrize("day_start,hours,rule,expected", [
    ("2024-03-30T23:00:00Z", "23h", "local_dst", 23),
    ("2024-10-26T22:00:00Z", "25h", "local_dst", 25),
    ("2024-03-30T23:00:00Z", "24h", "cet_fixed", 24),
    ("2024-10-26T23:00:00Z", "24h", "cet_fixed", 24),
])
def test_dst_days_have_one_list2_per_hour(hansim_bin, day_start, hours, rule, expected):
    records = jsonl(generate(hansim_bin, "--meter", "kamstrup-no-3p", "--clock-rule", rule, "--start", day_start,
                             "--duration", hours, "--format", "jsonl"))
    stamps = [r["values"]["0-1:1.0.0.255"] for r in records if r["list"] == "list2"]
    assert len(stamps) == expected
    assert all(s.endswith(":00:05") for s in stamps)
    local_hours = [int(s[11:13]) for s in stamps]
    assert local_hours[0] == 0 and local_hours[-1] == 23


def test_usage_and_configuration_errors_exit_2_with_a_reason(bad_input):
    cases = [
        (["--serial", "abc"], "--serial: expected 1 to 8 digits, got 'abc'"),
        (["--meter", "nope"], "unknown meter profile 'nope'"),
        (["--duration", "soon"], "--duration"),
        (["--format", "xml"], "--format must be hex, raw or jsonl"),
        (["--meter", "kamstrup-dk-3p"], "needs keys"),
        (["--list2-delay-steps", "7"], "--list2-delay-steps: expected 0 .. 5, got '7'"),
        (["--no-such-option"], "unrecognised option"),
    ]
    for args, message in cases:
        bad_input.cli("generate", *args, expect=message)
    bad_input.cli("generate", "--scenario", "{tmp}/bad.yaml",
                  files={"bad.yaml": "start: 2024-01-01T00:00:00Z\nmeters:\n  - name: a\n    serial: abc\n"},
                  expect="{tmp}/bad.yaml:4: meters[0].serial: expected 1 to 8 digits, got 'abc'")


def test_scenario_with_several_meters_is_merged_in_send_order(hansim_bin):
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    records = jsonl(generate(hansim_bin, "--scenario", os.path.join(repo, "scenarios", "many-meters.yaml"),
                             "--duration", "1m", "--format", "jsonl"))
    assert {r["meter"] for r in records} == {"no-3p", "no-it", "no-1p", "se-3p", "dk-ct"}
    sends = [r["send"] for r in records]
    assert sends == sorted(sends)


def test_the_autumn_night_list2_records_carry_the_clock_status_the_wire_carries(hansim_bin):
    """The two 02:00:05 list-2 frames of the autumn DST night read alike; the record's clock
    (status byte, DST flag, deviation) tells them apart and matches the decoded date-time."""
    records = jsonl(generate(hansim_bin, "--meter", "kamstrup-se-3p", "--start", "2024-10-26T23:30:00Z",
                             "--duration", "2h", "--format", "jsonl"))
    at_two = [r for r in records if r["list"] == "list2" and r["clock"]["local"] == "2024-10-27T02:00:05"]
    assert len(at_two) == 2
    assert [r["clock"]["dst"] for r in at_two] == [True, False]
    assert json.dumps(at_two[0]) != json.dumps(at_two[1])
    for record in records:
        if record["list"] not in ("list1", "list2"):
            continue
        apdu = decode_hdlc(bytes.fromhex(record["hex"])).information[3:]  # after the LLC header
        note = decode_notification(apdu)
        clock_bytes = note.values.get("0-1:1.0.0.255", note.date_time)  # list 1: the header's date-time
        assert record["clock"]["status"] == clock_bytes[11]
        assert record["clock"]["dst"] == bool(clock_bytes[11] & 0x80)
        deviation = int.from_bytes(clock_bytes[9:11], "big", signed=True)
        assert record["clock"]["deviation_minutes"] == (None if deviation == -0x8000 else deviation)
