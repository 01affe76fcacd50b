"""End to end: the reference reader (hil/han_reader.py, a separate program) reads hansim
over a PTY, or over the real bench given with --han-bench FILE, and must report every frame's
values within resolution and reject exactly the frames the ground truth marks.

Every meter here is unpaced: `advance` writes each push as fast as the reader takes it, so an
hour of list 1 takes well under a second of writing; a pause inside a frame (a timing fault)
is kept in real time. Each test has its own PTY in its own temporary folder, so the suite runs
under pytest-xdist (-n auto) without clashes."""
import collections
import json
import os
import pathlib
import shlex
import subprocess
import sys
import threading
import time

import pytest

import hansim
from hansim.assertions import expected as expected_values

HIL = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
READER = os.path.join(HIL, "han_reader.py")
KEYS = ("encryption_key=000102030405060708090A0B0C0D0E0F\n"
        "authentication_key=D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF\n")
# The reader's inter-byte timeout: a frame with a longer pause inside is rejected as
# incomplete. Pauses in these tests are either well above it or well below it.
IDLE_S = 0.5


@pytest.fixture
def key_file(tmp_path):
    path = tmp_path / "keys.txt"
    path.write_text(KEYS)
    path.chmod(0o600)
    return str(path)


Link = collections.namedtuple("Link", "port reader baud device")


@pytest.fixture
def link(request, tmp_path):
    """Where hansim writes and what the reader opens: a PTY, or the --han-bench bench (whose
    `device`, when set, is the reader command run instead of han_reader.py)."""
    bench_file = request.config.getoption("--han-bench")
    if not bench_file:
        path = str(tmp_path / "ttyHAN")
        return Link(f"pty:{path}", path, None, "")
    bench = hansim.load_bench_file(bench_file, tmp_path)
    reason = bench.missing()
    if reason:
        pytest.skip(reason)
    return Link(bench.port, bench.reader, bench.baud, bench.device)


@pytest.fixture
def meters():
    started = []

    def start(profile, port, **settings):
        bench = hansim.MeterBench(profile, port=port, start=settings.pop("start", "2024-01-15T11:59:55Z"), **settings)
        started.append(bench)
        return bench

    yield start
    for bench in started:
        bench.close()


def read_with_reader(meter, link, duration, *, key_file=None, protocol=None, expect=None):
    """Starts the reader on the link, advances the meter, returns (frames, records). The
    reader is han_reader.py, or the bench's `device` command given the same options. It must
    print `expect(frames)` records (one a frame by default), no more."""
    res = meter.resolution
    han = meter.profile.startswith("kamstrup-") and meter.profile != "kamstrup-p1"
    protocol = protocol or ("han" if han else "p1")
    command = shlex.split(link.device.replace("{hil}", HIL)) if link.device else [sys.executable, READER]
    args = [*command, "--port", link.reader, "--protocol", protocol, "--idle-timeout", str(IDLE_S),
            "--energy-resolution", str(res["energy_wh"]), "--current-resolution", str(res["current_a"]),
            "--voltage-resolution", str(res["voltage_v"])]
    if link.baud:
        args += ["--baud", str(link.baud)]
    if key_file:
        args += ["--key-file", key_file]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines = []
    drain = threading.Thread(target=lambda: lines.extend(json.loads(line) for line in proc.stdout), daemon=True)
    drain.start()  # the reader must never block on a full stdout pipe
    try:
        time.sleep(0.1)  # let the reader open the port (what it misses stays in the PTY anyway)
        frames = meter.advance(duration)
        sent = time.monotonic()
        want = len(expect(frames)) if expect else len(frames)
        deadline = sent + 20
        while len(lines) < want and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        # A record too many shows by now: one for a whole frame at once, and one for bytes
        # left over (a piece, noise) once the line has been idle for the reader's timeout.
        quiet_until = max(time.monotonic() + 0.1, sent + IDLE_S + 0.3)
        while time.monotonic() < quiet_until and proc.poll() is None:
            time.sleep(0.05)
    finally:
        proc.terminate()
        err = proc.stderr.read()
        proc.wait(timeout=10)
        drain.join(timeout=5)
    assert len(lines) == want, (f"reader printed {len(lines)} records for {want} expected; "
                                f"records: {[(r['status'], r.get('reason')) for r in lines]}; "
                                f"stderr: {err.decode()[-500:]}")
    return frames, lines


