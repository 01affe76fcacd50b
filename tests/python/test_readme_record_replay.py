"""The README's record/replay example, run as written (paths under /tmp/ moved into a
temporary folder, `hansim` being the built binary)."""
import os
import pathlib
import re
import subprocess

REPO = pathlib.Path(__file__).resolve().parents[2]


def readme_example():
    text = (REPO / "README.md").read_text()
    marker = text.index("<!-- record-replay-example")
    block = re.search(r"```sh\n(.*?)```", text[marker:], re.S)
    return block.group(1)


def test_readme_record_replay_example_runs(hansim_bin, tmp_path):
    script = readme_example().replace("/tmp/", f"{tmp_path}/")
    env = dict(os.environ, PATH=f"{hansim_bin.parent}:{os.environ['PATH']}")
    done = subprocess.run(["bash", "-e", "-c", script + "\nwait\n"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    decoded = [line for line in lines if line.startswith("{")]
    # record --decode and decode print the same records for the same bytes
    assert len(decoded) >= 2 and len(decoded) % 2 == 0
    half = len(decoded) // 2
    assert decoded[:half] == decoded[half:]
    assert sum(line.startswith("data +") for line in lines) == 3
    assert (tmp_path / "meter.capture").read_text().startswith("hansim-capture 1\n")
    assert "hansim replay:" in done.stdout and "lateness max" in done.stdout
