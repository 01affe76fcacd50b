"""Live control of running meters from Python (MeterBench.event/fault and the helpers, the
Session's event/fault): every change checked in the ground truth of the frames and in what a
reader took off the PTY (hansim's decoder on a tap, the reference reader for the fault)."""
import json
import os
import pathlib
import subprocess
import sys
import time

import pytest

import hansim

REPO = pathlib.Path(__file__).resolve().parents[2]
READER = REPO / "hil" / "han_reader.py"
EK1, AK1 = "000102030405060708090A0B0C0D0E0F", "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF"
EK2, AK2 = "101112131415161718191A1B1C1D1E1F", "E0E1E2E3E4E5E6E7E8E9EAEBECEDEEEF"
START = "2024-01-15T12:00:00Z"
IMPORT = "1-1:1.7.0.255"


def key_file(folder, name, ek, ak):
    path = folder / name
    path.write_text(f"encryption_key={ek}\nauthentication_key={ak}\n")
    path.chmod(0o600)
    return str(path)


@pytest.fixture
def bench(tmp_path):
    """An unpaced kamstrup-no-3p on a fresh PTY with a tap reading it."""
    meter = hansim.MeterBench("kamstrup-no-3p", port=f"pty:{tmp_path}/ttyHAN", start=START, jitter="none")
    tap = hansim.Tap(meter.path)
    yield meter, tap
    tap.close()
    meter.close()


def frames_after(meter, before):
    return meter.sent[before:]


def test_a_load_change_shows_in_the_next_frame_and_on_the_wire(bench):
    meter, tap = bench
    meter.advance("1m")
    before = len(meter.sent)
    change = meter.set_load(3000)
    assert change.applied == "load=3000@2024-01-15T12:01:00Z" and change.meter_now == "2024-01-15T12:01:00Z"
    sent = meter.advance("30s")
    assert sent[0].values[IMPORT] == 3000 and sent[0].events == [change.applied]
    assert all(f.values[IMPORT] == 3000 for f in sent if f.list == "list1")
    got = tap.wait_for(len(meter.sent))
    assert [g["values"][IMPORT] for g in got[before:]] == [3000] * len(sent)
    assert all(g["values"][IMPORT] != 3000 for g in got[:before])


def test_per_phase_power_voltage_and_power_factor(bench):
    meter, tap = bench
    meter.advance("10s")
    meter.set_load([1000, 2000, 500])
    meter.set_voltage(240)
    meter.set_power_factor(0.8)
    sent = meter.advance("20s")
    frame = sent[0]
    assert len(frame.events) == 3
    values = frame.values  # list 1: P+, Q+ (W, var), currents (0.01 A) and voltages (V) per phase
    assert values[IMPORT] == 3500 and values["1-1:3.7.0.255"] == 2625  # Q = P tan(acos 0.8)
    currents = [values[k] / 100 for k in ("1-1:31.7.0.255", "1-1:51.7.0.255", "1-1:71.7.0.255")]
    volts = [values[k] for k in ("1-1:32.7.0.255", "1-1:52.7.0.255", "1-1:72.7.0.255")]
    assert all(abs(u - 240) <= 3 for u in volts)
    for watts, amps, u in zip((1000, 2000, 500), currents, volts):
        assert abs(amps - watts / (u * 0.8)) <= 0.01 * amps + 0.01, (watts, amps, u)  # U on the wire: whole volts
    decoded = tap.wait_for(len(meter.sent))[-len(sent):]
    assert [d["values"] for d in decoded] == [f.values for f in sent]


def test_a_fault_marks_exactly_the_frames_it_broke_and_the_reader_rejects_those(tmp_path):
    meter = hansim.MeterBench("kamstrup-no-3p", port=f"pty:{tmp_path}/ttyHAN", start=START, jitter="none")
    out = tmp_path / "reader.jsonl"
    reader = subprocess.Popen([sys.executable, str(READER), "--port", meter.path, "--frames", "9"],
                              stdout=out.open("w"))
    try:
        meter.advance("30s")  # 12:00:00, list 2 at 12:00:05, 12:00:10, 12:00:20
        change = meter.fault("bad_fcs@next:2")
        assert change.applied == "bad_fcs@4-5"
        meter.advance("50s")
        reader.wait(timeout=30)
    finally:
        meter.close()
    marked = [f.sequence for f in meter.sent if f.fault]
    assert marked == [4, 5] and all(meter.sent[s].fault_effect["pieces"][0]["reject"] for s in marked)
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["status"] for line in lines] == ["rejected" if f.fault else "ok" for f in meter.sent]
    assert {lines[s]["reason"] for s in marked} == {"fcs_mismatch"}


