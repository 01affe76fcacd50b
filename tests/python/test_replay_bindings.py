"""hansim.replay from Python: a capture sent on a PTY read by a Python thread in the same
process (which only works because the GIL is released while replay blocks), and bad files."""
import os
import select
import threading
import time

import pytest
import serial

import hansim
from capture_helpers import read_capture, transmissions
from run_helpers import whole_frames


def test_replay_on_a_pty_read_by_a_python_thread(data_dir, tmp_path):
    capture = data_dir / "captures" / "nve_list1_list2.capture"
    link = tmp_path / "ttyPyReplay"
    received = []

    def reader():
        deadline = time.monotonic() + 10
        while not os.path.lexists(link) and time.monotonic() < deadline:
            time.sleep(0.005)
        port = serial.Serial(str(link), 2400, timeout=0)
        while time.monotonic() < deadline and sum(len(d) for _, d in received) < 530:
            ready, _, _ = select.select([port.fileno()], [], [], 0.05)
            if ready:
                received.append((time.monotonic(), os.read(port.fileno(), 4096)))
        port.close()

    thread = threading.Thread(target=reader)
    thread.start()
    summary = hansim.replay(capture, port=f"pty:{link}", speed=2)
    thread.join()
    assert isinstance(summary, hansim.ReplaySummary)
    assert summary.frames_sent == 2 and summary.frames_lost == 0 and summary.bytes_sent == 530
    stream = b"".join(d for _, d in received)
    _, recorded, _ = read_capture(capture)
    assert stream == b"".join(d for _, d in recorded)
    assert [len(f) for f in whole_frames(stream)] == [228, 302]
    (t0, _), (t1, _) = transmissions(received)
    assert t1 - t0 == pytest.approx(4.0 / 2, rel=0.01)  # list 1 at +1 s, list 2 at +5 s, speed 2


def test_replay_of_a_bad_file_names_file_and_line(bad_input, data_dir, tmp_path):
    bad = data_dir / "captures" / "backwards.capture"
    bad_input.raises(ValueError, rf"{bad}:3: time goes backwards", hansim.replay, bad, port=f"file:{tmp_path / 'out.bin'}")
    summary = hansim.replay(bad, port=f"file:{tmp_path / 'out.bin'}", skip_bad=True, fast=True, speed=100)
    assert summary.frames_sent == 2
    assert (tmp_path / "out.bin").read_bytes() == bytes.fromhex("7EA02113")
    bad_input.raises(ValueError, "line: ", hansim.replay, bad, port=f"file:{tmp_path / 'out.bin'}", skip_bad=True,
                     line="2400:9Q1")
