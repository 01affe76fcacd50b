"""Bad inputs, recorded: every test that feeds hansim something wrong does it through the
`bad_input` fixture, and tests/BAD_INPUT.md lists each of them with the message and exit code.

Usage (the fixture is registered in conftest.py, so any test under tests/python can ask for it):

    def test_a_zero_speed_is_refused(bad_input):
        bad_input.cli("run", "--speed", "0", expect="--speed")            # exit 2 is the default

    def test_a_bad_key_file_names_the_key(bad_input):
        bad_input.cli("decode", "--key-file", "{tmp}/keys.txt", "-", stdin=b"",
                      files={"keys.txt": "encryption_key=0001\\n"},
                      expect=["encryption_key", "line 1"])

    def test_a_broken_frame_is_a_runtime_failure(bad_input):
        bad_input.cli("decode", "--strict", "-", stdin=b"\\x7e\\xa0", code=1)

    def test_the_python_api_says_what_is_wrong(bad_input):
        bad_input.raises(ValueError, "unknown meter profile", hansim.Meter, "nope")

- `cli(subcommand, *args, code=2, expect=(), files=None, stdin=None, env=None, timeout=30,
  input=None)` runs the built `hansim`, asserts the exit code and that each `expect` string is
  in stderr, and returns the `subprocess.CompletedProcess` (text stdout/stderr). `{tmp}` in
  an argument or in `expect` is the test's own temporary folder (pytest's `tmp_path`, so a test
  may also use `tmp_path` directly); `files` ({name: str | bytes | (content, mode)}) are written
  there first (mode 0600 unless given). The keys HANSIM_ENCRYPTION_KEY/AUTHENTICATION_KEY
  are removed from the environment unless `env` sets them. `input` describes the input in
  the table when it is not a file or stdin the helper wrote (e.g. "a full disk").
- `raises(exception, match, function, *args, **kwargs)` is `pytest.raises` for the Python API
  (match is a regular expression); the table shows the exception type in the exit column.

Each call is one row of tests/BAD_INPUT.md, under a heading naming the test. The table is
checked, not only written: when a test finishes, its rows must equal its section of the
committed file, or the test errors with the difference. After adding or changing a bad-input
test, regenerate the table (only the tests that run are rewritten; sections of tests that no
longer exist are dropped):

    /usr/bin/python3 tests/python/bad_input.py            # = pytest tests/python --update-bad-input
    /usr/bin/python3 tests/python/bad_input.py -k decode  # only some tests

The message is stderr (or, when stderr is empty, the first stdout line mentioning "error").
Paths are written as $TMP (the test's folder), $REPO, /dev/pts/N and `hansim` so the table is
the same on every machine; messages must not contain anything else that varies between runs.
"""
import fcntl
import os
import pathlib
import re
import shlex
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
TABLE = REPO / "tests" / "BAD_INPUT.md"
UPDATE_OPTION = "--update-bad-input"
REGENERATE = "/usr/bin/python3 tests/python/bad_input.py"

HEADER = f"""# Bad inputs: what hansim says, and how it exits

Every bad input the tests feed hansim, the message it gives and its exit code (0 done,
1 runtime failure, 2 usage or configuration error; for the Python API the exception type).
Generated from the tests that check them (the `bad_input` fixture, tests/python/bad_input.py);
do not edit by hand. After changing such a test, regenerate with `{REGENERATE}`;
a test whose rows differ from this file fails. $TMP is the test's temporary folder.
"""

COLUMNS = "| command | input | exit | message |\n|---|---|---|---|"


def _code_span(text):
    """A Markdown table cell showing `text` literally."""
    text = text.replace("|", "\\|")
    if not text:
        return ""
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _shorten(text, limit=160):
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _describe_content(content):
    if isinstance(content, bytes):
        try:
            text = content.decode("utf-8")
            if any(ord(c) < 0x20 and c not in "\n\t" for c in text):
                raise UnicodeDecodeError("utf-8", content, 0, 1, "control characters")
        except UnicodeDecodeError:
            return "hex " + _shorten(content.hex(), 120)
        content = text
    return _shorten(content.replace("\n", "⏎"))


