"""`hansim record` and `hansim replay` through PTYs and TCP: bytes exact, timing within 1 %,
captures that survive kill -9, unplug/reopen events, imports and bad files."""
import json
import os
import re
import signal
import subprocess
import time

import pytest

from capture_helpers import (kill, read_capture, start, stop, transmissions, wait_for, wait_for_data_lines)
from run_helpers import whole_frames

# list 1 at x0 s; at --speed 5 one every 2 s of real time, the first 1.8 s after the start (time
# for a recorder to start, also when the replay of its recording begins)
START = "2024-03-01T12:00:21Z"


def run_meter(hansim_bin, port, duration="30s", *extra):
    return start(hansim_bin, "run", "--port", port, "--start", START, "--speed", 5, "--duration", duration, *extra)


def test_record_of_a_run_then_replay_reproduces_bytes_and_timing(hansim_bin, tmp_path):
    first, second = tmp_path / "ttyMeter", tmp_path / "ttyReplay"
    recorded, replayed = tmp_path / "meter.capture", tmp_path / "replayed.capture"
    run = run_meter(hansim_bin, f"pty:{first}")
    procs = [run]
    try:
        wait_for(lambda: os.path.lexists(first), what="the meter's PTY")
        recorder = start(hansim_bin, "record", "--port", f"pty:{first}", "--out", recorded)
        procs.append(recorder)
        run.communicate(timeout=20)
        assert run.returncode == 0
        code, _, err = stop(recorder)
        assert code == 0, err
        assert "closed" in err  # the meter went away while recording

        replay = start(hansim_bin, "replay", recorded, "--port", f"pty:{second}")
        procs.append(replay)
        wait_for(lambda: os.path.lexists(second), what="the replay's PTY")
        recorder = start(hansim_bin, "record", "--port", f"pty:{second}", "--out", replayed)
        procs.append(recorder)
        out, err = replay.communicate(timeout=20)
        assert replay.returncode == 0, err
        code, _, err = stop(recorder)
        assert code == 0, err
    finally:
        kill(*procs)

    header, original, events = read_capture(recorded)
    assert header["line"] == "2400:8N1" and header["port"] == f"pty:{first}"
    assert [e[1] for e in events][:1] == ["opened"]
    sent = transmissions(original)
    assert len(sent) == 3  # list 1 at :30, :40, :50
    for _, frame in sent:
        assert len(whole_frames(frame)) == 1  # a whole, valid HDLC frame (independent decoder)

    _, again, _ = read_capture(replayed)
    assert b"".join(d for _, d in again) == b"".join(d for _, d in original), out  # bytes exact
    resent = transmissions(again)
    assert len(resent) == len(sent)
    # lateness the replay reports (a loaded machine may start a transmission late; it says so)
    late = [float(m.group(1)) / 1000 if m.group(1) else 0.0
            for m in re.finditer(r"^\+[\d.]+ s #\d+ \d+ B sent(?: late ([\d.]+) ms)?$", out, re.M)]
    assert len(late) == len(sent), out
    for k, ((a0, _), (a1, _), (b0, _), (b1, _)) in enumerate(zip(sent, sent[1:], resent, resent[1:])):
        error = (b1 - b0) - (a1 - a0) - (late[k + 1] - late[k])
        assert abs(error) <= 0.01 * (a1 - a0), (sent, resent, late, out)
        assert abs((a1 - a0) - 2.0) <= 0.1  # the recording itself: the meter's 10 s / 5 (loaded machine)
    # each transmission is as long on the wire as 2400 8N1 makes it (228 B -> 950 ms)
    for chunks in (original, again):
        spans = [(at, data) for at, data in chunks]
        first_frame = [c for c in spans if c[0] - spans[0][0] < 1.5]
        duration = first_frame[-1][0] - first_frame[0][0] + len(first_frame[0][1]) * 10 / 2400
        assert duration == pytest.approx(228 * 10 / 2400, rel=0.1)
    assert "3 sent, 0 lost" in out and "lateness max" in out


