"""The README's example-scenario commands, run as written from the repository root (as from a
fresh clone; PTY paths under /tmp/ moved into the test's folder, the state folder in it too,
`hansim` being the built binary), checked against what the README says they show, and
nothing written into the repository."""
import json
import os
import pathlib
import re
import subprocess

REPO = pathlib.Path(__file__).resolve().parents[2]


def readme_example():
    text = (REPO / "README.md").read_text()
    marker = text.index("<!-- scenarios-example")
    return re.search(r"```sh\n(.*?)```", text[marker:], re.S).group(1)


def tree():
    return sorted((str(p.relative_to(REPO)), p.stat().st_mtime_ns) for p in (REPO / "scenarios").rglob("*")) + \
        sorted(p.name for p in REPO.iterdir())


def test_readme_example_scenarios_run(hansim_bin, tmp_path):
    script = readme_example().replace("/tmp/", f"{tmp_path}/")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HANSIM_")}
    env.update(PATH=f"{hansim_bin.parent}:{os.environ['PATH']}", TMPDIR=str(tmp_path))
    before = tree()
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    frames = {json.loads(line)["date_time"][11:]: json.loads(line)["values"] for line in lines[:3]}
    assert frames["12:00:00"]["1-1:2.7.0.255"] > 3000                                   # export at noon
    assert frames["17:30:00"]["1-1:1.7.0.255"] - frames["17:29:50"]["1-1:1.7.0.255"] > 7000  # the EV
    assert lines[3:6] == ["5", "60", str(1800 - 180)]
    assert "dk0 (kamstrup-dk-3p" in done.stdout + done.stderr
    assert (tmp_path / f"hansim-state-{os.getuid()}" / "dk-encrypted-push1.ic").exists()
    assert len(list(tmp_path.glob("ttyP1-*"))) == 0  # links removed on exit
    assert tree() == before, "a README command wrote into the repository"
