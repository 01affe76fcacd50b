"""`hansim run` as a raw TCP server (ser2net style): every client gets the same stream."""
import re
import socket
import threading
import time

from run_helpers import Running, load_summary, whole_frames


def receive_all(sock, until):
    data = b""
    sock.settimeout(0.2)
    while time.monotonic() < until:
        try:
            chunk = sock.recv(4096)
        except socket.timeout:
            continue
        if not chunk:
            break
        data += chunk
    return data


def test_two_clients_at_once_receive_identical_frames(hansim_bin, tmp_path):
    summary = tmp_path / "summary.json"
    # frames at 12:00:30 and :40 -> 0.8 s and 2.8 s after start at --speed 5
    run = Running(hansim_bin, "--port", "tcp:127.0.0.1:0", "--start", "2024-03-01T12:00:26Z", "--speed", 5,
                  "--duration", "20s", "--summary-json", summary)
    try:
        line = run.wait_for_line("tcp 127.0.0.1:")
        port = int(re.search(r"tcp 127\.0\.0\.1:(\d+)", line).group(1))
        first = socket.create_connection(("127.0.0.1", port))
        second = socket.create_connection(("127.0.0.1", port))
        until = time.monotonic() + 6
        results = {}
        threads = [threading.Thread(target=lambda s=s, k=k: results.__setitem__(k, receive_all(s, until)))
                   for k, s in (("first", first), ("second", second))]
        for t in threads:
            t.start()
        code, err = run.finish()
        for t in threads:
            t.join()
        first.close()
        second.close()
    finally:
        run.kill()
    assert code == 0, err
    assert results["first"] == results["second"]
    frames = whole_frames(results["first"])
    assert len(frames) == 2
    assert all(len(f) == 228 for f in frames)
    assert load_summary(summary)["total"]["frames_sent"] == 2