def test_recording_survives_kill_9_with_every_flushed_chunk_readable(hansim_bin, tmp_path):
    link, recorded = tmp_path / "ttyKill", tmp_path / "killed.capture"
    run = run_meter(hansim_bin, f"pty:{link}", "60s")
    recorder = None
    try:
        wait_for(lambda: os.path.lexists(link), what="the meter's PTY")
        recorder = start(hansim_bin, "record", "--port", f"pty:{link}", "--out", recorded)
        # the second frame is under way: some of its chunks are written, the rest never will be
        wait_for(lambda: len(transmissions(read_capture(recorded)[1])) >= 2
                 if recorded.exists() and recorded.read_text().endswith("\n") else False, 15, "a second frame")
        recorder.send_signal(signal.SIGKILL)
        recorder.communicate()
    finally:
        kill(run, *(p for p in [recorder] if p))
    _, chunks, events = read_capture(recorded)  # complete lines only
    assert [e[1] for e in events] == ["opened"]  # no orderly close: it was killed
    frames = transmissions(chunks)
    assert len(whole_frames(frames[0][1])) == 1
    decoded = subprocess.run([str(hansim_bin), "decode", str(recorded)], capture_output=True, text=True)
    assert decoded.returncode == 0, decoded.stderr
    records = [json.loads(line) for line in decoded.stdout.splitlines()]
    assert records[0]["list"] == "list1" and "error" not in records[0]
    # every whole frame that reached the file decodes; only a frame cut by the kill may not
    whole = [data for _, data in frames if len(data) == 228]
    assert len(whole) >= 1
    assert sum(r["length"] for r in records if "error" not in r) == sum(map(len, whole))


def test_unplug_is_an_event_and_the_port_is_reopened(hansim_bin, tmp_path):
    link, recorded = tmp_path / "ttyUnplug", tmp_path / "unplug.capture"
    run = run_meter(hansim_bin, f"pty:{link}", "12s")
    procs = [run]
    try:
        wait_for(lambda: os.path.lexists(link), what="the meter's PTY")
        recorder = start(hansim_bin, "record", "--port", f"pty:{link}", "--out", recorded)
        procs.append(recorder)
        run.communicate(timeout=20)  # the meter goes away: the port is "unplugged"
        wait_for(lambda: " closed " in recorded.read_text(), 5, "a closed event")
        run = run_meter(hansim_bin, f"pty:{link}", "32s")  # plugged in again (3 frames: backoff may miss one)
        procs.append(run)
        run.communicate(timeout=20)
        code, _, err = stop(recorder)
    finally:
        kill(*procs)
    assert code == 0, err
    _, chunks, events = read_capture(recorded)
    names = [e[1] for e in events]
    assert names[:3] == ["opened", "closed", "opened"], events
    assert "reopened 1 times" in err or "reopened 2 times" in err
    frames = transmissions(chunks)
    assert len(frames) >= 2  # the first meter's frame and at least one of the second's
    reopened_at = [e[0] for e in events if e[1] == "opened"][1]
    assert any(at > reopened_at for at, _ in frames)
    for _, frame in frames:
        assert len(whole_frames(frame)) == 1


@pytest.mark.parametrize("kind", ["tcp", "rfc2217"])
def test_record_connects_to_a_tcp_or_rfc2217_server(hansim_bin, tmp_path, kind):
    recorded = tmp_path / f"{kind}.capture"
    run = run_meter(hansim_bin, f"{kind}:127.0.0.1:0", "30s")
    recorder = None
    try:
        port = None
        deadline = time.monotonic() + 5
        while port is None and time.monotonic() < deadline:
            line = run.stdout.readline()
            found = re.search(rf"{kind} 127\.0\.0\.1:(\d+)", line)
            port = found and int(found.group(1))
        assert port, "no port in hansim run's output"
        recorder = start(hansim_bin, "record", "--port", f"{kind}:127.0.0.1:{port}", "--out", recorded, "--decode")
        run.communicate(timeout=20)
        code, out, err = stop(recorder)
    finally:
        kill(run, *(p for p in [recorder] if p))
    assert code == 0, err
    _, chunks, events = read_capture(recorded)
    frames = transmissions(chunks)
    assert len(frames) >= 2
    for _, frame in frames:
        assert len(whole_frames(frame)) == 1  # Telnet IAC escapes (OBIS ...FF) removed
    decoded = [json.loads(line) for line in out.splitlines()]
    assert len(decoded) >= 2 and all(r["list"] == "list1" for r in decoded)
    assert events[-1][1] == "closed"


