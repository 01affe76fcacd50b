"""Progress of long work: one line redrawn on a terminal, nothing when stdout/stderr is not a
terminal or with --quiet. The terminal is a PTY given to the process as stdout and stderr."""
import os
import select
import subprocess

import pytest

PROGRESS = "\r\x1b[K"


def run_on_terminal(args, timeout=30):
    """Runs `args` with stdout and stderr on a fresh PTY; returns (exit code, all it wrote)."""
    master, slave = os.openpty()
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
    os.close(slave)
    output = b""
    while True:
        ready, _, _ = select.select([master], [], [], timeout)
        if not ready:
            proc.kill()
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    os.close(master)
    return proc.wait(timeout=timeout), output.decode(errors="replace")


def replay_args(hansim_bin, data_dir, tmp_path, *extra):
    return [str(hansim_bin), "replay", str(data_dir / "captures" / "generated_no_1p.jsonl"),
            "--port", f"file:{tmp_path / 'out.bin'}", "--speed", "20", *extra]


def test_replay_shows_progress_on_a_terminal(hansim_bin, data_dir, tmp_path):
    code, output = run_on_terminal(replay_args(hansim_bin, data_dir, tmp_path))
    assert code == 0, output
    assert PROGRESS + "replay: 2024-01-15T12:00:" in output
    last = output.rsplit(PROGRESS, 1)[1].splitlines()[0]
    assert "4 frames" in last and "0 faults" in last and "frames/s" in last and "100 %" in last


@pytest.mark.parametrize("on_terminal", [False, True])
def test_replay_progress_is_silent_off_a_terminal_and_with_quiet(hansim_bin, data_dir, tmp_path, on_terminal):
    if on_terminal:
        code, output = run_on_terminal(replay_args(hansim_bin, data_dir, tmp_path, "--quiet"))
    else:
        done = subprocess.run(replay_args(hansim_bin, data_dir, tmp_path), capture_output=True, text=True, timeout=30)
        code, output = done.returncode, done.stdout + done.stderr
        assert "+0.000 s #0" in output  # the per-transmission lines are there, only progress is not
    assert code == 0, output
    assert "\x1b[K" not in output and "frames/s" not in output
