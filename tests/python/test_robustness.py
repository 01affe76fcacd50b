"""Around the process: shared counter stores, full disks, stalled readers, signals, file limits.

Each test here is the regression test of a defect found by trying hansim as a hostile user
would (issue 13) and fails without its fix.
"""
import json
import os
import re
import signal
import socket
import subprocess
import time

import pytest

from run_helpers import Running, whole_frames

START = "2024-01-15T12:00:00Z"
KEYS = ("encryption_key=000102030405060708090A0B0C0D0E0F\n"
        "authentication_key=D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF\n")


def write_keys(tmp_path):
    keys = tmp_path / "keys.txt"
    keys.write_text(KEYS)
    keys.chmod(0o600)
    return keys


def test_a_second_process_on_one_counter_store_is_refused(hansim_bin, bad_input, tmp_path):
    keys = write_keys(tmp_path)
    store = tmp_path / "ic.txt"
    common = ["--meter", "kamstrup-dk-3p", "--key-file", "{tmp}/keys.txt", "--ic-file", "{tmp}/ic.txt",
              "--start", START, "--fast", "--speed", "50"]
    first = Running(hansim_bin, *[str(a).replace("{tmp}", str(tmp_path)) for a in common],
                    "--port", f"file:{tmp_path / 'first.bin'}", "--duration", "1h")
    try:
        first.wait_for_line("hansim run:")
        bad_input.cli("run", *common, "--port", "file:{tmp}/second.bin", "--duration", "1m", code=1,
                      input="the store held by a running hansim",
                      expect=["invocation counter store {tmp}/ic.txt: in use by another hansim",
                              "Give each meter its own store file"])
        assert not (tmp_path / "second.bin").exists() or (tmp_path / "second.bin").stat().st_size == 0
        first.terminate()
        code, err = first.finish()
        assert code == 0, err
    finally:
        first.kill()
    # Once the first has stopped, the store is free again and continues above it.
    again = Running(hansim_bin, *[str(a).replace("{tmp}", str(tmp_path)) for a in common],
                    "--port", f"file:{tmp_path / 'third.bin'}", "--duration", "20s")
    code, err = again.finish()
    assert code == 0, err
    assert store.exists() and keys.exists()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="/dev/full not present")
def test_a_full_disk_is_a_runtime_error_and_no_frame_counts_as_sent(bad_input, tmp_path):
    bad_input.cli("run", "--port", "file:/dev/full", "--start", START, "--fast", "--speed", "100",
                  "--duration", "1m", "--summary-json", "{tmp}/summary.json", code=1, input="a full disk",
                  expect="file /dev/full: write failed: No space left on device")
    total = json.loads((tmp_path / "summary.json").read_text())["total"]
    assert total["frames_sent"] == 0 and total["frames_lost"] >= 1, total


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="/dev/full not present")
def test_a_summary_on_a_full_disk_is_a_runtime_error(bad_input):
    bad_input.cli("run", "--port", "file:{tmp}/out.bin", "--start", START, "--fast", "--speed", "100",
                  "--duration", "20s", "--summary-json", "/dev/full", code=1, input="a full disk",
                  expect="cannot write summary /dev/full: No space left on device")


def test_profiles_show_their_caveats(hansim_bin):
    out = subprocess.run([str(hansim_bin), "profiles"], capture_output=True, text=True, check=True).stdout
    blocks = {}
    name = None
    for line in out.splitlines():
        if line and not line.startswith(" "):
            name = line.split()[0]
            blocks[name] = ""
        else:
            blocks[name] += line.strip() + " "
    for unseen in ("itron-a300", "kaifa-cl109", "sanxing-sx631"):
        assert "caveat:" in blocks[unseen] and "no public capture" in blocks[unseen] or "unknown" in blocks[unseen], \
            (unseen, blocks[unseen])
    assert "caveat:" in blocks["kamstrup-ch-3p"] and "clock" in blocks["kamstrup-ch-3p"]
    assert blocks["kamstrup-no-3p"] == ""
    assert all(len(line) <= 100 for line in out.splitlines() if line.startswith(" "))  # wrapped caveats


def test_sighup_stops_the_run_and_removes_the_pty_link(hansim_bin, tmp_path):
    link = tmp_path / "ttyFIXES"
    summary = tmp_path / "summary.json"
    run = Running(hansim_bin, "--port", f"pty:{link}", "--start", START, "--summary-json", summary)
    try:
        run.wait_for_line(str(link))
        assert os.path.islink(link)
        run.proc.send_signal(signal.SIGHUP)
        code, err = run.finish()
    finally:
        run.kill()
    assert code == 0, err
    assert not os.path.lexists(link), "SIGHUP left the PTY link behind"
    assert json.loads(summary.read_text())["stopped_by_signal"] == signal.SIGHUP


def test_a_half_closed_tcp_client_keeps_receiving(hansim_bin):
    # frames at 12:00:30, :40, :50 -> 0.8 s, 2.8 s and 4.8 s after start at --speed 5
    run = Running(hansim_bin, "--port", "tcp:127.0.0.1:0", "--start", "2024-03-01T12:00:26Z", "--speed", 5,
                  "--fast", "--duration", "30s")
    try:
        line = run.wait_for_line("tcp 127.0.0.1:")
        port = int(re.search(r"tcp 127\.0\.0\.1:(\d+)", line).group(1))
        client = socket.create_connection(("127.0.0.1", port))
        client.shutdown(socket.SHUT_WR)  # "I have nothing to say", as `nc -N` or a read-only tool does
        data = b""
        client.settimeout(0.2)
        until = time.monotonic() + 8
        while time.monotonic() < until:
            try:
                chunk = client.recv(4096)
            except socket.timeout:
                continue
            if not chunk:
                break
            data += chunk
        client.close()
        code, err = run.finish()
    finally:
        run.kill()
    assert code == 0, err
    assert len(whole_frames(data)) == 3, f"{len(data)} bytes: the half-closed client was dropped"


def test_a_key_pasted_as_the_key_file_path_is_not_echoed(bad_input):
    result = bad_input.cli("generate", "--meter", "kamstrup-dk-3p", "--key-file", "000102030405060708090A0B0C0D0E0F",
                           "--duration", "10s", expect=["<32 hex digits, not shown>", "never a key itself"])
    assert "0405060708" not in result.stderr + result.stdout


def test_a_scenario_key_given_twice_names_file_line_and_key(bad_input):
    bad_input.cli("generate", "--scenario", "{tmp}/twice.yaml", "--duration", "10s",
                  files={"twice.yaml": "start: 2024-01-15T12:00:00Z\nmeters:\n  - name: a\n    serial: 1\n"
                                       "    serial: 2\n"},
                  expect="{tmp}/twice.yaml:5: meters[0].serial: duplicate key (first given on line 4)")


def test_a_huge_scenario_is_refused_before_it_is_parsed(bad_input, tmp_path):
    huge = tmp_path / "huge.yaml"
    with open(huge, "w") as out:
        out.write("start: 2024-01-15T12:00:00Z\nmeters:\n  - name: a\n")
        comment = "# " + "x" * 1000 + "\n"
        for _ in range(50_000):
            out.write(comment)
    size = huge.stat().st_size
    bad_input.cli("run", "--scenario", "{tmp}/huge.yaml", "--duration", "10s", input="a 50 MB scenario",
                  expect=f"{{tmp}}/huge.yaml: the scenario is {size} bytes; at most 1048576 are read")