def check_values(meter, frame, record):
    """An accepted record: the right list, and every numeric value of the frame reported
    within resolution (hansim.assertions, which knows each list's units and resolutions)."""
    assert record["status"] == "ok", (frame.sequence, frame.fault, record)
    assert record["list"] == frame.list, (frame.sequence, record["list"], frame.list)
    required = [obis for obis, *_ in expected_values(frame, meter.resolution).values()]
    meter.assert_reported(record, frame, require=required)


def check_all(meter, frames, records):
    """Plain runs: every frame accepted with its values."""
    assert len(records) == len(frames)
    for frame, record in zip(frames, records):
        check_values(meter, frame, record)


LIST_KINDS = [
    ("kamstrup-no-3p", {}, "1h"),                      # list 1 + list 2
    ("kamstrup-no-1p", {}, "30m"),                     # single phase with null placeholders
    ("kamstrup-no-3p-it", {}, "10m"),
    ("kamstrup-se-3p", {}, "10m"),                     # 1 Wh
    ("kamstrup-dk-3p", {"security": "none"}, "10m"),   # DLMS push 1
    ("kamstrup-dk-1p", {"security": "none"}, "10m"),
    ("kamstrup-dk-3p-ct", {"security": "none"}, "10m"),
    ("kamstrup-p1", {}, "10m"),
    ("sagemcom-t211", {}, "5m"),
    ("landisgyr-e360", {}, "5m"),
]


@pytest.mark.parametrize("profile,settings,duration", LIST_KINDS, ids=[k[0] for k in LIST_KINDS])
def test_every_list_kind_is_read_within_resolution(link, meters, profile, settings, duration):
    meter = meters(profile, link.port, seed=11, **settings)
    frames, records = read_with_reader(meter, link, duration)
    assert len(frames) > 10
    check_all(meter, frames, records)


@pytest.mark.parametrize("security", ["none", "encrypt", "authenticate", "encrypt+authenticate"])
@pytest.mark.parametrize("profile", ["kamstrup-dk-3p", "kamstrup-no-3p"])
def test_every_security_policy(link, meters, key_file, profile, security):
    meter = meters(profile, link.port, key_file=key_file, security=security, seed=3)
    frames, records = read_with_reader(meter, link, "3m", key_file=key_file)
    check_all(meter, frames, records)
    if security != "none":
        assert {r["security"] for r in records} == {security}


def test_ciphered_p1(link, meters, key_file):
    meter = meters("kamstrup-p1", link.port, key_file=key_file, security="encrypt+authenticate")
    frames, records = read_with_reader(meter, link, "2m", key_file=key_file, protocol="p1")
    check_all(meter, frames, records)
    assert {r["security"] for r in records} == {"encrypt+authenticate"}


# -- the fault catalogue ----------------------------------------------------------------------
#
# Every fault of `hansim faults`, through the reader over a PTY. The ground truth of each push
# (`fault_effect["pieces"]`) says which pieces of its bytes a correct reader must reject; the
# reader must print exactly one rejection for each of those and report every other frame
# within resolution. Two things the ground truth leaves to the reader's policy, and what this
# reader does:
#   * a piece marked `counter_anomaly` is flagged, not must-reject: the reader rejects a
#     replayed counter (not above the last one it accepted: replay protection, PROTOCOLS.md
#     §5.1 "must never repeat") and accepts a forward jump with its values;
#   * a pause inside a frame (`fault_effect["pauses"]`) breaks the frame for a reader whose
#     inter-byte timeout is shorter: it rejects the frame as incomplete, and takes the bytes
#     after the pause as its tail. A shorter pause must not break anything.

# The reader's reasons that fit each kind of must-reject piece (any rejection for the rest).
REASONS = {
    "garbage": {"garbage"},
    "bad_fcs": {"fcs_mismatch"},
    "bad_hcs": {"hcs_mismatch"},
    "missing_crc": {"missing_crc"},
    "ciphering": {"authentication_failed", "malformed_cipher", "unsupported_security"},
    "truncated": {"no_closing_flag", "incomplete_frame", "truncated_frame", "fcs_mismatch", "truncated_telegram"},
    "pause": {"incomplete_frame"},
}


def hansim_cli():
    build = os.environ.get("HANSIM_BUILD_DIR")
    return (pathlib.Path(build) if build else pathlib.Path(hansim.__file__).resolve().parents[2]) / "simulator" / "hansim"


