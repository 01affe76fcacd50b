"""The README's first bench test is a test: taken from the README as written and run by
pytest from the repository root, in a folder with no conftest.py (plugin by entry point)."""
import os
import pathlib
import re
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
BUILD_DIR = pathlib.Path(os.environ.get("HANSIM_BUILD_DIR", REPO / "build" / "default")).resolve()


def test_readme_first_bench_test_passes_and_is_under_twenty_lines(tmp_path):
    text = (REPO / "README.md").read_text()
    section = text[text.index("### Your first bench test"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert len(code.strip().splitlines()) < 20
    (tmp_path / "test_first.py").write_text(code)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "HANSIM"))}
    env["PYTHONPATH"] = str(BUILD_DIR / "python")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir",
                           str(tmp_path), str(tmp_path / "test_first.py")], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "1 passed" in proc.stdout, proc.stdout + proc.stderr
