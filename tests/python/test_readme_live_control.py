"""The README's live-control example is a test: taken from the README as written and run by
pytest from the repository root, in a folder with no conftest.py (plugin by entry point)."""
import os
import pathlib
import re
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
BUILD_DIR = pathlib.Path(os.environ.get("HANSIM_BUILD_DIR", REPO / "build" / "default")).resolve()
MARK = "<!-- live-control-example: run by tests/python/test_readme_live_control.py -->"


def test_readme_live_control_example_passes(tmp_path):
    text = (REPO / "README.md").read_text()
    code = re.search(r"```python\n(.*?)```", text[text.index(MARK):], re.S).group(1)
    (tmp_path / "test_live.py").write_text(code)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "HANSIM"))}
    env["PYTHONPATH"] = str(BUILD_DIR / "python")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir",
                           str(tmp_path), str(tmp_path / "test_live.py")], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "2 passed" in proc.stdout, proc.stdout + proc.stderr