class BadInput:
    """The `bad_input` fixture (see the module documentation)."""

    def __init__(self, hansim_bin, tmp_path, section):
        self._bin = pathlib.Path(hansim_bin)
        self.tmp = pathlib.Path(tmp_path)
        self.section = section
        self.rows = []

    # -- normalising: the table must be the same on every machine and every run
    def _normal(self, text):
        text = str(text)
        for path, name in ((self._bin, "hansim"), (self.tmp, "$TMP"), (REPO, "$REPO")):
            text = text.replace(str(path), name)
        text = text.replace(str(self.tmp.resolve()), "$TMP")
        return re.sub(r"/dev/pts/\d+", "/dev/pts/N", text)

    def _fill(self, value):
        return str(value).replace("{tmp}", str(self.tmp))

    def _record(self, command, given, outcome, message):
        lines = [line.rstrip() for line in self._normal(message).strip().splitlines() if line.strip()]
        self.rows.append("| " + " | ".join([
            _code_span(self._normal(command)), _code_span(self._normal(given)), outcome,
            _code_span(" ⏎ ".join(lines))]) + " |")

    # -- the command line
    def cli(self, subcommand, *args, code=2, expect=(), files=None, stdin=None, env=None, timeout=30, input=None):
        if isinstance(expect, str):
            expect = [expect]
        given = []
        for name, content in (files or {}).items():
            mode = 0o600
            if isinstance(content, tuple):
                content, mode = content
            path = self.tmp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content)
            path.chmod(mode)
            given.append(f"{name}: {_describe_content(content)}")
        if stdin is not None:
            given.append(f"stdin: {_describe_content(stdin)}")
        if input is not None:
            given.append(input)
        full_env = {k: v for k, v in os.environ.items()
                    if k not in ("HANSIM_ENCRYPTION_KEY", "HANSIM_AUTHENTICATION_KEY")}
        full_env.update(env or {})
        argv = [str(self._bin), subcommand, *(self._fill(a) for a in args)]
        data = stdin.encode() if isinstance(stdin, str) else stdin
        try:
            raw = subprocess.run(argv, input=data, capture_output=True, timeout=timeout, env=full_env,
                                 stdin=subprocess.DEVNULL if data is None else None)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{shlex.join(argv)} did not exit within {timeout} s: the bad input was not refused")
        proc = subprocess.CompletedProcess(argv, raw.returncode, raw.stdout.decode(errors="replace"),
                                           raw.stderr.decode(errors="replace"))
        assert proc.returncode == code, (argv, proc.returncode, proc.stderr)
        for needle in expect:
            assert self._fill(needle) in proc.stderr, (argv, needle, proc.stderr)
        env_text = " ".join(f"{k}={v}" for k, v in sorted((env or {}).items()))
        command = (env_text + " " if env_text else "") + shlex.join(["hansim", *argv[1:]])
        message = proc.stderr
        if not message.strip():  # e.g. decode --strict: the reason is the first error record
            message = next((f"(stdout) {line}" for line in proc.stdout.splitlines() if "error" in line), "")
        self._record(command, "; ".join(given), str(proc.returncode), message)
        return proc

    # -- the Python API
    def raises(self, exception, match, function, *args, **kwargs):
        with pytest.raises(exception, match=match) as caught:
            function(*args, **kwargs)
        shown = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
        name = getattr(function, "__qualname__", None) or type(function).__name__
        module = getattr(function, "__module__", "") or ""
        module = module.split(".")[0] + "." if module and module != "builtins" else ""
        self._record(f"{module}{name}({', '.join(shown)})", "", caught.type.__name__, str(caught.value))
        return caught.value


# -- the committed table
def read_sections(path=TABLE):
    """{section heading: [row lines]} of the committed table."""
    sections, current = {}, None
    if not path.exists():
        return sections
    for line in path.read_text().splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            sections[current] = []
        elif current is not None and line.startswith("| ") and not line.startswith("| command |"):
            sections[current].append(line)
    return sections


def section_exists(section):
    """Whether the test a section names still exists (its file and function)."""
    file_name, _, rest = section.partition("::")
    path = REPO / "tests" / "python" / file_name
    if not path.exists():
        return False
    function = re.split(r"[\[:]", rest.split("::")[-1])[0]
    return re.search(rf"^\s*def {re.escape(function)}\(", path.read_text(), re.M) is not None


def render(sections):
    parts = [HEADER]
    for name in sorted(sections):
        if sections[name]:
            parts.append(f"## {name}\n\n{COLUMNS}\n" + "\n".join(sections[name]) + "\n")
    return "\n".join(parts)


def update_section(section, rows, path=TABLE):
    """Rewrites one test's section (under a lock: parallel workers update the same file)."""
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        sections = {k: v for k, v in read_sections(path).items() if section_exists(k)}
        sections[section] = rows
        text = render(sections)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
    try:
        path.with_suffix(".lock").unlink()
    except FileNotFoundError:
        pass


def check_section(section, rows, path=TABLE):
    committed = read_sections(path).get(section, [])
    if committed != rows:
        missing = [r for r in rows if r not in committed]
        extra = [r for r in committed if r not in rows]
        pytest.fail(f"tests/BAD_INPUT.md is out of date for {section} (regenerate: {REGENERATE} -k ...)\n"
                    + "".join(f"  not in the table: {r}\n" for r in missing)
                    + "".join(f"  no longer produced: {r}\n" for r in extra)
                    + ("  (same rows, other order)\n" if not missing and not extra else ""), pytrace=False)


def section_name(node):
    return f"{node.path.name}::{node.nodeid.split('::', 1)[1]}"


if __name__ == "__main__":
    os.chdir(REPO)
    os.environ.setdefault("HANSIM_BUILD_DIR", str(REPO / "build" / "default"))
    sys.path.insert(0, os.path.join(os.environ["HANSIM_BUILD_DIR"], "python"))
    sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "tests/python", UPDATE_OPTION, *sys.argv[1:]]))
