"""Every example in the README is run by a test, checked mechanically.

`test_every_readme_block_is_claimed` lists the README's fenced blocks and fails on one that no
test claims (a new example must name the test that runs it in CLAIMS). The blocks no other
file runs are run here: the Quick start's `./dev.sh run`, the command-line examples, the
Python example, the architecture's folder list and the "Other presets" commands (run by CI's
stages, checked against `.ci/run`).
"""
import ast
import contextlib
import fcntl
import json
import os
import pathlib
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time

import serial

from independent_decoder import decode_hdlc
from run_helpers import read_until_idle, wait_for_path

REPO = pathlib.Path(__file__).resolve().parents[2]
BUILD_DIR = pathlib.Path(os.environ.get("HANSIM_BUILD_DIR", REPO / "build" / "default")).resolve()

# (section heading, block index within it) -> "file::test" that runs the block as written.
CLAIMS = {
    ("Quick start", 0): "tests/python/test_readme_blocks.py::test_quick_start_run_serves_a_reader",
    ("The command line", 0): "tests/python/test_readme_blocks.py::test_command_line_examples_run",
    ("Record and replay", 0): "tests/python/test_readme_record_replay.py::test_readme_record_replay_example_runs",
    ("Example scenarios", 0): "tests/python/test_readme_scenarios.py::test_readme_example_scenarios_run",
    ("Faults on the wire", 0): "tests/python/test_readme_faults.py::test_readme_faults_example_runs",
    ("Python and pytest", 0): "tests/python/test_readme_blocks.py::test_python_example_runs",
    ("Your first bench test", 0):
        "tests/python/test_readme_first_test.py::test_readme_first_bench_test_passes_and_is_under_twenty_lines",
    ("Changing a meter while it runs", 0): "tests/python/test_readme_live_control.py::test_readme_live_control_example_passes",
    ("Live view in the browser, and reports", 0):
        "tests/python/test_liveview_report.py::test_readme_live_view_examples_run",
    ("Live view in the browser, and reports", 1):
        "tests/python/test_liveview_report.py::test_readme_live_view_examples_run",
    ("Tests", 0): "tests/python/test_readme_blocks.py::test_other_presets_are_what_ci_runs",
    ("Architecture", 0): "tests/python/test_readme_blocks.py::test_architecture_folders_exist",
}


def readme_blocks():
    """[(heading, index, language, text)] of every fenced block, under its nearest heading."""
    blocks, heading, counts = [], None, {}
    lines = (REPO / "README.md").read_text().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        elif line.startswith("```"):
            language = line[3:].strip()
            end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
            index = counts.get(heading, 0)
            counts[heading] = index + 1
            blocks.append((heading, index, language, "\n".join(lines[i + 1:end])))
            i = end
        i += 1
    return blocks


def block(heading, index=0):
    return next(text for h, i, _, text in readme_blocks() if (h, i) == (heading, index))


def test_every_readme_block_is_claimed():
    blocks = readme_blocks()
    unclaimed = [(h, i) for h, i, _, _ in blocks if (h, i) not in CLAIMS]
    assert not unclaimed, ("README blocks no test runs (add each to CLAIMS in "
                           f"tests/python/test_readme_blocks.py with the test that runs it): {unclaimed}")
    stale = set(CLAIMS) - {(h, i) for h, i, _, _ in blocks}
    assert not stale, f"CLAIMS names README blocks that are gone: {stale}"
    for claim in set(CLAIMS.values()):
        path, name = claim.split("::")
        source = (REPO / path).read_text()
        functions = {n.name for n in ast.walk(ast.parse(source)) if isinstance(n, ast.FunctionDef)}
        assert name in functions, f"{claim}: no such test"
        assert "README.md" in source, f"{path} does not read the README, so it cannot run its block as written"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def logical_lines(text):
    """The block's commands: comments dropped, backslash continuations joined."""
    joined = re.sub(r"\\\n\s*", "", text)
    return [line for line in joined.splitlines() if line.strip()]