def catalogue():
    """[(name, the protocols column, the ports column)] of `hansim faults`."""
    out = subprocess.run([str(hansim_cli()), "faults"], capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        return []
    rows = []
    for line in out.stdout.splitlines():
        cells = [c for c in line.split("  ") if c.strip()]
        rows.append((cells[0].strip(), cells[2].strip(), cells[3].strip()))
    return rows


CATALOGUE = catalogue()
LINE_FAULTS = [name for name, _, ports in CATALOGUE if ports == "serial port only"]

# How each fault is asked for here (default: "NAME@3,NAME@every:7"), with the timing faults
# once above and once far below the reader's timeout.
RULES = {
    "counter_stuck": "counter_stuck@3,counter_stuck@every:7",
    "list2_repeated": "list2_repeated@every:1",
    # cut at a random byte, and just before the closing CR LF / closing flag (at= is clamped to
    # the last byte that may be cut): the CRC complete, the frame still not
    "p1_cut": "p1_cut@3,p1_cut:at=8192@6,p1_cut@every:9",
    "truncated": "truncated@3,truncated:at=2048@6,truncated@every:9",
    "split_pause": "split_pause:ms=1500@3,split_pause:ms=40@6",
    "p1_split_pause": "p1_split_pause:ms=1500@3,p1_split_pause:ms=40@6",
    # a gap every 24 bytes, then one gap of a second (near the end of a HAN list 1, or of a P1
    # telegram)
    "char_gaps": "char_gaps:ms=20:every=24@3,char_gaps:ms=1000:every={long}@6",
}


def fault_cases():
    """(fault, profile) for every fault of the catalogue that a PTY can carry, on every kind
    of meter it applies to."""
    cases = []
    for name, protocols, ports in CATALOGUE:
        if ports == "serial port only":
            continue
        if protocols == "hdlc (ciphered)":
            cases.append((name, "kamstrup-dk-3p"))
            continue
        if "hdlc" in protocols:
            cases.append((name, "kamstrup-no-3p"))
        if "p1" in protocols:
            cases.append((name, "kamstrup-p1"))
    return cases


def expected_records(frames):
    """[(verdict, frame, why)], one for each record the reader must print: verdict "ok",
    "reject" or "counter" (a counter anomaly: the reader's policy, see above)."""
    out = []
    for frame in frames:
        effect = frame.fault_effect or {}
        pauses = [p["ms"] / 1000 for p in effect.get("pauses", [])]
        assert all(p >= 2 * IDLE_S or p <= IDLE_S / 5 for p in pauses), f"a pause too close to the timeout: {pauses}"
        broken_by_pause = any(p > IDLE_S for p in pauses)
        for piece in effect.get("pieces", [{"reject": False, "why": "frame"}]):
            why = piece["why"]
            if not piece["reject"] and why.startswith("noise"):
                continue  # a P1 reader skips what comes before '/'
            if piece["reject"]:
                out.append(("reject", frame, why))
            elif broken_by_pause:
                out.append(("reject", frame, "pause"))
            elif why == "counter_anomaly":
                out.append(("counter", frame, why))
            else:
                out.append(("ok", frame, why))
    return out


def check_faulted(meter, frames, records):
    """The reader rejected exactly the pieces the ground truth marks, with a fitting reason,
    and reported every other frame within resolution."""
    expect = expected_records(frames)
    last_counter = None
    for (verdict, frame, why), record in zip(expect, records):
        where = (frame.sequence, frame.fault, why, record.get("reason"), record.get("detail"))
        if verdict == "counter":
            replayed = last_counter is not None and frame.invocation_counter <= last_counter
            verdict = "reject" if replayed else "ok"
            why = "replayed" if replayed else why
        if verdict == "reject":
            assert record["status"] == "rejected", where
            wanted = REASONS.get(why, {"replayed_counter"} if why == "replayed" else None)
            assert wanted is None or record["reason"] in wanted, where
            continue
        check_values(meter, frame, record)
        if frame.invocation_counter is not None:
            last_counter = frame.invocation_counter


def test_the_catalogue_is_read_and_every_fault_is_covered():
    names = [name for name, _, _ in CATALOGUE]
    assert len(names) > 30, f"`{hansim_cli()} faults` listed {len(names)} faults"
    covered = {name for name, _ in fault_cases()} | set(LINE_FAULTS)
    assert covered == set(names)
    assert set(LINE_FAULTS) == {"wrong_parity", "wrong_baud", "line_break"}


@pytest.mark.parametrize("fault,profile", fault_cases(), ids=[f"{f}-{p}" for f, p in fault_cases()])
def test_every_fault_of_the_catalogue_through_the_reader(link, meters, key_file, fault, profile):
    rule = RULES.get(fault, f"{fault}@3,{fault}@every:7").format(long=256 if profile == "kamstrup-p1" else 200)
    settings = {"key_file": key_file} if profile == "kamstrup-dk-3p" else {}
    start = "2024-01-15T11:59:05Z"  # list 2 of 12:00:05 in the run
    meter = meters(profile, link.port, seed=5, faults=rule, start=start, **settings)
    frames, records = read_with_reader(meter, link, "2m30s", key_file=settings.get("key_file"),
                                       expect=expected_records)
    faulty = [f for f in frames if f.fault]
    assert faulty and all(f.fault == fault for f in faulty), [f.fault for f in frames]
    check_faulted(meter, frames, records)
    if "pause" in fault or fault == "char_gaps":
        # once broken by its pause, once not
        assert [v for v, f, _ in expected_records(faulty)].count("reject") >= 1
        assert any(v == "ok" for v, _, _ in expected_records(faulty))


def test_every_ciphering_fault_in_one_run(link, meters, key_file):
    """All ciphering faults of the catalogue one after another on one meter: the reader's
    counter state and resynchronisation carry across them."""
    faults = sorted(set(hansim._hansim.CIPHER_FAULTS))
    plan = ",".join(f"{fault}@{4 + 3 * i}" for i, fault in enumerate(faults))
    meter = meters("kamstrup-dk-3p", link.port, key_file=key_file, faults=plan)
    frames, records = read_with_reader(meter, link, f"{(8 + 3 * len(faults)) * 10}s", key_file=key_file,
                                       expect=expected_records)
    assert sorted(f.fault for f in frames if f.fault) == faults
    check_faulted(meter, frames, records)


@pytest.mark.parametrize("fault", LINE_FAULTS)
def test_line_faults_are_refused_on_a_pty(tmp_path, fault):
    """wrong_parity, wrong_baud and line_break change the UART for one push: a PTY has no
    line, so the meter refuses them up front and names the fault and the port, as
    `hansim run` does."""
    port = f"pty:{tmp_path}/ttyHAN"
    with pytest.raises(hansim.BenchError, match=f"{fault}.*(serial port|PTY)"):
        hansim.MeterBench("kamstrup-no-3p", port=port, faults=f"{fault}@2")
    bench = hansim.MeterBench("kamstrup-no-3p", port=port)
    try:
        with pytest.raises(hansim.BenchError, match=f"{fault}.*(serial port|PTY)"):
            bench.fault(f"{fault}@next")
    finally:
        bench.close()


# -- the clock and the mains: a DST night each way, and an outage ------------------------------

def test_dst_night_in_sweden(link, meters):
    """Spring forward 2024-03-31 01:00 UTC: the Swedish meter follows local time (CET/CEST),
    so what the reader prints jumps from 01:59:50 (DST flag off) to 03:00:00 (on), with no
    02:xx, and the energy of the list 2s runs on across it."""
    meter = meters("kamstrup-se-3p", link.port, start="2024-03-31T00:40:00Z")
    frames, records = read_with_reader(meter, link, "40m")
    check_all(meter, frames, records)
    clocks = [r["clock"] for r in records]
    jump = clocks.index("2024-03-31T01:59:50")
    assert clocks[jump + 1] == "2024-03-31T03:00:00"
    assert not any(c.startswith("2024-03-31T02:") for c in clocks)
    assert {r["dst"] for r in records[:jump + 1]} == {False} and {r["dst"] for r in records[jump + 1:]} == {True}
    list2 = [r for r in records if r["list"] == "list2"]
    assert [r["clock"] for r in list2] == ["2024-03-31T03:00:05"]


def test_dst_autumn_night_in_sweden(link, meters):
    """Fall back 2024-10-27 01:00 UTC: 02:59:50 CEST (DST on) is followed by 02:00:00 CET
    (off); the hour 02:xx is read twice, and both list 2s of 02:00:05 arrive."""
    meter = meters("kamstrup-se-3p", link.port, start="2024-10-26T23:55:00Z")
    frames, records = read_with_reader(meter, link, "1h10m")
    check_all(meter, frames, records)
    clocks = [r["clock"] for r in records]
    back = clocks.index("2024-10-27T02:59:50")
    assert clocks[back + 1] == "2024-10-27T02:00:00"
    assert records[back]["dst"] is True and records[back + 1]["dst"] is False
    list2 = [(r["clock"], r["dst"]) for r in records if r["list"] == "list2"]
    assert list2 == [("2024-10-27T02:00:05", True), ("2024-10-27T02:00:05", False)]
    energy = [r["values"]["1-1:1.8.0.255"] for r in records if r["list"] == "list2"]
    assert energy[1] > energy[0]  # the meter counts on through the repeated hour


def test_an_outage_at_accelerated_time(link, meters):
    """outage for 20 minutes of meter time, in a run advanced through 40 minutes in well under
    a second: the reader sees the gap (no frame in it, the next one at the first slot after
    the return), the values after it are right, and the energy registers (every DLMS push 1
    carries them) are flat across it and never go back (PROTOCOLS.md §8.6)."""
    meter = meters("kamstrup-dk-3p", link.port, security="none", start="2024-01-15T12:00:00Z")
    meter.set_load(3000)
    change = meter.event("outage@+10m/20m")
    assert change.at == "2024-01-15T12:10:00Z"
    frames, records = read_with_reader(meter, link, "40m")
    check_all(meter, frames, records)
    sends = [f.send for f in frames]
    assert not any("2024-01-15T12:10:00Z" <= t < "2024-01-15T12:30:00Z" for t in sends)
    clocks = [r["clock"] for r in records]  # CET
    gap = clocks.index("2024-01-15T13:09:50")
    assert clocks[gap + 1] == "2024-01-15T13:30:00"
    assert len(records) == 6 * 40 - 6 * 20
    energy = [r["values"]["1-1:1.8.0.255"] for r in records]
    assert energy == sorted(energy)  # monotonic
    # Across the outage only the 10 s before it count (3 kW x 10 s = 8.3 Wh, 10 Wh resolution);
    # 20 minutes of 3 kW would have been 1 kWh.
    assert energy[gap + 1] - energy[gap] <= 0.02
    assert energy[gap] - energy[gap - 1] == pytest.approx(energy[gap + 2] - energy[gap + 1], abs=0.02)
    after = meter.frame(sequence=frames[gap + 1].sequence)
    assert after.events and any(e.startswith("load=") for e in after.events)


# -- switching to encryption while the meter runs -------------------------------------------

def test_switching_a_plain_meter_to_encryption_live(link, meters, key_file, monkeypatch):
    """A meter started with no keys at all is switched to encrypt+authenticate with a key
    file given at the switch; the reader, given the same file, reads the plain frames before
    and the ciphered ones after, with their values."""
    monkeypatch.delenv("HANSIM_ENCRYPTION_KEY", raising=False)
    monkeypatch.delenv("HANSIM_AUTHENTICATION_KEY", raising=False)
    meter = meters("kamstrup-no-3p", link.port, start="2024-01-15T12:00:00Z")
    with pytest.raises(hansim.BenchError, match=r"this meter has no keys.*key_file=KEY_FILE"):
        meter.set_security("encrypt+authenticate")
    change = meter.set_security("encrypt+authenticate", at="+1m", key_file=key_file)
    assert change.at == "2024-01-15T12:01:00Z" and meter.key_file == key_file
    frames, records = read_with_reader(meter, link, "2m", key_file=meter.key_file)
    check_all(meter, frames, records)
    switched = [f.send >= "2024-01-15T12:01:00Z" for f in frames]
    assert switched.count(False) == 7 and switched.count(True) == 6  # list 2 of 12:00:05 among the plain
    assert [r["security"] for r in records] == ["encrypt+authenticate" if s else "none" for s in switched]
    assert [f.invocation_counter for f in frames if f.invocation_counter] == list(range(1, 7))


def test_keys_from_the_environment_serve_a_live_switch(link, meters, key_file, monkeypatch):
    """As `hansim run` does, a meter takes its keys from HANSIM_ENCRYPTION_KEY /
    HANSIM_AUTHENTICATION_KEY when it has no key file; a live switch to encryption then
    works, and a reader given the same keys in a file reads the frames."""
    ek, ak = (line.split("=")[1] for line in KEYS.splitlines())
    monkeypatch.setenv("HANSIM_ENCRYPTION_KEY", ek)
    monkeypatch.setenv("HANSIM_AUTHENTICATION_KEY", ak)
    meter = meters("kamstrup-dk-3p", link.port, security="none", start="2024-01-15T12:00:00Z")
    meter.set_security("encrypt")
    frames, records = read_with_reader(meter, link, "1m", key_file=key_file)
    check_all(meter, frames, records)
    assert {r["security"] for r in records} == {"encrypt"}