def test_decode_monitor_prints_one_line_per_frame(hansim_bin, tmp_path):
    link = tmp_path / "ttyMonitor"
    run = run_meter(hansim_bin, f"pty:{link}", "20s")
    try:
        wait_for(lambda: os.path.lexists(link), what="the meter's PTY")
        recorder = subprocess.run([str(hansim_bin), "record", "--port", f"pty:{link}", "--out",
                                   str(tmp_path / "m.capture"), "--decode", "--duration", "5500ms"],
                                  capture_output=True, text=True, timeout=20)
    finally:
        kill(run)
    assert recorder.returncode == 0, recorder.stderr
    lines = recorder.stdout.splitlines()
    assert len(lines) == 2
    for line in lines:
        record = json.loads(line)
        assert record["kind"] == "hdlc" and record["list"] == "list1" and "1-1:1.7.0.255" in record["values"]


def replay_to_file(hansim_bin, source, out, *extra):
    return subprocess.run([str(hansim_bin), "replay", str(source), "--port", f"file:{out}", "--quiet", *extra],
                          capture_output=True, text=True, timeout=30)


def test_replay_imports_generate_jsonl_timed_logs_and_hex_dumps(hansim_bin, data_dir, tmp_path):
    captures = data_dir / "captures"
    out = tmp_path / "jsonl.bin"
    done = replay_to_file(hansim_bin, captures / "generated_no_1p.jsonl", out, "--speed", "100", "--fast")
    assert done.returncode == 0, done.stderr
    expected = b"".join(bytes.fromhex(json.loads(l)["hex"]) for l in (captures / "generated_no_1p.jsonl").open())
    assert out.read_bytes() == expected
    assert "4 sent, 0 lost" in done.stdout

    out = tmp_path / "timed.bin"
    done = replay_to_file(hansim_bin, captures / "nve_list1_timed.log", out, "--speed", "100")
    assert done.returncode == 0, done.stderr
    lines = [l.split() for l in (captures / "nve_list1_timed.log").open() if l.startswith("+")]
    assert out.read_bytes() == b"".join(bytes.fromhex(hexes) for _, hexes in lines)

    out = tmp_path / "dump.bin"
    dump = data_dir / "reference-frames" / "kamstrup_no_3p_list1_xibriz_20171020T044332.hex"
    done = replay_to_file(hansim_bin, dump, out)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == bytes.fromhex(dump.read_text())


def test_replay_loop_starts_over(hansim_bin, data_dir, tmp_path):
    out = tmp_path / "loop.bin"
    done = replay_to_file(hansim_bin, data_dir / "captures" / "nve_list1_timed.log", out,
                          "--speed", "200", "--fast", "--loop", "--duration", "500ms")
    assert done.returncode == 0, done.stderr
    one_pass = b"".join(bytes.fromhex(l.split()[1]) for l in (data_dir / "captures" / "nve_list1_timed.log").open()
                        if l.startswith("+"))
    data = out.read_bytes()
    assert len(data) >= 2 * len(one_pass) and data.startswith(one_pass + one_pass)


@pytest.mark.parametrize("name, line, message", [
    ("bad_hex.capture", 4, "bad hex"),
    ("backwards.capture", 3, "time goes backwards"),
    ("unknown_version.capture", 1, "unknown capture format version 7"),
    ("truncated.capture", 4, "incomplete last line"),
])
def test_bad_capture_is_named_by_file_and_line_and_replayed_only_with_skip_bad(bad_input, hansim_bin, data_dir,
                                                                               tmp_path, name, line, message):
    path = data_dir / "captures" / name
    out = tmp_path / "out.bin"
    bad_input.cli("replay", path, "--port", "file:{tmp}/out.bin", "--quiet", expect=f"{path}:{line}: {message}")
    assert not out.exists() or out.read_bytes() == b""
    bad_input.cli("decode", path, expect=f"{path}:{line}: {message}")

    if name == "unknown_version.capture":  # nothing valid in it
        bad_input.cli("replay", path, "--port", "file:{tmp}/out.bin", "--skip-bad", expect="no data")
        return
    skipped = replay_to_file(hansim_bin, path, out, "--skip-bad", "--fast", "--speed", "100")
    assert skipped.returncode == 0, skipped.stderr
    assert "skipped 1 bad line" in skipped.stderr
    valid = {"bad_hex.capture": "7EA02B21", "backwards.capture": "7EA02113",
             "truncated.capture": "7EA0E2"}[name]
    assert out.read_bytes() == bytes.fromhex(valid)


