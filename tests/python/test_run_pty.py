"""`hansim run` on a PTY, read with pyserial like a real HAN reader would."""
import os
import time

import pytest

from run_helpers import (CHAR_TIME_2400_8N1, Running, load_summary, open_reader, read_until_idle,
                         wait_for_path, whole_frames)

# list 1 at x0; at --speed 5 one every 2 s of real time, each 950 ms on the wire
START = "2024-03-01T12:00:28Z"


def test_reader_reopening_gets_whole_frames_and_missed_ones_are_counted_lost(hansim_bin, tmp_path):
    link = tmp_path / "ttyHAN0"
    summary = tmp_path / "summary.json"
    # frames at 12:00:30, :40, :50, 12:01:00 -> 0.4, 2.4, 4.4, 6.4 s after start
    run = Running(hansim_bin, "--port", f"pty:{link}", "--start", START, "--speed", 5,
                  "--duration", "40s", "--summary-json", summary)
    try:
        run.wait_for_line(str(link))
        received = []
        # session 1: frame 0, then close in the gap
        port = open_reader(link)
        received += whole_frames(b"".join(d for _, d in read_until_idle(port, 3.0)))
        port.close()
        time.sleep(1.6)  # frame 1 (2.4 s) goes out while nobody listens
        # session 2: frame 2; close and reopen at once between frames
        port = open_reader(link)
        received += whole_frames(b"".join(d for _, d in read_until_idle(port, 3.0)))
        port.close()
        time.sleep(0.1)
        # session 3: frame 3
        port = open_reader(link)
        received += whole_frames(b"".join(d for _, d in read_until_idle(port, 3.0)))
        port.close()
        code, err = run.finish()
    finally:
        run.kill()
    assert code == 0, err
    counters = load_summary(summary)["total"]
    assert len(received) == counters["frames_sent"] == 3
    assert counters["frames_lost"] == counters["lost_no_listener"] == 1
    assert len({f for f in received}) == 3  # three different frames
    assert not os.path.lexists(link)
    frame_lines = [line for line in run.lines if " list1 " in line]
    assert len(frame_lines) == 4 and sum("lost: no listener" in line for line in frame_lines) == 1


def test_measured_wire_duration_is_within_one_percent(hansim_bin, tmp_path):
    link = tmp_path / "ttyHAN0"
    run = Running(hansim_bin, "--port", f"pty:{link}", "--start", START, "--speed", 5, "--duration", "5s")
    try:
        run.wait_for_line(str(link))
        port = open_reader(link)
        reads = read_until_idle(port, 3.0)
        port.close()
        code, err = run.finish()
    finally:
        run.kill()
    assert code == 0, err
    frame = b"".join(d for _, d in reads)
    assert len(whole_frames(frame)) == 1 and len(frame) == 228
    # A UART delivers a character when its last bit has arrived: the frame's first bit left
    # one first-read's worth of characters before the first read.
    first_time, first_data = reads[0]
    measured = reads[-1][0] - first_time + len(first_data) * CHAR_TIME_2400_8N1
    nominal = 228 * CHAR_TIME_2400_8N1  # 0.950 s
    assert abs(measured - nominal) <= 0.01 * nominal, f"measured {measured * 1000:.1f} ms"


def test_sigterm_removes_the_link_and_flushes_counters(hansim_bin, tmp_path):
    link = tmp_path / "ttyHAN0"
    summary = tmp_path / "summary.json"
    ic_file = tmp_path / "ic.txt"
    keys = tmp_path / "keys.txt"
    keys.write_text("encryption_key=000102030405060708090A0B0C0D0E0F\n"
                    "authentication_key=D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF\n")
    keys.chmod(0o600)
    run = Running(hansim_bin, "--meter", "kamstrup-dk-3p", "--key-file", keys, "--ic-file", ic_file,
                  "--port", f"pty:{link}", "--start", START, "--speed", 10, "--fast",
                  "--summary-json", summary)
    try:
        run.wait_for_line(str(link))
        port = open_reader(link)
        reads = read_until_idle(port, 3.0)
        assert len(whole_frames(b"".join(d for _, d in reads))) >= 1
        assert os.path.islink(link)
        run.terminate()
        code, err = run.finish()
        port.close()
    finally:
        run.kill()
    assert code == 0, err
    assert not os.path.lexists(link)
    result = load_summary(summary)
    assert result["stopped_by_signal"] == 15
    assert result["total"]["frames_sent"] >= 1
    # A flushed store holds the exact next counter, not the 1000-counter reservation.
    next_counter = int(ic_file.read_text().split("=")[1])
    assert 1 < next_counter < 100
    assert any("stopped by signal 15" in line for line in run.lines)


@pytest.mark.parametrize("port, path", [
    ("pty:/nonexistent-hansim-dir/ttyHAN0", "/nonexistent-hansim-dir/ttyHAN0"),
    ("file:/nonexistent-hansim-dir/out.bin", "/nonexistent-hansim-dir/out.bin"),
])
def test_a_port_path_that_cannot_be_created_is_a_usage_error(bad_input, port, path):
    bad_input.cli("run", "--port", port, "--duration", "10s", expect=path, timeout=10)


def test_a_stale_link_from_a_crash_is_replaced(hansim_bin, tmp_path):
    link = tmp_path / "ttyHAN0"
    os.symlink("/dev/pts/99999", link)
    run = Running(hansim_bin, "--port", f"pty:{link}", "--start", START, "--speed", 5, "--duration", "1s")
    try:
        line = run.wait_for_line(str(link))
        assert os.readlink(link).startswith("/dev/pts/") and os.readlink(link) in line
        code, err = run.finish()
    finally:
        run.kill()
    assert code == 0, err
    assert not os.path.lexists(link)
