"""Hardware-in-the-loop benches for pytest.

A bench file (hil/benches/*.yaml) says where hansim sends (`port`, any `hansim run --port`
form), where the reader listens (`reader`), the line settings and the meter profile, and
which device paths must exist (`requires`). `{tmp}` in `port`/`reader` is replaced by a
per-test temporary directory, so the PTY bench needs no setup.

The `bench` fixture runs a test once per bench file (or only the benches named in
HANSIM_BENCH, comma separated) and skips cleanly when the hardware is missing:
    "bench example-usb: /dev/ttyUSB0 not present"
`bench.start(hansim_bin, *extra_args)` starts `hansim run` on the bench port and returns the
process; it is terminated (SIGTERM) when the test ends.
"""
from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import time
from dataclasses import dataclass, field

import pytest

try:
    import yaml
except ImportError:  # python3-yaml missing: the bench files use only a tiny subset
    yaml = None

BENCH_DIR = pathlib.Path(__file__).resolve().parent / "benches"


@dataclass
class Bench:
    name: str
    port: str
    reader: str
    line: str = "2400:8N1"
    meter: str = "kamstrup-no-3p"
    description: str = ""
    requires: list[str] = field(default_factory=list)
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def baud(self) -> int:
        return int(self.line.split(":")[0])

    def missing(self) -> str | None:
        """Why this bench cannot run here, or None."""
        for path in self.requires:
            if not os.path.exists(path):
                return f"bench {self.name}: {path} not present"
        return None

    def start(self, hansim_bin, *extra_args) -> subprocess.Popen:
        """`hansim run --meter M --port P ...`; waits until a PTY link exists."""
        args = [str(hansim_bin), "run", "--meter", self.meter, "--port", self.port, *map(str, extra_args)]
        process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.processes.append(process)
        if self.port.startswith("pty:"):
            link = self.port[4:]
            deadline = time.monotonic() + 5
            while not os.path.lexists(link):
                if process.poll() is not None or time.monotonic() > deadline:
                    _, err = process.communicate()
                    raise RuntimeError(f"bench {self.name}: hansim did not create {link}: {err}")
                time.sleep(0.01)
        return process

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.communicate(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.communicate()
        self.processes.clear()


def _parse_simple_yaml(text: str, path: pathlib.Path) -> dict:
    """`key: value`, `key: []` and `key:` followed by `  - item` lines; `#` comments."""
    data: dict = {}
    current_list = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split(" #")[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not line.strip():
            continue
        if line.lstrip().startswith("- ") and current_list is not None:
            current_list.append(line.lstrip()[2:].strip().strip('"'))
            continue
        if ":" not in line or line.startswith(" "):
            raise ValueError(f"bench file {path} line {number}: expected 'key: value'")
        key, value = (part.strip() for part in line.split(":", 1))
        if value in ("", "[]"):
            current_list = data[key] = []
        else:
            current_list = None
            data[key] = value.strip('"')
    return data


def load_bench(path: os.PathLike, tmp: os.PathLike | None = None) -> Bench:
    """Reads a bench file; raises ValueError naming the file and the missing/unknown key."""
    path = pathlib.Path(path)
    text = path.read_text()
    data = (yaml.safe_load(text) if yaml else _parse_simple_yaml(text, path)) or {}
    if not isinstance(data, dict):
        raise ValueError(f"bench file {path}: expected a mapping")
    for key in ("name", "port", "reader"):
        if key not in data:
            raise ValueError(f"bench file {path}: '{key}' is required")
    known = {"name", "port", "reader", "line", "meter", "description", "requires"}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"bench file {path}: unknown key(s) {', '.join(sorted(unknown))}")
    substitute = (lambda s: str(s).replace("{tmp}", str(tmp))) if tmp is not None else str
    return Bench(name=str(data["name"]), port=substitute(data["port"]), reader=substitute(data["reader"]),
                 line=str(data.get("line", "2400:8N1")), meter=str(data.get("meter", "kamstrup-no-3p")),
                 description=str(data.get("description", "")),
                 requires=[substitute(p) for p in (data.get("requires") or [])])


def bench_files() -> list[pathlib.Path]:
    files = sorted(BENCH_DIR.glob("*.yaml"))
    wanted = os.environ.get("HANSIM_BENCH")
    if wanted:
        names = {n.strip() for n in wanted.split(",") if n.strip()}
        files = [f for f in files if f.stem in names]
    return files


@pytest.fixture(params=bench_files(), ids=lambda p: p.stem)
def bench(request, tmp_path):
    """One bench per bench file; skipped with the reason when its hardware is missing."""
    selected = load_bench(request.param, tmp_path)
    reason = selected.missing()
    if reason:
        pytest.skip(reason)
    yield selected
    selected.stop()