@contextlib.contextmanager
def shared_tmp_links():
    """Held while a test uses the README's fixed /tmp/ttyHAN* links (pytest-xdist runs tests
    side by side)."""
    with open("/tmp/hansim-readme-ttyHAN.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def strip_comment(line):
    return re.sub(r"\s+#.*$", "", line)


def test_quick_start_run_serves_a_reader():
    """`./dev.sh run` as written: the default meter appears on /tmp/ttyHAN0, a reader gets a
    whole list 1 frame within one 10 s push period, Ctrl-C stops it with exit 0 and removes
    the link. (`./dev.sh test` is the command CI runs.)"""
    commands = [strip_comment(line).strip() for line in logical_lines(block("Quick start"))]
    assert commands == ["./dev.sh run", "./dev.sh test"]
    with shared_tmp_links():
        run_quick_start()


def run_quick_start():
    link = pathlib.Path("/tmp/ttyHAN0")
    assert not link.exists(), "/tmp/ttyHAN0 is in use (another hansim?); the Quick start needs it"
    proc = subprocess.Popen(["./dev.sh", "run"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        wait_for_path(link, timeout=120)  # dev.sh builds first (nothing to do once built)
        with serial.Serial(str(link), 2400, timeout=0) as port:
            reads = read_until_idle(port, first_byte_timeout=12, idle=0.5)
        stream = b"".join(data for _, data in reads)
        start = stream.index(b"\x7e")
        length = ((stream[start + 1] << 8) | stream[start + 2]) & 0x7FF
        frame = decode_hdlc(stream[start:start + length + 2])
        assert frame is not None
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert not os.path.lexists(link), "Ctrl-C left /tmp/ttyHAN0 behind"


def test_command_line_examples_run(hansim_bin, tmp_path):
    """Each line of "The command line" run by bash with `hansim` on PATH, from a folder holding
    the README's `keys.txt` (the shipped example keys). Only what would clash on a shared
    machine changes: `/tmp/` becomes the test's folder and fixed TCP ports free ones; `run`
    gets `--duration`. A serial adapter that is not plugged in must be named in the error."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "hansim").symlink_to(hansim_bin)
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(REPO / "scenarios" / "example-keys.txt", work / "keys.txt")
    (work / "keys.txt").chmod(0o600)
    (work / "scenarios").symlink_to(REPO / "scenarios")
    env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}")
    lines = logical_lines(block("The command line"))
    assert len(lines) == 9
    seen = set()
    for line in lines:
        command = strip_comment(line).replace("/tmp/", f"{tmp_path}/")
        for fixed in ("7000", "7001"):
            command = command.replace(f"127.0.0.1:{fixed}", f"127.0.0.1:{free_port()}")
        argv = shlex.split(command)
        if argv[:2] == ["hansim", "run"]:
            command += " --duration 3s"
        # many-meters.yaml runs as shipped, on its own /tmp/ttyHAN0..4, as the Quick start does.
        with shared_tmp_links() if "many-meters" in command else contextlib.nullcontext():
            proc = subprocess.run(["bash", "-c", "set -o pipefail; " + command], cwd=work, env=env,
                                  capture_output=True, text=True, timeout=60)
        if "serial:/dev/ttyUSB0" in line and not os.path.exists("/dev/ttyUSB0"):
            assert proc.returncode in (1, 2) and "/dev/ttyUSB0" in proc.stderr, (line, proc.stderr)
            seen.add("serial")
            continue
        assert proc.returncode == 0, (line, proc.stderr)
        if argv[1] == "profiles":
            assert "kamstrup-no-3p" in proc.stdout and "kamstrup-p1" in proc.stdout
            seen.add("profiles")
        elif "--count 1000" in line:
            seen.add("count")
        elif argv[1] == "generate" and "| hansim decode" in line:
            records = [json.loads(r) for r in proc.stdout.splitlines() if r.strip()]
            broken = [i for i, r in enumerate(records) if "error_kind" in r]
            assert broken == [3], "push number 3 (sequence 3, the fourth push) fails authentication"
            assert records[3]["error_kind"] == "authentication_failed"
            seen.add("fault pipe")
        elif argv[1] == "generate":
            assert len(proc.stdout.splitlines()) == 8640 + 24, "list 1 every 10 s and list 2 hourly over 24 h"
            seen.add("generate")
        else:
            seen.add(argv[2] + " " + argv[3] if len(argv) > 3 else argv[1])
    assert len(seen) == 9, seen


def test_python_example_runs(tmp_path):
    """The "Python and pytest" example, run as written (`...` is Python's Ellipsis), with
    /tmp/ moved into the test's folder."""
    code = block("Python and pytest").replace("/tmp/", f"{tmp_path}/")
    code += ("\nassert [r.outcome for r in sent] == ['sent'] * 3 and len(held) == 2"
             "\nassert held[0].sequence > sent[-1].sequence"
             "\nprint('sent', len(sent), 'held', len(held))\n")
    env = dict(os.environ, PYTHONPATH=str(BUILD_DIR / "python"))
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "sent 3 held 2" in proc.stdout


def test_architecture_folders_exist():
    """Every folder the architecture section lists is there."""
    for line in block("Architecture").splitlines():
        path = line.split()[0].split("<")[0]
        braces = re.match(r"(.*)\{(.*)\}/?$", path)
        names = [braces.group(1) + n for n in braces.group(2).split(",")] if braces else [path]
        for name in names:
            assert (REPO / name).exists(), f"README lists {name}, which does not exist"


def ci_commands():
    """The commands `.ci/run`'s stages run, split at `&&`; its `configure X` helper is
    `cmake --preset X`."""
    ci = (REPO / ".ci" / "run").read_text()
    commands = set()
    for line in ci.splitlines():
        line = line.strip()
        if line.startswith(("#", "echo")):
            continue
        for part in re.split(r"&&|\|\|", line):
            part = re.sub(r"^[A-Z_]+=\S+\s+", "", part.strip())  # VAR=value prefix
            part = re.sub(r"^configure (\w+)$", r"cmake --preset \1", part)
            part = re.sub(r' -j"\$jobs"$', "", part)
            if part:
                commands.add(part)
    return commands


def test_other_presets_are_what_ci_runs():
    """The "Other presets" commands are the ones `.ci/run`'s stages run (asan and fuzz in every
    CI run, fuzzing for a shorter time; run-benchmarks in the optional bench stage)."""
    commands = ci_commands()
    readme = [strip_comment(line).strip() for line in logical_lines(block("Tests"))]
    assert len(readme) == 4
    for line in readme:
        for part in (p.strip() for p in line.split("&&")):
            if part.startswith(".ci/fuzz-all "):
                assert '.ci/fuzz-all "$seconds"' in commands
            else:
                assert part in commands, f"README's {part!r} is not a command .ci/run runs: {sorted(commands)}"
