"""`hansim run --port rfc2217:…`: pyserial's rfc2217:// client negotiates and receives frames."""
import re
import time

import pytest
import serial

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
