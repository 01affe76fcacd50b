"""`hansim run --port rfc2217:…`: pyserial's rfc2217:// client negotiates and receives frames."""
import re
import time

import pytest
import serial

from independent_decoder import decode_p1
from run_helpers import Running, load_summary, whole_frames

# pyserial's own rfc2217 module uses deprecated threading calls
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_pyserial_rfc2217_client_receives_whole_frames(hansim_bin, tmp_path):
    summary = tmp_path / "summary.json"
    # frames at 12:00:30 and :40 -> 1.0 s and 3.0 s after start at --speed 5
    run = Running(hansim_bin, "--port", "rfc2217:127.0.0.1:0", "--start", "2024-03-01T12:00:25Z", "--speed", 5,
                  "--duration", "20s", "--summary-json", summary)
    try:
        line = run.wait_for_line("rfc2217 127.0.0.1:")
        port = int(re.search(r"rfc2217 127\.0\.0\.1:(\d+)", line).group(1))
        client = serial.serial_for_url(f"rfc2217://127.0.0.1:{port}", baudrate=2400, timeout=0.2)
        data = b""
        until = time.monotonic() + 6
        try:
            while time.monotonic() < until:
                data += client.read(4096)
        except serial.SerialException:
            pass  # hansim closed the connection at the end of the run
        client.close()
        code, err = run.finish()
    finally:
        run.kill()
    assert code == 0, err
    frames = whole_frames(data)  # the 0xFF bytes in every frame arrive unescaped
    assert len(frames) == 2 and all(len(f) == 228 for f in frames)
    assert any(0xFF in f for f in frames)
    assert load_summary(summary)["total"]["frames_sent"] == 2


def test_a_client_asking_for_another_baud_rate_is_told_the_real_one(hansim_bin):
    run = Running(hansim_bin, "--port", "rfc2217:127.0.0.1:0", "--start", "2024-03-01T12:00:25Z", "--duration", "60s",
                  "--quiet")
    try:
        line = run.wait_for_line("rfc2217 127.0.0.1:")
        port = int(re.search(r"rfc2217 127\.0\.0\.1:(\d+)", line).group(1))
        # pyserial reports the refusal as "remote rejected value for option 'baudrate'"
        with pytest.raises((serial.SerialException, ValueError), match="baudrate|does not accept"):
            serial.serial_for_url(f"rfc2217://127.0.0.1:{port}", baudrate=9600, timeout=0.2)
    finally:
        run.terminate()
        run.finish()


def test_p1_data_request_follows_the_clients_dtr(hansim_bin, tmp_path):
    summary = tmp_path / "summary.json"
    # kamstrup-p1: a telegram every 10 s (at x4), 115200 8N1; --speed 10 -> one per second
    run = Running(hansim_bin, "--meter", "kamstrup-p1", "--port", "rfc2217:127.0.0.1:0", "--data-request", "dtr",
                  "--start", "2024-03-01T12:00:03Z", "--speed", 10, "--summary-json", summary, "--quiet")
    try:
        line = run.wait_for_line("rfc2217 127.0.0.1:")
        port = int(re.search(r"rfc2217 127\.0\.0\.1:(\d+)", line).group(1))
        client = serial.serial_for_url(f"rfc2217://127.0.0.1:{port}", baudrate=115200, timeout=0.1)  # DTR on
        requested = b""
        until = time.monotonic() + 2.2
        while time.monotonic() < until:
            requested += client.read(4096)
        client.dtr = False  # the reader releases data request
        time.sleep(0.3)
        client.read(4096)   # anything already under way
        released = b""
        until = time.monotonic() + 2.2
        while time.monotonic() < until:
            released += client.read(4096)
        client.close()
        run.terminate()
        code, err = run.finish()
    finally:
        run.kill()
    assert code == 0, err
    telegrams = [b"/" + t for t in requested.split(b"/")[1:]]
    assert len(telegrams) >= 2
    for telegram in telegrams:
        decode_p1(telegram)  # whole, CRC correct
    assert released == b""
    assert load_summary(summary)["total"]["lost_not_requested"] >= 2
