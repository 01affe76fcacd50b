"""The Python package: meters without waiting, decoding, meters running on a PTY."""
import os
import select
import time

import pytest

import hansim


EK = bytes.fromhex("000102030405060708090A0B0C0D0E0F")
AK = bytes.fromhex("D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF")


@pytest.fixture
def key_file(tmp_path):
    path = tmp_path / "keys.txt"
    path.write_text(f"encryption_key={EK.hex()}\nauthentication_key={AK.hex()}\n")
    path.chmod(0o600)
    return path


def test_profiles_cover_every_meter_of_the_brief():
    names = set(hansim.profiles())
    assert {"kamstrup-no-3p", "kamstrup-no-1p", "kamstrup-no-3p-it", "kamstrup-dk-3p", "kamstrup-dk-1p",
            "kamstrup-p1", "sagemcom-t211", "landisgyr-e360", "kaifa-ma304h4e", "kaifa-cl109",
            "itron-a300", "sanxing-sx631"} <= names


def test_an_hour_of_a_norwegian_meter_and_its_ground_truth():
    meter = hansim.Meter("kamstrup-no-3p", start="2024-01-15T12:00:00Z", seed=3)
    frames = meter.frames("1h")
    lists = [f.list for f in frames]
    assert lists.count("list1") == 360 and lists.count("list2") == 1
    for frame in frames[:5] + [f for f in frames if f.list == "list2"]:
        decoded = hansim.decode(frame.wire)
        assert len(decoded) == 1 and "error" not in decoded[0]
        for key, value in decoded[0]["values"].items():
            assert frame.values[key] == value, key
    # the next window continues where the first ended
    following = meter.frames("10s")
    assert [(f.list, f.scheduled) for f in following] == [("list1", "2024-01-15T13:00:00Z"),
                                                          ("list2", "2024-01-15T13:00:05Z")]


def test_ciphered_meter_decodes_only_with_its_keys(key_file):
    meter = hansim.Meter("kamstrup-dk-3p", start="2024-06-01T10:00:00Z", key_file=key_file)
    frame = meter.next()
    assert frame.list == "push1" and frame.invocation_counter is not None
    assert "values" not in hansim.decode(frame.wire)[0]
    opened = hansim.decode(frame.wire, encryption_key=EK, authentication_key=AK)[0]
    assert opened["values"] == {k: v for k, v in frame.values.items() if k in opened["values"]}
    wrong = hansim.decode(frame.wire, encryption_key=EK, authentication_key=bytes(16))[0]
    assert wrong["error_kind"] == "authentication_failed"


def test_errors_name_what_is_wrong(bad_input):
    bad_input.raises(ValueError, "unknown meter profile 'nope'", hansim.Meter, "nope")
    bad_input.raises(ValueError, "serial", hansim.Meter, "kamstrup-no-3p", serial="abc")
    bad_input.raises(ValueError, "needs keys", hansim.Meter, "kamstrup-dk-3p")
    bench = hansim.RunningMeter()
    bench.add("kamstrup-no-3p", port="pty:/nonexistent-dir/ttyX")
    bad_input.raises(ValueError, "/nonexistent-dir", bench.start)


def read_until_quiet(path, quiet=0.6, limit=20.0):
    fd = os.open(path, os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
    data, last = b"", time.monotonic()
    end = time.monotonic() + limit
    try:
        while time.monotonic() < end:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                data += chunk
                last = time.monotonic()
            elif data and time.monotonic() - last > quiet:
                break
    finally:
        os.close(fd)
    return data


def test_virtual_meter_on_a_pty_delivers_what_it_reports(virtual_meter):
    bench = virtual_meter("kamstrup-no-3p", start="2024-01-15T12:59:59Z", speed=1)
    data = read_until_quiet(bench.path)
    sent = bench.wait_for(1)
    assert data.startswith(sent[0].wire)
    decoded = hansim.decode(sent[0].wire)[0]
    assert decoded["values"]["1-1:1.7.0.255"] == sent[0].values["1-1:1.7.0.255"]
    assert sent[0].lateness_ms < 200
    bench.stop()
    assert not os.path.lexists(bench.path)


def test_p1_data_request_gates_the_telegrams(virtual_meter):
    bench = virtual_meter("kamstrup-p1", start="2024-01-15T12:00:00Z", speed=20, fast=True)
    bench.set_data_request(False)
    fd = os.open(bench.path, os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)  # a reader is there
    try:
        not_requested = bench.wait_for(2, outcome="not_requested", timeout=10)
        assert all(r.list == "p1" for r in not_requested)
        bench.set_data_request(True)
        sent = bench.wait_for(1, timeout=10)
    finally:
        os.close(fd)
    assert sent[0].wire.startswith(b"/KAM5")


def test_many_meters_in_one_session(tmp_path):
    bench = hansim.RunningMeter()
    for n in range(20):
        bench.add("kamstrup-no-1p", port=f"file:{tmp_path}/m{n}.bin", serial=10000000 + n, name=f"m{n}")
    bench.start(speed=60, fast=True, start="2024-01-15T12:00:00Z", duration="60s")
    assert bench.wait(30)
    for n in range(20):
        records = hansim.decode((tmp_path / f"m{n}.bin").read_bytes())
        # 12:00 UTC is 13:00 on the meter's CET clock: six list 1 and the hourly list 2
        assert sorted(r["list"] for r in records) == ["list1"] * 6 + ["list2"]
        assert all("error" not in r for r in records)
        assert records[0]["values"]["1-1:0.0.5.255"].startswith(f"5706567{10000000 + n}")


def test_blocking_calls_release_the_gil(tmp_path):
    import threading
    bench = hansim.run_meter("kamstrup-no-3p", port=f"file:{tmp_path}/out.bin", start="2024-01-15T12:00:00Z",
                             duration="20s", speed=10)
    ticks = []
    worker = threading.Thread(target=lambda: [ticks.append(time.sleep(0.01)) for _ in range(50)])
    worker.start()
    assert bench.wait(10)  # the native wait must not hold the GIL, or the worker stalls
    worker.join()
    assert len(ticks) == 50
    bench.stop()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="/dev/full not present")
def test_a_port_that_fails_for_good_says_why_in_failures(tmp_path):
    ok = hansim.RunningMeter()
    ok.add("kamstrup-no-1p", port=f"file:{tmp_path}/ok.bin")
    ok.start(speed=60, fast=True, start="2024-01-15T12:00:00Z", duration="30s")
    assert ok.wait(30)
    assert ok.failures == []
    full = hansim.RunningMeter()
    full.add("kamstrup-no-1p", port="file:/dev/full")
    assert full.failures == []  # nothing known before the run
    full.start(speed=60, fast=True, start="2024-01-15T12:00:00Z", duration="1h")
    assert full.wait(30)  # stops at the first failed write, long before its hour
    assert len(full.failures) == 1
    assert "/dev/full" in full.failures[0] and "No space left on device" in full.failures[0]
    assert [r.outcome for r in full.reports] == ["port_unavailable"]  # lost, never sent
    full.stop()
