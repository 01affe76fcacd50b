"""hil/README.md's examples, run as written from the repository root: the three reader
commands each read a hansim meter on a PTY (the /tmp/ paths moved into the test's folder, the
key file written there) and print its frames with their values; the bench command runs the
end-to-end suite with the USB bench file and skips what needs the missing adapters."""
import json
import os
import pathlib
import re
import shlex
import subprocess
import threading
import time

import pytest

import hansim

HIL = pathlib.Path(__file__).resolve().parents[1]
REPO = HIL.parent
KEYS = ("encryption_key=000102030405060708090A0B0C0D0E0F\n"
        "authentication_key=D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF\n")
# The meter each example port stands for.
METERS = {"/tmp/ttyHAN0": "kamstrup-no-3p", "/tmp/ttyDK": "kamstrup-dk-3p", "/tmp/ttyP1": "kamstrup-p1"}


def examples():
    text = (HIL / "README.md").read_text()
    blocks = [re.search(r"```sh\n(.*?)```", text[m.end():], re.S).group(1)
              for m in re.finditer(r"<!-- hil-readme-examples", text)]
    commands = []
    for block in blocks:
        for line in block.replace("\\\n", " ").splitlines():
            command = line.split("  #")[0].strip()
            if command:
                commands.append(command)
    return commands


READER_EXAMPLES = [c for c in examples() if c.startswith("hil/han_reader.py")]


def test_the_readme_shows_every_example_here():
    assert len(READER_EXAMPLES) == 3 and len(examples()) == 4


@pytest.mark.parametrize("command", READER_EXAMPLES, ids=[c.split()[2] for c in READER_EXAMPLES])
def test_reader_example(command, tmp_path):
    args = shlex.split(command)
    port = args[args.index("--port") + 1]
    args[args.index("--port") + 1] = str(tmp_path / pathlib.Path(port).name)
    key_file = None
    if "--key-file" in args:
        key_file = tmp_path / args[args.index("--key-file") + 1]
        key_file.write_text(KEYS)
        key_file.chmod(0o600)
        args[args.index("--key-file") + 1] = str(key_file)
    meter = hansim.MeterBench(METERS[port], port=f"pty:{tmp_path / pathlib.Path(port).name}",
                              start="2024-01-15T12:00:00Z", key_file=key_file)
    proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines = []
    drain = threading.Thread(target=lambda: lines.extend(json.loads(x) for x in proc.stdout), daemon=True)
    drain.start()
    try:
        time.sleep(0.1)
        frames = meter.advance("1m")
        deadline = time.monotonic() + 20
        while len(lines) < len(frames) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
    finally:
        proc.terminate()
        err = proc.stderr.read().decode()
        proc.wait(timeout=10)
        drain.join(timeout=5)
        meter.close()
    assert len(lines) == len(frames) >= 6, err
    for frame, record in zip(frames, lines):
        assert record["status"] == "ok", record
        meter.assert_reported(record, frame, require=["1.7.0"])
    if key_file:
        assert {r["security"] for r in lines} == {"encrypt+authenticate"}


def test_bench_example(tmp_path):
    (command,) = [c for c in examples() if "--han-bench" in c]
    build = pathlib.Path(hansim.__file__).resolve().parents[1]
    command = command.replace("PYTHONPATH=build/default/python", f"PYTHONPATH={build}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    done = subprocess.run(["bash", "-c", command + f" -p no:cacheprovider --basetemp={tmp_path}/basetemp"], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "bench example-usb: /dev/ttyUSB0 not present" in done.stdout
    summary = done.stdout.strip().splitlines()[-1]
    assert re.search(r"\d+ passed, \d+ skipped", summary), summary
