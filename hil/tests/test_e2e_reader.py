"""End to end: the reference reader (hil/han_reader.py, a separate program) reads hansim
over a PTY, or over the real bench given with --han-bench FILE, and must report every frame's
values within resolution and reject exactly the frames the ground truth marks.

Every meter here is unpaced: `advance` writes each push as fast as the reader takes it, so an
hour of list 1 takes well under a second of writing. Each test has its own PTY in its own
temporary folder, so the suite runs under pytest-xdist (-n auto) without clashes."""
import collections
import json
import os
import shlex
import subprocess
import sys
import threading
import time

import pytest

import hansim

HIL = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
READER = os.path.join(HIL, "han_reader.py")
KEYS = ("encryption_key=000102030405060708090A0B0C0D0E0F\n"
        "authentication_key=D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF\n")

# How the reference reader treats a frame carrying each ciphering fault (SC 0x30): rejected
# with this reason, or accepted (a forward jump of the invocation counter is legal).
FAULT_VERDICT = {
    "wrong_encryption_key": "authentication_failed",
    "wrong_authentication_key": "authentication_failed",
    "corrupted_tag": "authentication_failed",
    "counter_stuck": "replayed_counter",
    "counter_backwards": "replayed_counter",
    "counter_jump": None,
    "empty_system_title": "malformed_cipher",
    "foreign_system_title": "authentication_failed",
    "sc_mismatch": "authentication_failed",
    "length_off_by_one": "malformed_cipher",
}


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


def read_with_reader(meter, link, duration, *, key_file=None, protocol=None):
    """Starts the reader on the link, advances the meter, returns (frames, records). The
    reader is han_reader.py, or the bench's `device` command given the same options."""
    res = meter.resolution
    han = meter.profile.startswith("kamstrup-") and meter.profile != "kamstrup-p1"
    protocol = protocol or ("han" if han else "p1")
    command = shlex.split(link.device.replace("{hil}", HIL)) if link.device else [sys.executable, READER]
    args = [*command, "--port", link.reader, "--protocol", protocol, "--idle-timeout", "0.3",
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
        deadline = time.monotonic() + 20
        while len(lines) < len(frames) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
    finally:
        proc.terminate()
        err = proc.stderr.read()
        proc.wait(timeout=10)
        drain.join(timeout=5)
    assert len(lines) == len(frames), (f"reader printed {len(lines)} records for {len(frames)} frames; "
                                       f"stderr: {err.decode()[-500:]}")
    return frames, lines


def check_all(meter, frames, records):
    for frame, record in zip(frames, records):
        expected_reason = FAULT_VERDICT.get(frame.fault) if frame.fault else None
        if expected_reason:
            assert record["status"] == "rejected" and record["reason"] == expected_reason, (frame.fault, record)
            continue
        assert record["status"] == "ok", (frame.sequence, frame.fault, record)
        assert record["list"] == frame.list
        meter.assert_reported(record, frame)


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


def test_every_ciphering_fault_is_rejected_exactly(link, meters, key_file):
    faults = sorted(set(hansim._hansim.CIPHER_FAULTS))
    assert set(faults) == set(FAULT_VERDICT), "a new fault needs its expected reader verdict here"
    plan = ",".join(f"{fault}@{4 + 3 * i}" for i, fault in enumerate(faults))
    meter = meters("kamstrup-dk-3p", link.port, key_file=key_file, faults=plan)
    frames, records = read_with_reader(meter, link, f"{(8 + 3 * len(faults)) * 10}s", key_file=key_file)
    assert sorted(f.fault for f in frames if f.fault) == faults
    check_all(meter, frames, records)


def test_dst_night_in_sweden(link, meters):
    # Spring forward 2024-03-31 01:00 UTC; the Swedish meter follows local time (CET/CEST).
    meter = meters("kamstrup-se-3p", link.port, start="2024-03-31T00:40:00Z")
    frames, records = read_with_reader(meter, link, "40m")
    check_all(meter, frames, records)
    clocks = [r["clock"] for r in records]
    assert "2024-03-31T01:59:50" in clocks and "2024-03-31T03:00:00" in clocks
    assert not any(c.startswith("2024-03-31T02:") for c in clocks)