def test_record_and_replay_usage_errors(bad_input, data_dir):
    capture = data_dir / "captures" / "nve_list1_list2.capture"
    bad_input.cli("record", "--port", "pty:{tmp}/nothing-here", "--out", "{tmp}/x.capture",
                  expect="cannot open {tmp}/nothing-here")
    assert not (bad_input.tmp / "x.capture").exists()  # no empty capture left behind
    bad_input.cli("record", "--port", "tcp:127.0.0.1:1", "--out", "{tmp}/x.capture",
                  expect="cannot connect to 127.0.0.1:1")
    bad_input.cli("record", "--port", "file:{tmp}/x.bin", "--out", "{tmp}/x.capture", expect="a file is not a port")
    bad_input.cli("record", "--out", "{tmp}/x.capture", expect="--port is required")
    bad_input.cli("record", "--port", "pty:{tmp}/p", "--out", "{tmp}/x.capture", "--line", "2400:9Q1",
                  expect="--line")
    bad_input.cli("record", "--port", "pty:{tmp}/p", "--out", "{tmp}/x.capture", "--key-file", "{tmp}/k",
                  expect="--key-file is only used with --decode")
    bad_input.cli("record", "--port", "pty:{tmp}/p", "--out", "{tmp}/no-dir/x.capture",
                  expect="cannot write {tmp}/no-dir/x.capture")
    bad_input.cli("replay", "{tmp}/missing.capture", "--port", "file:{tmp}/out.bin",
                  expect="cannot open capture file '{tmp}/missing.capture'")
    bad_input.cli("replay", capture, expect="--port is required")
    bad_input.cli("replay", capture, "--port", "file:{tmp}/out.bin", "--speed", "0", expect="--speed must be positive")
    bad_input.cli("replay", capture, "--port", "file:{tmp}/out.bin", "--line", "fast", expect="--line")
    bad_input.cli("replay", "{tmp}/bad-line.capture", "--port", "file:{tmp}/out.bin",
                  files={"bad-line.capture": "hansim-capture 1\nline 2400:9Q1\ndata +1 - 7E\n"},
                  expect="{tmp}/bad-line.capture:2: line:")


def test_notes_typed_on_stdin_are_recorded_as_annotations(hansim_bin, tmp_path):
    link, recorded = tmp_path / "ttyNotes", tmp_path / "notes.capture"
    run = run_meter(hansim_bin, f"pty:{link}", "30s")
    recorder = None
    try:
        wait_for(lambda: os.path.lexists(link), what="the meter's PTY")
        recorder = subprocess.Popen([str(hansim_bin), "record", "--port", f"pty:{link}", "--out", str(recorded),
                                     "--notes"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
        wait_for_data_lines(recorded, 1)
        recorder.stdin.write("reader reset here\n")
        recorder.stdin.flush()
        wait_for(lambda: " note " in recorded.read_text(), 5, "the note in the capture")
        code, _, err = stop(recorder)
    finally:
        kill(run, *(p for p in [recorder] if p))
    assert code == 0, err
    _, chunks, events = read_capture(recorded)
    notes = [e for e in events if e[1] == "note"]
    assert len(notes) == 1 and notes[0][2] == "reader reset here"
    assert notes[0][0] > chunks[0][0]  # in time order with the data
    decoded = subprocess.run([str(hansim_bin), "decode", str(recorded)], capture_output=True, text=True)
    assert decoded.returncode == 0, decoded.stderr  # events do not disturb decoding
