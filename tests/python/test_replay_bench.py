"""Replay as the source of a pytest bench: the han_replay fixture and hansim.ReplayBench put a
capture on a fresh PTY with its recorded timing, and a reader on the PTY gets exactly its bytes."""
import json
import pathlib

import pytest

import hansim

DATA = pathlib.Path(__file__).resolve().parents[2] / "tests" / "data" / "captures"


def capture_bytes(path):
    return b"".join(bytes.fromhex(line.split()[3]) for line in path.read_text().splitlines()
                    if line.startswith("data "))


def test_han_replay_puts_a_capture_on_a_pty_byte_for_byte(han_replay, han_tap):
    capture = DATA / "nve_list1_list2.capture"
    replay = han_replay(capture, speed=4)
    tap = han_tap(replay.path)  # the PTY exists before the first byte is sent
    assert replay.start().wait(timeout=20)
    expected = capture_bytes(capture)
    records = tap.wait_for(2)
    assert tap.data == expected
    assert [r["list"] for r in records] == ["list1", "list2"] and all("error" not in r for r in records)
    summary = replay.summary
    assert summary.frames_sent == 2 and summary.frames_lost == 0  # list 1 (its chunks) and list 2
    assert summary.bytes_sent == len(expected)


def test_a_generated_run_replays_as_a_bench_source(tmp_path, han_tap):
    jsonl = DATA / "generated_no_1p.jsonl"
    frames = [json.loads(line) for line in jsonl.read_text().splitlines() if line.strip()]
    with hansim.ReplayBench(jsonl, port=f"pty:{tmp_path}/ttyR", speed=50) as replay:
        tap = han_tap(replay.path)
        replay.start().wait(timeout=30)
        got = tap.wait_for(len(frames))
    assert [g["values"] for g in got] == [f["values"] for f in frames]


def test_replay_bench_bad_input(bad_input, tmp_path):
    bad_input.raises(hansim.BenchError, r"replay of .*/backwards.capture on pty:.*: .*backwards.capture:\d+: ",
                     hansim.ReplayBench, DATA / "backwards.capture", port=f"pty:{tmp_path}/ttyR")
    bad_input.raises(hansim.BenchError, r"cannot open capture file", hansim.ReplayBench,
                     tmp_path / "no-such.capture", port=f"pty:{tmp_path}/ttyR")
    bad_input.raises(hansim.BenchError, r"port 'pyt:/tmp/x'", hansim.ReplayBench, DATA / "nve_list1_list2.capture",
                     port="pyt:/tmp/x")
    replay = hansim.ReplayBench(DATA / "nve_list1_list2.capture", port=f"pty:{tmp_path}/ttyR")
    try:
        bad_input.raises(ValueError, r"start\(\) the replay first", replay.wait, 0.0)
    finally:
        replay.close()
    assert not (tmp_path / "ttyR").exists()