def test_a_key_change_decrypts_with_the_new_key_from_the_right_frame_on(tmp_path):
    keys1 = key_file(tmp_path, "k1.txt", EK1, AK1)
    keys2 = key_file(tmp_path, "k2.txt", EK2, AK2)
    meter = hansim.MeterBench("kamstrup-dk-3p", port=f"pty:{tmp_path}/ttyDK", start=START, key_file=keys1,
                              jitter="none")
    tap = hansim.Tap(meter.path)
    try:
        meter.advance("30s")
        first_new = len(meter.sent)
        change = meter.switch_keys(keys2)
        assert change.applied == f"key_change={keys2}@2024-01-15T12:00:30Z" and meter.key_file == keys2
        meter.advance("30s")
        tap.wait_for(len(meter.sent))
        data = tap.data
    finally:
        tap.close()
        meter.close()
    with_old = hansim.decode(data, encryption_key=bytes.fromhex(EK1), authentication_key=bytes.fromhex(AK1))
    with_new = hansim.decode(data, encryption_key=bytes.fromhex(EK2), authentication_key=bytes.fromhex(AK2))
    assert len(with_old) == len(with_new) == len(meter.sent)
    ok_old = ["error" not in r for r in with_old]
    ok_new = ["error" not in r for r in with_new]
    assert ok_old == [i < first_new for i in range(len(meter.sent))]
    assert ok_new == [i >= first_new for i in range(len(meter.sent))]
    assert meter.sent[first_new].events == [change.applied]


def test_security_switch_and_clock_jump_show_in_the_frames(tmp_path):
    keys = key_file(tmp_path, "k.txt", EK1, AK1)
    meter = hansim.MeterBench("kamstrup-no-3p", port=f"pty:{tmp_path}/ttyHAN", start=START, key_file=keys,
                              jitter="none")
    tap = hansim.Tap(meter.path)
    try:
        meter.advance("20s")
        meter.jump_clock("+1h")
        jumped = meter.advance("10s")
        assert hansim.bench.frame_clock(jumped[0]).startswith("2024-01-15T14:00:")  # CET wall clock + 1 h
        meter.set_security("encrypt+authenticate")
        ciphered = meter.advance("10s")
        assert ciphered[0].invocation_counter is not None
        tap.wait_for(len(meter.sent))
        data = tap.data
    finally:
        tap.close()
        meter.close()
    records = hansim.decode(data, encryption_key=bytes.fromhex(EK1), authentication_key=bytes.fromhex(AK1))
    assert records[-1]["decrypted"] is True and "error" not in records[-1]
    plain_jumped = records[-2]
    assert plain_jumped["date_time"].startswith("2024-01-15T14:00:"), plain_jumped


def test_outage_and_data_request_on_an_unpaced_p1_meter(tmp_path):
    meter = hansim.MeterBench("kamstrup-p1", port=f"pty:{tmp_path}/ttyP1", start=START, jitter="none")
    tap = hansim.Tap(meter.path, baud=115200)
    try:
        meter.advance("20s")
        meter.set_data_request(False, lasting="25s")
        assert meter.advance("30s") == []
        meter.event("outage@+15s/30s")
        sent = meter.advance("1m")
        assert [f.scheduled[11:19] for f in sent] == ["12:00:54", "12:01:04", "12:01:44"]  # P1 at x4 s; off 12:01:05..35
        assert sent[0].silenced_before == 3
        assert len(tap.wait_for(len(meter.sent))) == len(meter.sent) == 5
    finally:
        tap.close()
        meter.close()


