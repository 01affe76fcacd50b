"""One run plan for `hansim run`, `hansim generate` and Python: the same options with the same
spelling and errors everywhere, paths in a scenario relative to the scenario file for every
command, and options that used to lie refused before any port is opened (issues 8 and 13)."""
import json
import os
import pathlib
import subprocess

import pytest

from independent_decoder import split_hdlc_stream

REPO = pathlib.Path(__file__).resolve().parents[2]
EK = bytes(range(16))
AK = bytes(range(0xD0, 0xE0))
KEYS_TEXT = f"encryption_key={EK.hex()}\nauthentication_key={AK.hex()}\n"


def hansim(hansim_bin, *args, cwd=None, env=None, timeout=60):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("HANSIM_")}
    full_env.update(env or {})
    return subprocess.run([str(hansim_bin), *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env=full_env, timeout=timeout)


def test_run_takes_every_setting_as_an_option_like_generate(hansim_bin, tmp_path):
    out = tmp_path / "out.bin"
    proc = hansim(hansim_bin, "run", "--jitter", "uniform:0:500", "--port", f"file:{out}", "--fast", "--speed", 100,
                  "--start", "2024-03-01T12:00:00Z", "--duration", "30s", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert len(split_hdlc_stream(out.read_bytes())) == 4  # list 1 at :00, :10, :20, list 2 at :05
    # --KEY VALUE and --set KEY=VALUE are the same setting
    a = hansim(hansim_bin, "generate", "--jitter", "uniform:0:500", "--duration", "2m", "--format", "jsonl")
    b = hansim(hansim_bin, "generate", "--set", "jitter=uniform:0:500", "--duration", "2m", "--format", "jsonl")
    assert a.returncode == 0 and a.stdout == b.stdout


def test_generate_takes_set_like_run(hansim_bin):
    with_set = hansim(hansim_bin, "generate", "--set", "jitter=none", "--duration", "1m", "--format", "jsonl")
    assert with_set.returncode == 0, with_set.stderr
    assert with_set.stdout == hansim(hansim_bin, "generate", "--jitter", "none", "--duration", "1m",
                                     "--format", "jsonl").stdout
    assert '"start_offset_ms":0' in with_set.stdout


def test_run_and_generate_agree_on_the_frames(hansim_bin, tmp_path):
    """The same options give the same bytes in virtual time and on a port."""
    args = ["--meter", "kamstrup-se-3p", "--start", "2024-03-01T11:59:55Z", "--duration", "20m", "--seed", "5",
            "--jitter", "uniform:0:300"]
    proc = subprocess.run([str(hansim_bin), "generate", *args, "--format", "raw"], capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "run.bin"
    ran = hansim(hansim_bin, "run", *args, "--port", f"file:{out}", "--fast", "--speed", 1000, "--quiet")
    assert ran.returncode == 0, ran.stderr
    assert len(split_hdlc_stream(proc.stdout)) == 121
    assert out.read_bytes() == proc.stdout


def write_scenario(folder, meters_extra=""):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "keys.txt").write_text(KEYS_TEXT)
    (folder / "keys.txt").chmod(0o600)
    (folder / "s.yaml").write_text(
        "start: 2024-07-01T10:00:00Z\nmeters:\n  - name: dk0\n    profile: kamstrup-dk-3p\n"
        "    port: pty:/tmp/hansim-pipeline-unused\n    security: encrypt+authenticate\n"
        "    key_file: keys.txt\n    invocation_counter_file: dk0.ic\n" + meters_extra)


def counters_of(hansim_bin, stream, hex_input):
    args = ["decode", "--strict"] + (["--hex"] if hex_input else [])
    proc = subprocess.run([str(hansim_bin), *args], input=stream, capture_output=True, timeout=60,
                          env={k: v for k, v in os.environ.items() if not k.startswith("HANSIM_")})
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    return [(r["system_title"], r["invocation_counter"]) for r in records if "invocation_counter" in r]


def test_scenario_paths_are_relative_to_the_scenario_for_every_command(hansim_bin, tmp_path):
    """key_file is beside the scenario for run and generate from any folder; the counter store
    is state, in the state folder (--state-dir, relative to the working directory), so both
    commands continue one counter and nothing is written beside the scenario."""
    write_scenario(tmp_path / "sc")
    out = tmp_path / "out.bin"
    ran = hansim(hansim_bin, "run", "--scenario", "sc/s.yaml", "--port", f"file:{out}", "--fast", "--speed", 100,
                 "--duration", "30s", "--quiet", "--state-dir", "state", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert (tmp_path / "state" / "dk0.ic").exists()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    generated = hansim(hansim_bin, "generate", "--scenario", "../sc/s.yaml", "--duration", "30s",
                       "--state-dir", "../state", cwd=elsewhere)
    assert generated.returncode == 0, generated.stderr
    assert sorted(p.name for p in (tmp_path / "sc").iterdir()) == ["keys.txt", "s.yaml"]
    assert not list(elsewhere.iterdir())
    seen = counters_of(hansim_bin, out.read_bytes(), False) + \
        counters_of(hansim_bin, generated.stdout.encode(), True)
    assert len(seen) == 6
    assert len(set(seen)) == len(seen), f"a counter was used twice: {seen}"


def test_without_a_state_dir_the_store_is_in_the_temporary_folder(hansim_bin, tmp_path):
    write_scenario(tmp_path / "sc")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {"TMPDIR": str(tmp)}
    first = hansim(hansim_bin, "generate", "--scenario", "sc/s.yaml", "--duration", "20s", cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    store = tmp / f"hansim-state-{os.getuid()}" / "dk0.ic"
    assert store.exists() and (store.parent.stat().st_mode & 0o077) == 0  # a private folder
    assert sorted(p.name for p in (tmp_path / "sc").iterdir()) == ["keys.txt", "s.yaml"]
    out = tmp_path / "out.bin"
    ran = hansim(hansim_bin, "run", "--scenario", "sc/s.yaml", "--port", f"file:{out}", "--fast", "--speed", 100,
                 "--duration", "20s", cwd=tmp_path, env=env)
    assert ran.returncode == 0, ran.stderr
    assert f"counters in {store}" in ran.stdout + ran.stderr  # the run says where its state is
    seen = counters_of(hansim_bin, first.stdout.encode(), True) + counters_of(hansim_bin, out.read_bytes(), False)
    assert len(seen) == 4 and len(set(seen)) == 4


def test_an_option_path_is_relative_to_the_working_directory(hansim_bin, tmp_path):
    write_scenario(tmp_path / "sc")
    (tmp_path / "mine.txt").write_text(KEYS_TEXT)
    (tmp_path / "mine.txt").chmod(0o600)
    proc = hansim(hansim_bin, "generate", "--scenario", "sc/s.yaml", "--key-file", "mine.txt", "--duration", "10s",
                  "--ic-file", "here.ic", "--state-dir", "state", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "here.ic").exists() and not (tmp_path / "state").exists()


def repo_files():
    """Every file under the repository's scenarios/ (where a shipped scenario could write)."""
    return sorted(str(p.relative_to(REPO)) for p in (REPO / "scenarios").rglob("*"))


def test_shipped_scenarios_never_repeat_a_counter_across_run_and_generate(hansim_bin, tmp_path):
    """Issue 13: run and generate once used two different counter stores for one scenario.
    Run in place from the repository's scenarios/ (as a user would), with their own keys."""
    before = repo_files()
    checked = 0
    for shipped in sorted((REPO / "scenarios").glob("*.yaml")):
        cwd = tmp_path / shipped.stem / "work"
        cwd.mkdir(parents=True)
        state = ["--state-dir", tmp_path / shipped.stem / "state"]
        seen = []
        first = hansim(hansim_bin, "generate", "--scenario", shipped, "--duration", "2m", "--start",
                       "2024-07-01T10:00:00Z", *state, cwd=cwd)
        assert first.returncode == 0, (shipped.name, first.stderr)
        seen += counters_of(hansim_bin, first.stdout.encode(), True)
        ran = hansim(hansim_bin, "run", "--scenario", shipped, "--port", f"file:{cwd}/out{{n}}.bin", "--fast",
                     "--speed", 500, "--start", "2024-07-01T10:00:00Z", "--duration", "2m", "--quiet", *state,
                     cwd=cwd)
        assert ran.returncode == 0, (shipped.name, ran.stderr)
        for out in sorted(cwd.glob("out*.bin")):
            seen += counters_of(hansim_bin, out.read_bytes(), False)
        again = hansim(hansim_bin, "generate", "--scenario", shipped, "--duration", "2m", "--start",
                       "2024-07-01T10:00:00Z", *state, cwd=cwd)
        assert again.returncode == 0, (shipped.name, again.stderr)
        seen += counters_of(hansim_bin, again.stdout.encode(), True)
        assert len(set(seen)) == len(seen), f"{shipped.name}: a (system title, counter) pair repeats"
        assert repo_files() == before, f"{shipped.name}: a run wrote into the repository"
        checked += bool(seen)
    assert checked >= 1  # at least one shipped scenario ciphers


def test_count_gives_each_copy_its_own_counter_store(hansim_bin, tmp_path):
    write_scenario(tmp_path / "sc")
    proc = hansim(hansim_bin, "generate", "--scenario", "sc/s.yaml", "--count", 3, "--duration", "30s",
                  "--state-dir", "st", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "st").glob("dk0.ic.*") if not p.name.endswith(".lock")) == \
        ["dk0.ic.1", "dk0.ic.2", "dk0.ic.3"]
    seen = counters_of(hansim_bin, proc.stdout.encode(), True)
    assert len(seen) == 9 and len({title for title, _ in seen}) == 3


def test_a_state_dir_needs_a_scenario(bad_input):
    bad_input.cli("generate", "--meter", "kamstrup-dk-3p", "--state-dir", "{tmp}/st", "--duration", "10s",
                  expect=["--state-dir", "--ic-file"])


# ---- options that lie (issue 13): refused, exit 2, before any port is opened ----

def test_a_stray_argument_is_refused(bad_input, tmp_path):
    link = tmp_path / "tty"
    bad_input.cli("run", "kamstrup-dk-3p", "--port", f"pty:{link}", expect=["unexpected argument 'kamstrup-dk-3p'",
                                                                            "--meter PROFILE"])
    bad_input.cli("generate", "kamstrup-dk-3p", expect="unexpected argument 'kamstrup-dk-3p'")
    assert not link.exists()


@pytest.mark.parametrize("command", ["run", "generate"])
def test_numbers_do_not_wrap(bad_input, command):
    bad_input.cli(command, "--count", "-1", expect=["--count", "1 to 100000", "'-1'"])
    bad_input.cli(command, "--count", "0", expect=["--count", "1 to 100000"])
    bad_input.cli(command, "--seed", "-1", expect=["--seed", "unsigned 64-bit", "'-1'"])
    bad_input.cli(command, "--serial", "-1", expect=["--serial", "'-1'"])


@pytest.mark.parametrize("command", ["run", "generate"])
def test_durations_must_be_positive_and_finite(bad_input, command):
    for text in ("0", "-5s", "0ms"):
        bad_input.cli(command, "--duration", text, expect=["--duration", "positive", f"'{text}'"])
    for text in ("99999999999999d", "100001d", "18446744073709551616s", "106751991167d"):
        bad_input.cli(command, "--duration", text, expect=["--duration", "at most 100000d"])


def test_absurd_speeds_are_refused_with_the_range(bad_input, tmp_path):
    link = tmp_path / "tty"
    for text in ("1e-300", "inf", "nan", "-1", "0", "1e7", "fast"):
        bad_input.cli("run", "--speed", text, "--port", f"pty:{link}",
                      expect=["--speed", "from 0.001", "to 1e+06", f"'{text}'"])
    assert not link.exists()


def test_a_config_that_is_not_a_readable_file_is_refused(bad_input, tmp_path):
    bad_input.cli("run", "--config", "{tmp}", expect=["--config", "not a regular file"])
    unreadable = tmp_path / "run.ini"
    unreadable.write_text("speed = 2\n")
    unreadable.chmod(0)
    if os.access(unreadable, os.R_OK):  # root reads anything: use a path that cannot be read instead
        unreadable.chmod(0o600)
        bad_input.cli("run", "--config", "{tmp}/run.ini/x", expect=["--config", "no such file"])
    else:
        bad_input.cli("run", "--config", "{tmp}/run.ini", expect=["--config", "cannot read"])
    bad_input.cli("run", "--config", "{tmp}/bad.ini", files={"bad.ini": "colour = red\n"},
                  expect=["--config", "colour"])


def test_a_bad_summary_path_is_refused_before_the_run(bad_input, tmp_path):
    link = tmp_path / "tty"
    bad_input.cli("run", "--summary-json", "{tmp}/no/such/folder/s.json", "--port", f"pty:{link}",
                  "--duration", "1h", expect=["--summary-json", "cannot write there"], timeout=10)
    bad_input.cli("run", "--summary-json", "{tmp}", "--port", f"pty:{link}", "--duration", "1h",
                  expect=["--summary-json", "cannot write there"], timeout=10)
    assert not link.exists()


def test_meters_that_would_share_a_port_are_refused(bad_input, tmp_path):
    bad_input.cli("run", "--count", "2", expect=["both on port pty:/tmp/ttyHAN0", "{n}"])


def test_decode_of_a_folder_is_a_usage_error(bad_input):
    bad_input.cli("decode", "{tmp}", expect=["{tmp}", "is a folder"])


# ---- Python: the same plan, the same errors, records as objects ----

def test_python_uses_the_same_plan_and_grammar():
    import hansim
    from hansim import _hansim
    assert _hansim.parse_duration("1h30m") == 5_400_000
    assert _hansim.parse_utc_time("2024-01-15T13:00:00+01:00") == 1_705_320_000_000
    with pytest.raises(ValueError, match="at most 100000d"):
        _hansim.parse_duration("99999999999999d")
    meter = hansim.Meter("kamstrup-no-3p", start="2024-01-15T12:00:00Z", jitter="none")
    frames = meter.frames("1m")
    assert len(frames) == 7 and {f.start_offset_ms for f in frames} == {0}  # 6 x list 1, list 2 at 12:00:05
    record, wire = meter._native.next()
    assert isinstance(record, dict) and isinstance(record["values"], dict) and isinstance(wire, bytes)
    decoded = hansim.decode(wire)
    assert isinstance(decoded[0], dict) and decoded[0]["values"] == record["values"]


def test_python_errors_are_the_plans(bad_input):
    import hansim
    bad_input.raises(ValueError, "start: expected an ISO 8601 time", hansim.Meter, "kamstrup-no-3p", start="noon")
    bad_input.raises(ValueError, "jitter: expected none", hansim.Meter, "kamstrup-no-3p", jitter="sometimes")
    bad_input.raises(ValueError, "speed: expected a number from 0.001", hansim.run_meter, "kamstrup-no-3p",
                     port="pty:/tmp/hansim-pipeline-never", speed=1e-300)
    bad_input.raises(ValueError, "duration: expected a positive duration", hansim.run_meter, "kamstrup-no-3p",
                     port="pty:/tmp/hansim-pipeline-never", duration="-5s")
    assert not os.path.lexists("/tmp/hansim-pipeline-never")
