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


def test_generate_of_a_long_period_shows_progress_while_writing_to_a_file(hansim_bin, tmp_path):
    keys = tmp_path / "keys.txt"
    keys.write_text("encryption_key=000102030405060708090A0B0C0D0E0F\n"
                    "authentication_key=D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF\n")
    keys.chmod(0o600)
    args = [str(hansim_bin), "generate", "--meter", "kamstrup-dk-3p", "--key-file", str(keys),
            "--start", "2024-01-01T00:00:00Z", "--duration", "2d", "--faults", "corrupted_tag@every:1000",
            "--output", str(tmp_path / "two-days.hex")]
    code, output = run_on_terminal(args)
    assert code == 0, output
    assert PROGRESS + "generate: 2024-01-0" in output
    last = output.rsplit(PROGRESS, 1)[1].splitlines()[0]
    frames = len((tmp_path / "two-days.hex").read_text().splitlines())
    # the final line has its rate and time left however fast the machine wrote the 2 days
    assert f"{frames} frames" in last and "frames/s" in last and "100 %" in last and "0:00 left" in last
    decoded = subprocess.run([str(hansim_bin), "decode", "--hex", "--key-file", str(keys),
                              str(tmp_path / "two-days.hex")], capture_output=True, text=True, timeout=60)
    failed = sum('"authentication_failed"' in line for line in decoded.stdout.splitlines())
    assert failed > 0 and f"{failed} faults" in last  # every corrupted tag, as a reader sees it

    quiet = run_on_terminal(args + ["--quiet"])
    piped = subprocess.run(args, capture_output=True, text=True, timeout=60)
    to_terminal = run_on_terminal(args[:-2])  # the frames themselves go to the terminal
    for code, output in (quiet, (piped.returncode, piped.stdout + piped.stderr), to_terminal):
        assert code == 0, output
        assert "\x1b[K" not in output and "frames/s" not in output


def test_accelerated_run_shows_progress_below_its_frame_lines(hansim_bin, tmp_path):
    args = [str(hansim_bin), "run", "--meter", "kamstrup-no-3p", "--port", f"file:{tmp_path / 'out.bin'}",
            "--start", "2024-01-01T00:00:00Z", "--speed", "200", "--fast", "--duration", "5m"]
    code, output = run_on_terminal(args)
    assert code == 0, output
    assert PROGRESS + "run: 2024-01-01T00:0" in output
    # the frame lines stay whole: the progress line is wiped before each one
    frame_lines = [line.rsplit("\x1b[K", 1)[-1] for line in output.splitlines() if " list1 " in line]
    assert len(frame_lines) == 30 and all(line.startswith("2024-01-01T") for line in frame_lines)
    assert "100 %" in output.rsplit(PROGRESS, 1)[1]

    quiet = run_on_terminal(args + ["--quiet"])
    piped = subprocess.run(args, capture_output=True, text=True, timeout=60)
    for code, output in (quiet, (piped.returncode, piped.stdout + piped.stderr)):
        assert code == 0, output
        assert "\x1b[K" not in output and "frames/s" not in output