def test_a_paced_meter_changes_while_it_runs(tmp_path):
    meter = hansim.MeterBench("kamstrup-no-3p", port=f"pty:{tmp_path}/ttyHAN", paced=True, speed=100,
                              start=START, fast=True, jitter="none")
    tap = hansim.Tap(meter.path)
    try:
        meter.wait_for(2)
        change = meter.set_load(4321)
        fault = meter.fault("bad_fcs")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            reports = meter._running.reports
            if sum(1 for r in reports if r.events) >= 4:
                break
            time.sleep(0.05)
        sent = [r for r in meter._running.reports if r.outcome == "sent"]
    finally:
        meter.close()
        tap.close()
    changed = [r for r in sent if r.events]
    assert changed and all(r.events == [change.applied] for r in changed)
    assert all(r.values[IMPORT] == 4321 for r in changed if r.list == "list1")
    first = sent.index(changed[0])
    assert all(not r.events for r in sent[:first]) and all(r.events for r in sent[first:])
    broken = [r for r in sent if r.fault]
    assert len(broken) == 1 and fault.applied == f"bad_fcs@{broken[0].sequence}"


def test_bad_live_changes_say_what_is_wrong_and_change_nothing(bad_input, tmp_path):
    meter = hansim.MeterBench("kamstrup-no-3p", port=f"pty:{tmp_path}/ttyHAN", start=START)
    tap = hansim.Tap(meter.path)
    try:
        meter.advance("10s")
        bad_input.raises(hansim.BenchError, r"event 'lod=3kW': kind: unknown event kind 'lod' \(known: load,",
                         meter.event, "lod=3kW")
        bad_input.raises(hansim.BenchError, r"event 'load=lots': load: expected W \| constant:W", meter.event,
                         "load=lots")
        bad_input.raises(hansim.BenchError, r"event 'outage': for: missing: outage needs a duration", meter.event,
                         "outage")
        bad_input.raises(hansim.BenchError, r"is before the meter's time now \(2024-01-15T12:00:10Z\)", meter.event,
                         "load=1@2024-01-15T11:00:00Z")
        bad_input.raises(hansim.BenchError, r"fault 'bad_fsc': unknown fault 'bad_fsc'",
                         meter.fault, "bad_fsc")
        bad_input.raises(hansim.BenchError, r"push 0 was already built; the next push is", meter.fault, "bad_fcs@0")
        bad_input.raises(hansim.BenchError, r"p1_cut is a P1 fault", meter.fault, "p1_cut")
        bad_input.raises(hansim.BenchError, r"set_security\('encrypt'\): this meter has no keys: .* Give it keys: "
                         r"set_security\('encrypt', key_file=KEY_FILE\)", meter.set_security, "encrypt")
        bad_input.raises(hansim.BenchError, r"key_change.*/hansim-no-such-keys.txt", meter.switch_keys,
                         "/hansim-no-such-keys.txt")
        sent = meter.advance("30s")
        assert all(not f.events and not f.fault for f in sent)
    finally:
        tap.close()
        meter.close()
    session = hansim.RunningMeter()
    session.add("kamstrup-no-3p", port=f"pty:{tmp_path}/ttyS")
    bad_input.raises(ValueError, r"start\(\) the meters before changing them", session.event, "load=1")


def test_port_specs_are_parsed_by_hansim(bad_input):
    spec = hansim._hansim.parse_port_spec("serial:/dev/ttyUSB0:2400:8E1")
    assert (spec.kind, spec.path, spec.line) == ("serial", "/dev/ttyUSB0", "2400 8E1")
    spec = hansim._hansim.parse_port_spec("tcp:127.0.0.1:7000")
    assert (spec.kind, spec.host, spec.tcp_port, spec.path) == ("tcp", "127.0.0.1", 7000, "")
    assert hansim.bench.port_path("pty:/tmp/x/ttyHAN") == "/tmp/x/ttyHAN"
    assert hansim.bench.port_path("tcp:127.0.0.1:7000") == "tcp:127.0.0.1:7000"
    bad_input.raises(hansim.BenchError, r"port 'ptty:/tmp/x': ", hansim.MeterBench, "kamstrup-no-3p",
                     port="ptty:/tmp/x")
