"""Every fault of the catalogue (`hansim faults`), generated and then read back twice: by
`hansim decode` and by the independent decoder. The ground truth of each push says which
pieces of its bytes a correct reader must reject; both decoders must reject exactly those,
and every other frame must decode to its ground-truth values (issue 9)."""
import json
import socket
import subprocess

import pytest

import hansim
from independent_decoder import (as_hansim_values, decode_notification, glo_decrypt, p1_as_hansim_values,
                                 read_hdlc_piece, read_p1_piece)

KEYS = ("000102030405060708090A0B0C0D0E0F", "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF")


def catalogue(hansim_bin):
    out = subprocess.run([str(hansim_bin), "faults"], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        name, params, rest = line.split(None, 2)
        rows.append({"name": name, "params": params, "line": line})
    return rows


def setup_for(row):
    """(meter profile, extra generate args, duration) a fault applies to."""
    line = row["line"]
    if "hdlc (ciphered)" in line:
        return "kamstrup-dk-3p", "25min"
    if " p1 " in line.replace("hdlc, p1", "") or row["name"].startswith("p1_"):
        return "kamstrup-p1", "3min"
    return "kamstrup-no-3p", "25min"


def key_file(tmp_path):
    path = tmp_path / "keys.txt"
    path.write_text(f"encryption_key={KEYS[0]}\nauthentication_key={KEYS[1]}\n")
    path.chmod(0o600)
    return path


def generate(hansim_bin, profile, duration, faults, keys=None, extra=()):
    args = [str(hansim_bin), "generate", "--meter", profile, "--start", "2024-01-01T00:00:00Z", "--duration",
            duration, "--format", "jsonl", *(["--faults", faults] if faults else []), *extra]
    if keys:
        args += ["--key-file", str(keys)]
    proc = subprocess.run(args, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    return [json.loads(line) for line in proc.stdout.decode().splitlines()]


def expected_pieces(records):
    """[(stream offset, length, reject, record)] for every piece a reader reports, and the stream."""
    stream, pieces = b"", []
    for record in records:
        wire = bytes.fromhex(record["hex"])
        effect = record.get("fault_effect")
        parts = effect["pieces"] if effect else [{"offset": 0, "length": len(wire), "reject": False, "why": "frame"}]
        for part in parts:
            if not part["reject"] and part["why"].startswith("noise"):
                continue  # skipped by a P1 reader, or reported with the cut frame before it
            pieces.append((len(stream) + part["offset"], part["length"], part["reject"], record))
        stream += wire
    return stream, pieces


def independent_read(piece, profile):
    """The independent decoder's values for one piece; raises ValueError when it rejects it."""
    if profile == "kamstrup-p1":
        _, values = read_p1_piece(piece)
        return p1_as_hansim_values(values)
    llc = read_hdlc_piece(piece)
    apdu = llc[3:]
    if apdu[0] == 0xDB:
        try:
            apdu = glo_decrypt(apdu, bytes.fromhex(KEYS[0]), bytes.fromhex(KEYS[1]))
        except Exception as e:  # noqa: BLE001 - any failure to open is a rejection
            raise ValueError(f"cannot open: {e}") from e
    return as_hansim_values(decode_notification(apdu).values)


def invocation_counter(piece):
    """The invocation counter of a ciphered HDLC piece (general-glo-ciphering), read here."""
    apdu = read_hdlc_piece(piece)[3:]
    title_len = apdu[1]
    pos = 2 + title_len
    pos += 1 + (apdu[pos] & 0x7F if apdu[pos] & 0x80 else 0)  # the length field
    return int.from_bytes(apdu[pos + 1:pos + 5], "big")


def independent_anomaly(previous, current, max_step=100):
    """A receiver's verdict on a counter: stuck, backwards, jump (more than max_step ahead) or None."""
    if previous is None or previous < current <= previous + max_step:
        return None
    return "stuck" if current == previous else "backwards" if current < previous else "jump"


def check_fault(hansim_bin, tmp_path, row, faults, profile=None, duration=None):
    if profile is None:
        profile, duration = setup_for(row)
    keys = key_file(tmp_path) if profile.startswith("kamstrup-dk") else None
    records = generate(hansim_bin, profile, duration, faults, keys)
    faulty = [r for r in records if r["fault"]]
    assert faulty, f"{faults}: no push carried the fault"
    assert all(r["fault"] == row["name"] for r in faulty)
    stream, pieces = expected_pieces(records)

    args = [str(hansim_bin), "decode"] + (["--key-file", str(keys)] if keys else [])
    proc = subprocess.run(args, input=stream, capture_output=True, timeout=60)
    decoded = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    got = [(d["offset"], "error" in d) for d in decoded]
    want = [(offset, reject) for offset, _, reject, _ in pieces]
    assert got == want, f"{faults}: hansim decode {[(d['offset'], d.get('error_kind')) for d in decoded]}"

    previous_counter = None
    for (offset, length, reject, record), d in zip(pieces, decoded):
        piece = stream[offset:offset + length]
        if reject:
            with pytest.raises(ValueError):
                independent_read(piece, profile)
            continue
        theirs = independent_read(piece, profile)
        # The counter-anomaly flag: the ground truth marks the piece, hansim decode flags it,
        # and the independent reading of the counters agrees, on exactly those pieces.
        marked = any(p["why"] == "counter_anomaly" for p in (record.get("fault_effect") or {}).get("pieces", [])
                     if p["offset"] == offset - stream_offset(records, record))
        assert ("counter_anomaly" in d) == marked, (faults, record["sequence"], d.get("counter_anomaly"))
        if keys:
            counter = invocation_counter(piece)
            assert (independent_anomaly(previous_counter, counter) is not None) == marked, \
                (faults, record["sequence"], previous_counter, counter)
            if marked:
                assert d["counter_anomaly"] == independent_anomaly(previous_counter, counter)
            previous_counter = counter
        if profile == "kamstrup-p1":
            mine = {k: v for k, v in record["values"].items() if not isinstance(v, list)}
            assert theirs == mine, (faults, record["sequence"])
        else:
            assert theirs == record["values"], (faults, record["sequence"])
        assert d["values"] == record["values"], (faults, record["sequence"])
    return records


def stream_offset(records, record):
    """Where `record`'s bytes start in the concatenated stream."""
    offset = 0
    for r in records:
        if r is record:
            return offset
        offset += len(bytes.fromhex(r["hex"]))
    raise KeyError(record["sequence"])


def fault_rows():
    from conftest import BUILD_DIR
    path = BUILD_DIR / "simulator" / "hansim"
    return catalogue(path) if path.exists() else []


ROWS = fault_rows()
BYTE_FAULTS = [r for r in ROWS if "serial port only" not in r["line"]]
LINE_FAULTS = [r for r in ROWS if "serial port only" in r["line"]]


def test_the_catalogue_lists_every_fault_the_issue_names(hansim_bin):
    names = {r["name"] for r in catalogue(hansim_bin)}
    for name in ("bad_fcs", "bad_hcs", "truncated", "dropped", "duplicated", "twice_cut", "segmented",
                 "wrong_length", "bit_flips", "byte_replaced", "garbage", "stuffing_bait", "split_pause",
                 "char_gaps", "back_to_back", "late", "legacy_datetime", "list2_repeated",
                 "value_out_of_range", "clock_unset", "unknown_obis", "p1_crc_wrong", "p1_crc_missing",
                 "p1_line_missing", "p1_bad_obis", "p1_wrong_unit", "p1_cut", "p1_padded", "p1_split_pause",
                 "wrong_parity", "wrong_baud", "line_break", "corrupted_tag", "length_off_by_one"):
        assert name in names


def rules_for(name):
    """The rules each fault is tried with: a push number, another, and every seventh."""
    if name in ("counter_stuck", "counter_backwards"):
        return f"{name}@3,{name}@every:7"
    if name == "list2_repeated":
        return f"{name}@every:1"  # only list 2 pushes are repeated
    return f"{name}@0,{name}@3,{name}@every:7"


@pytest.mark.parametrize("row", BYTE_FAULTS, ids=[r["name"] for r in BYTE_FAULTS])
def test_every_fault_is_rejected_exactly_where_the_ground_truth_says(hansim_bin, tmp_path, row):
    name = row["name"]
    records = check_fault(hansim_bin, tmp_path, row, rules_for(name))
    faulty = [r for r in records if r["fault"]]
    if name in ("split_pause", "p1_split_pause", "char_gaps"):
        assert all(r["fault_effect"]["pauses"] for r in faulty)
    if name == "late":
        assert all(r["start_offset_ms"] >= 2000 for r in faulty)
    if name == "back_to_back":
        # the push after each faulty one leaves the moment the faulty one has been sent
        by_seq = {r["sequence"]: r for r in records}
        follower = by_seq[faulty[0]["sequence"] + 1]
        assert follower["send"] < follower["scheduled"] or follower["start_offset_ms"] < 0


@pytest.mark.parametrize("name,profile", [("bad_fcs", "kamstrup-no-3p"), ("p1_crc_wrong", "kamstrup-p1")])
def test_rate_and_time_selection(hansim_bin, tmp_path, name, profile):
    row = next(r for r in ROWS if r["name"] == name)
    by_rate = check_fault(hansim_bin, tmp_path, row, f"{name}@rate:0.3")
    again = generate(hansim_bin, *setup_for(row), f"{name}@rate:0.3")
    assert [r["hex"] for r in by_rate] == [r["hex"] for r in again]  # seeded: the same pushes
    hits = [r["sequence"] for r in by_rate if r["fault"]]
    assert 0 < len(hits) < len(by_rate)
    windowed = check_fault(hansim_bin, tmp_path, row, f"{name}@time:+60s..+120s")
    assert {r["scheduled"][11:19] for r in windowed if r["fault"]} <= {
        f"00:01:{s:02d}" for s in range(60)}
    point = generate(hansim_bin, *setup_for(row), f"{name}@time:2024-01-01T00:00:31Z")
    first_after = next(r["scheduled"] for r in point if r["scheduled"][11:19] >= "00:00:31")
    assert [r["scheduled"] for r in point if r["fault"]] == [first_after]


def utc_seconds(text):
    """Seconds after START of an ISO 8601 time, read here (not by hansim's parser)."""
    from datetime import datetime
    base = datetime.fromisoformat(START.replace("Z", "+00:00"))
    return (datetime.fromisoformat(text.replace("Z", "+00:00")) - base).total_seconds()


# Every spelling of the timeline's time grammar (time_text.hpp) a fault selection takes, with
# the span it means in seconds after the start, worked out by hand: a point selects the
# first push at or after it, a window every push in [from, to).
TIME_SELECTIONS = [
    ("time:+30s", 30, None),
    ("time:+1m5s", 65, None),
    ("time:+45", 45, None),                                   # a bare number is seconds
    ("time:+1500ms", 1.5, None),
    ("time:2024-01-01T00:01:00Z", 60, None),
    ("time:2024-01-01T01:00:40+01:00", 40, None),             # an offset: 00:00:40 UTC
    ("time:2024-01-01T00:00:20.250Z", 20.25, None),
    ("time:2024-01-01 00:01:10", 70, None),                   # space, no offset: UTC
    ("time:+20s..+50s", 20, 50),
    ("time:2024-01-01T00:00:20Z..2024-01-01T00:01:00Z", 20, 60),
    ("time:+1m..2024-01-01T00:02:00Z", 60, 120),              # mixed
    ("time:2024-01-01T00:00:30.500Z..+1m30s", 30.5, 90),
]


@pytest.mark.parametrize("name", ["bad_fcs", "p1_crc_wrong"])
@pytest.mark.parametrize("selection,begin,end", TIME_SELECTIONS, ids=[s for s, _, _ in TIME_SELECTIONS])
def test_time_selections_are_read_back_by_the_decoders(hansim_bin, tmp_path, name, selection, begin, end):
    """Each spelling of `@time:` hits exactly the pushes its time means, and both decoders
    (hansim decode, the independent one) reject exactly those (check_fault)."""
    row = next(r for r in ROWS if r["name"] == name)
    records = check_fault(hansim_bin, tmp_path, row, f"{name}@{selection}")
    at = [(utc_seconds(r["scheduled"]), r["sequence"]) for r in records]
    if end is None:
        want = [min(seq for t, seq in at if t >= begin)]
    else:
        want = [seq for t, seq in at if begin <= t < end]
    assert want and [r["sequence"] for r in records if r["fault"]] == want
    assert all(r["fault_effect"]["rule"].startswith(f"{name}@time:") for r in records if r["fault"])


@pytest.mark.parametrize("row", LINE_FAULTS, ids=[r["name"] for r in LINE_FAULTS])
def test_line_faults_are_refused_off_a_serial_port(hansim_bin, tmp_path, row):
    name = row["name"]
    proc = subprocess.run([str(hansim_bin), "generate", "--meter", "kamstrup-no-3p", "--faults", f"{name}@2"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert name in proc.stderr and "serial port" in proc.stderr
    link = tmp_path / "ttyWIREFAULTS"
    proc = subprocess.run([str(hansim_bin), "run", "--meter", "kamstrup-no-3p", "--port", f"pty:{link}",
                           "--duration", "1s", "--set", f"faults={name}@2"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert name in proc.stderr and "PTY" in proc.stderr
    assert not link.exists()
    # RFC 2217 could only say so out of band: refused, and the message says why (PROTOCOLS.md §7.5).
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        proc = subprocess.run([str(hansim_bin), "run", "--meter", "kamstrup-no-3p", "--port", f"rfc2217:127.0.0.1:{port}",
                               "--duration", "1s", "--set", f"faults={name}@2"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert name in proc.stderr and f"port 'rfc2217:127.0.0.1:{port}' is an RFC 2217 server" in proc.stderr
    assert "NOTIFY-LINESTATE" in proc.stderr and "not tied to any byte" in proc.stderr


@pytest.mark.parametrize("faults,profile,why", [
    ("bad_fsc@3", "kamstrup-no-3p", "unknown fault 'bad_fsc'"),
    ("truncated:at=99999@3", "kamstrup-no-3p", "at=99999 is out of range 0..2048"),
    ("truncated:cut=4@3", "kamstrup-no-3p", "truncated has no parameter 'cut'"),
    ("bad_fcs@rate:2", "kamstrup-no-3p", "must be a probability"),
    ("bad_fcs@time:+1y", "kamstrup-no-3p", "time '+1y': expected +DURATION after the start"),
    ("bad_fcs@time:-5s", "kamstrup-no-3p", "time '-5s' is before the start of the run"),
    ("bad_fcs@time:2024-13-01T00:00:00Z", "kamstrup-no-3p", "or an ISO 8601 time"),
    ("p1_crc_wrong@3", "kamstrup-no-3p", "p1_crc_wrong is a P1 fault; this meter sends no P1 telegrams"),
    ("bad_fcs@3", "kamstrup-p1", "bad_fcs is an HDLC fault; this meter sends P1 telegrams"),
    ("stuffing_bait:where=0@3", "kamstrup-dk-3p", "rewrites the plain APDU; this meter ciphers"),
    ("corrupted_tag@3", "kamstrup-no-3p", "ciphering faults need security"),
])
def test_bad_fault_specs_name_the_fault_and_why(bad_input, faults, profile, why):
    bad_input.cli("generate", "--meter", profile, "--key-file", "{tmp}/keys.txt", "--faults", faults, code=2,
                  expect=[why, faults],
                  files={"keys.txt": f"encryption_key={KEYS[0]}\nauthentication_key={KEYS[1]}\n"})


CONTENT_FAULTS = ("legacy_datetime", "value_out_of_range", "clock_unset", "unknown_obis")


@pytest.mark.parametrize("name", CONTENT_FAULTS)
def test_content_faults_on_a_ciphered_meter_are_applied_before_sealing(hansim_bin, tmp_path, name):
    """The APDU is rewritten before it is ciphered: the push still decrypts and authenticates,
    and both decoders see the content fault inside."""
    row = next(r for r in ROWS if r["name"] == name)
    records = check_fault(hansim_bin, tmp_path, row, f"{name}@0,{name}@3,{name}@every:7",
                          profile="kamstrup-dk-3p", duration="25min")
    for r in records:
        assert r["invocation_counter"] is not None
        plain = glo_decrypt(read_hdlc_piece(bytes.fromhex(r["hex"]))[3:], bytes.fromhex(KEYS[0]),
                            bytes.fromhex(KEYS[1]))
        note = decode_notification(plain)
        if name == "legacy_datetime":
            assert (plain[5:7] == b"\x09\x0c") == bool(r["fault"]), r["sequence"]
        elif name == "value_out_of_range":
            assert (note.values.get("1-1:1.7.0.255") == 4294967295) == bool(r["fault"]), r["sequence"]
        elif name == "unknown_obis":
            assert ("1-0:99.99.0.255" in note.values) == bool(r["fault"]), r["sequence"]
        else:
            assert (r["values"]["0-1:1.0.0.255"].startswith("2000-01-01")) == bool(r["fault"]), r["sequence"]


def test_a_repeated_ciphered_push_is_flagged_by_its_counter(hansim_bin, tmp_path):
    """duplicated on a ciphered meter: the copy carries the same invocation counter, which the
    ground truth marks and both decoders flag as stuck."""
    row = next(r for r in ROWS if r["name"] == "duplicated")
    records = check_fault(hansim_bin, tmp_path, row, "duplicated@2,duplicated@every:9", profile="kamstrup-dk-3p",
                          duration="5min")
    faulty = [r for r in records if r["fault"]]
    assert faulty and all(r["fault_effect"]["pieces"][1]["why"] == "counter_anomaly" for r in faulty)


@pytest.mark.parametrize("faults,why", [
    ("list2_repeated@1", "list2_repeated repeats list 2 pushes; this meter sends no list 2 (kamstrup-dk-3p)"),
    ("stuffing_bait@1", "stuffing_bait rewrites the plain APDU; this meter ciphers its pushes"),
])
def test_content_faults_that_cannot_apply_to_a_ciphered_meter_are_refused(bad_input, faults, why):
    bad_input.cli("generate", "--meter", "kamstrup-dk-3p", "--key-file", "{tmp}/keys.txt", "--faults", faults,
                  code=2, expect=[why],
                  files={"keys.txt": f"encryption_key={KEYS[0]}\nauthentication_key={KEYS[1]}\n"})


def test_python_meter_takes_the_same_spelling():
    meter = hansim.Meter("kamstrup-no-3p", start="2024-01-01T00:00:00Z", seed=3, faults="truncated:at=40@2")
    frames = list(meter.frames("40s"))
    assert [f.fault for f in frames] == [None, None, "truncated", None, None]
    broken = frames[2]
    assert len(broken.wire) == 40 and broken.fault_effect["cut_at"] == 40
    assert broken.fault_effect["pieces"] == [{"offset": 0, "length": 40, "reject": True, "why": "truncated"}]
    decoded = hansim.decode(b"".join(f.wire for f in frames))
    assert [("error" in d) for d in decoded] == [False, False, True, False, False]
    with pytest.raises(ValueError, match="unknown fault 'truncate'"):
        hansim.Meter("kamstrup-no-3p", faults="truncate@2")


def test_scenario_faults_use_the_same_spelling(hansim_bin, tmp_path):
    scenario = tmp_path / "faulty.yaml"
    scenario.write_text("start: 2024-01-01T00:00:00Z\nseed: 4\nmeters:\n"
                        "  - name: han0\n    profile: kamstrup-no-3p\n"
                        "    faults: \"bad_hcs@1,garbage:kind=2@time:+20s..+30s\"\n")
    proc = subprocess.run([str(hansim_bin), "generate", "--scenario", str(scenario), "--duration", "40s",
                           "--format", "jsonl"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [(r["sequence"], r["fault"]) for r in records if r["fault"]] == [(1, "bad_hcs"), (3, "garbage")]  # seq 3: 00:00:20
    assert records[1]["fault_effect"]["rule"] == "bad_hcs@1"

    scenario.write_text(scenario.read_text().replace("bad_hcs@1", "p1_cut@1"))
    proc = subprocess.run([str(hansim_bin), "generate", "--scenario", str(scenario)], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2
    assert "p1_cut is a P1 fault" in proc.stderr and "han0" in proc.stderr, proc.stderr


START = "2024-01-01T00:00:00Z"


def three_front_ends(hansim_bin, tmp_path, profile, duration, faults):
    """One meter asked for three ways: `hansim generate --meter --faults`, a scenario file (no
    seed: its default) through `hansim generate --scenario`, and Python's hansim.Meter. Returns
    the option's and the scenario's JSON records and Python's frames, as many as the option's."""
    keys = key_file(tmp_path) if profile.startswith("kamstrup-dk") else None
    by_option = generate(hansim_bin, profile, duration, faults, keys)
    scenario = tmp_path / "front_ends.yaml"
    text = f"start: {START}\nmeters:\n  - name: meter1\n    profile: {profile}\n"
    if faults:
        text += f"    faults: \"{faults}\"\n"
    if keys:
        text += f"    key_file: {keys}\n"
    scenario.write_text(text)
    proc = subprocess.run([str(hansim_bin), "generate", "--scenario", str(scenario), "--duration", duration,
                           "--format", "jsonl"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    by_scenario = [json.loads(line) for line in proc.stdout.splitlines()]
    settings = {"faults": faults} if faults else {}
    meter = hansim.Meter(profile, start=START, key_file=keys, **settings)
    by_python = [meter.next() for _ in by_option]
    return by_option, by_scenario, by_python


def assert_same_frames(by_option, by_scenario, by_python):
    assert len(by_option) == len(by_scenario)
    for option, scen in zip(by_option, by_scenario):
        assert scen == option, (option["sequence"], option["scheduled"])
    for option, frame in zip(by_option, by_python):
        where = (option["sequence"], option["scheduled"])
        assert frame.wire == bytes.fromhex(option["hex"]), where
        assert (frame.sequence, frame.scheduled, frame.send, frame.list) == (
            option["sequence"], option["scheduled"], option["send"], option["list"]), where
        assert frame.start_offset_ms == option["start_offset_ms"], where
        assert (frame.fault, frame.fault_effect) == (option["fault"], option.get("fault_effect")), where
        assert frame.values == option["values"], where
        assert frame.invocation_counter == option.get("invocation_counter"), where


@pytest.mark.parametrize("profile", ["kamstrup-no-3p", "kamstrup-dk-3p", "kamstrup-p1"])
def test_the_three_front_ends_give_the_same_frames_without_faults(hansim_bin, tmp_path, profile):
    """The root of "one spelling": a scenario, the options and Python are one run plan, with
    the same seed when none is given (the scenario's default, meter i: seed + i)."""
    by_option, by_scenario, by_python = three_front_ends(hansim_bin, tmp_path, profile, "25min", "")
    assert_same_frames(by_option, by_scenario, by_python)
    # The comparison sees the seed (load noise): another seed gives other bytes.
    keys = key_file(tmp_path) if profile.startswith("kamstrup-dk") else None
    other = generate(hansim_bin, profile, "25min", "", keys, extra=["--seed", "2"])
    assert [r["hex"] for r in other] != [r["hex"] for r in by_option]


@pytest.mark.parametrize("row", BYTE_FAULTS, ids=[r["name"] for r in BYTE_FAULTS])
def test_every_fault_is_the_same_in_a_scenario_the_options_and_python(hansim_bin, tmp_path, row):
    """Issue 9, "one spelling in scenarios, --faults and Python": the same rules give the same
    bytes and the same fault ground truth in all three front ends."""
    profile, duration = setup_for(row)
    by_option, by_scenario, by_python = three_front_ends(hansim_bin, tmp_path, profile, duration,
                                                         rules_for(row["name"]))
    assert any(r["fault"] == row["name"] for r in by_option), "no push carried the fault"
    assert_same_frames(by_option, by_scenario, by_python)
