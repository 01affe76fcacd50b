"""The pytest plugin: loaded by entry point alone, its fixtures, bench files, assertions and
the messages for bad input."""
import os
import pathlib
import shutil
import subprocess
import sys
import textwrap

import pytest

import hansim
REPO = pathlib.Path(__file__).resolve().parents[2]
BUILD_DIR = pathlib.Path(os.environ.get("HANSIM_BUILD_DIR", REPO / "build" / "default")).resolve()


def run_pytest(folder, test_text, *args, pythonpath=None):
    """pytest in a temp folder with no conftest.py and no pytest_plugins: only PYTHONPATH."""
    (folder / "test_user.py").write_text(textwrap.dedent(test_text))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "HANSIM"))}
    env["PYTHONPATH"] = str(pythonpath or BUILD_DIR / "python")
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", *args],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=120)


USER_TEST = """
    import pytest

    @pytest.mark.parametrize("han_meter", ["kamstrup-no-3p", "kamstrup-p1"], indirect=True)
    def test_fixtures_by_entry_point(han_meter, han_tap):
        tap = han_tap(han_meter)
        sent = han_meter.advance("30s")
        got = tap.wait_for(len(sent))
        assert [g["values"] for g in got] == [f.values for f in sent]

    def test_bench_skips_without_file(han_bench):
        raise AssertionError("not reached")
"""


def test_fixtures_load_by_entry_point_with_no_conftest(tmp_path):
    assert not (tmp_path / "conftest.py").exists()
    proc = run_pytest(tmp_path, USER_TEST)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 passed, 1 skipped" in proc.stdout
    assert "no bench: give --han-bench FILE" in proc.stdout


def test_package_installs_with_debians_pip_and_the_entry_point_comes_along(tmp_path):
    source = tmp_path / "src"
    shutil.copytree(BUILD_DIR / "python", source, ignore=shutil.ignore_patterns("*.dist-info", "build", "*.egg-info"))
    target = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-build-isolation", "--no-index",
                           "--no-deps", "--target", str(target), str(source)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert list(target.glob("hansim/_hansim*.so")) and list(target.glob("hansim-*.dist-info/entry_points.txt"))
    tests = tmp_path / "user"
    tests.mkdir()
    proc = run_pytest(tests, USER_TEST, pythonpath=target)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 passed, 1 skipped" in proc.stdout


def test_bad_input_gives_clear_messages(tmp_path):
    proc = run_pytest(tmp_path, """
        import pytest

        @pytest.mark.parametrize("han_meter", ["kamstrup-no-such"], indirect=True)
        def test_unknown_profile(han_meter):
            pass

        @pytest.mark.han_meter("kamstrup-no-3p", port="serial:/dev/hansim-no-such-adapter:2400:8N1")
        def test_missing_port(han_meter):
            pass

        def test_missing_tap(han_tap):
            han_tap("/dev/hansim-no-such-port")

        @pytest.mark.han_meter("kamstrup-no-3p", paced=True, speed=10)
        def test_advance_paced(han_meter):
            han_meter.advance("1h")

        def test_frame_never_sent(han_meter, han_tap):
            tap = han_tap(han_meter)
            han_meter.advance("20s")
            han_meter.frame(clock="2030-01-01T00:00:00")
    """, "--tb=short")
    out = proc.stdout
    assert proc.returncode == 1
    assert "unknown meter profile 'kamstrup-no-such'; known profiles:" in out
    assert "cannot open serial port /dev/hansim-no-such-adapter at 2400 8N1: No such file or directory" in out
    assert "cannot tap /dev/hansim-no-such-port: no such port" in out
    assert "advance() needs an unpaced meter: this one is paced" in out
    assert "no frame with clock 2030-01-01T00:00:00 was sent; 3 frames were sent, clocks" in out
    assert "During handling" not in out and "3 failed, 2 errors" in out


def test_han_bench_from_a_file_and_skip_reasons(tmp_path):
    bench = tmp_path / "bench.yaml"
    bench.write_text("name: loop\nport: serial:/dev/hansim-no-such-usb:2400:8N1\nreader: /dev/hansim-no-such-usb2\n"
                     "requires:\n  - /dev/hansim-no-such-usb\n")
    proc = run_pytest(tmp_path, """
        def test_needs_hardware(han_bench):
            raise AssertionError("not reached")
    """, "--han-bench", str(bench))
    assert proc.returncode == 0 and "bench loop: /dev/hansim-no-such-usb not present" in proc.stdout, proc.stdout
    pty = tmp_path / "pty.yaml"
    pty.write_text("name: pty\nport: pty:{tmp}/ttyHAN0\nreader: '{tmp}/ttyHAN0'\nline: 2400:8N1\nmeter: kamstrup-p1\n")
    proc = run_pytest(tmp_path, """
        import hansim

        def test_runs(han_bench, han_tap):
            meter = hansim.MeterBench(han_bench.meter, port=han_bench.port)
            tap = han_tap(han_bench.reader)
            sent = meter.advance("20s")
            assert len(tap.wait_for(len(sent))) == 2
            meter.close()
    """, "--han-bench", str(pty))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_bench_api_says_what_is_wrong(bad_input, tmp_path):
    bad_input.raises(hansim.BenchError, "unknown meter profile 'nope'; known profiles: ", hansim.MeterBench, "nope",
                     port=f"pty:{tmp_path}/tty")
    bad_input.raises(hansim.BenchError, "cannot open serial port /dev/hansim-no-such-adapter", hansim.MeterBench,
                     "kamstrup-no-3p", port="serial:/dev/hansim-no-such-adapter:2400:8N1")
    bad_input.raises(hansim.BenchError, "cannot create PTY link /hansim-no-such-folder/tty", hansim.MeterBench,
                     "kamstrup-no-3p", port="pty:/hansim-no-such-folder/tty")
    bad_input.raises(hansim.BenchError, "cannot tap /dev/hansim-no-such-port: no such port", hansim.Tap,
                     "/dev/hansim-no-such-port")
    paced = hansim.MeterBench("kamstrup-no-3p", port=f"pty:{tmp_path}/paced", paced=True, speed=10)
    try:
        bad_input.raises(hansim.BenchError, "advance.. needs an unpaced meter: this one is paced", paced.advance, "1h")
    finally:
        paced.close()
    meter = hansim.MeterBench("kamstrup-no-3p", port=f"pty:{tmp_path}/tty")
    try:
        bad_input.raises(hansim.BenchError, "nothing was sent yet", meter.frame, clock="2024-01-01T01:00:00")
        bad_input.raises(hansim.BenchError, "duration: ", meter.advance, "an hour")
        bad_input.raises(hansim.BenchError, r"no listener for 0.2 s; 228 of 228 bytes of push #0 \(list1\) left",
                         meter.advance, "1h", stall=0.2)
    finally:
        meter.close()


def test_bench_files_shipped_in_hil_load(tmp_path, bad_input):
    benches = sorted((REPO / "hil" / "benches").glob("*.yaml"))
    assert benches
    for path in benches:
        bench = hansim.load_bench_file(path, tmp_path)
        assert bench.name == path.stem and "{tmp}" not in bench.port + bench.reader
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nport: pty:/tmp/x\nreader: /tmp/x\n\nbaud: 2400\n")
    bad_input.raises(hansim.BenchError, r"bad.yaml:5: unknown key 'baud'; known keys: name", hansim.load_bench_file,
                     bad)
    unplugged = hansim.load_bench_file(REPO / "hil" / "benches" / "example-usb.yaml")
    unplugged.requires = ["/dev/hansim-no-such-adapter"]
    assert unplugged.missing() == "bench example-usb: /dev/hansim-no-such-adapter not present"


def frame_with(values, list_="list2"):
    return hansim.Frame(meter="m", list=list_, sequence=3, scheduled="2024-01-15T13:00:05Z",
                        send="2024-01-15T13:00:05Z", start_offset_ms=0, wire=b"", values=values)


RES = {"energy_wh": 10.0, "current_a": 0.01, "voltage_v": 1.0, "power_multiplier": 1.0}


def test_assertions_know_units_resolutions_and_say_what_differs():
    frame = frame_with({"0-1:1.0.0.255": "2024-01-15T14:00:05", "1-1:1.7.0.255": 492, "1-1:31.7.0.255": 102,
                        "1-1:32.7.0.255": 227, "1-1:1.8.0.255": 1234567})
    hansim.assert_reported({"values": {"1-1:1.7.0.255": 492.0, "1-1:31.7.0.255": 1.02, "1-1:1.8.0.255": 12345.67}},
                           frame, RES)
    hansim.assert_reported({"power_w": 492, "i1": 1.03, "u1": 227, "energy_import_kwh": 12345.68}, frame, RES)
    hansim.assert_reported({"1-0:1.7.0": {"value": 0.492, "unit": "kW"}}, frame, RES)
    with pytest.raises(AssertionError) as error:
        hansim.assert_reported({"power_w": 480, "1-1:1.8.0.255": 12345.5, "u1": 227}, frame, RES)
    text = str(error.value)
    assert text.startswith("frame 2024-01-15T14:00:05 (sent 2024-01-15T13:00:05Z, list2 #3, m):")
    assert "power_w (1-1:1.7.0.255) expected 492 W, got 480 W, tolerance ±1 W" in text
    assert "1-1:1.8.0.255 (1-1:1.8.0.255) expected 12345.67 kWh, got 12345.5 kWh, tolerance ±0.01 kWh" in text
    with pytest.raises(AssertionError, match="the report has none of the frame's values"):
        hansim.assert_reported({"temperature": 20}, frame, RES)
    with pytest.raises(AssertionError, match="l1_current_a: not reported"):
        hansim.assert_reported({"power_w": 492}, frame, RES, require=["l1_current_a"])
    # 1 Wh meters: the tolerance follows the resolution
    with pytest.raises(AssertionError, match=r"expected 1234.567 kWh, got 1234.56 kWh, tolerance ±0.001 kWh"):
        hansim.assert_reported({"energy_import_kwh": 1234.56}, frame, dict(RES, energy_wh=1.0))


def test_assertions_on_p1_frames():
    frame = frame_with({"0-0:1.0.0": {"time": "2024-01-15T13:59:54", "dst": False},
                        "1-0:1.7.0": {"value": 0.481, "unit": "kW"}, "1-0:32.7.0": {"value": 230.3, "unit": "V"}},
                       "p1")
    hansim.assert_reported({"1-0:1.7.0": 481.0, "1-0:32.7.0": 230.3}, frame, RES)
    with pytest.raises(AssertionError, match=r"(?s)frame 2024-01-15T13:59:54 .*1-0:32.7.0 \(1-0:32.7.0\) expected 230.3 V, "
                                             r"got 229 V, tolerance ±0.1 V"):
        hansim.assert_reported({"1-0:32.7.0": 229}, frame, RES)


def test_the_end_to_end_suite_runs_on_a_bench_file(tmp_path):
    """--han-bench puts the hil suite on a bench: here the PTY bench, whose device command
    is the reference reader."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["PYTHONPATH"] = str(BUILD_DIR / "python")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "hil/tests/test_e2e_reader.py",
                           "-k", "dst_night or ciphered_p1", "--han-bench", "hil/benches/pty.yaml"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "2 passed" in proc.stdout, proc.stdout + proc.stderr
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs",
                           "hil/tests/test_e2e_reader.py", "-k", "dst_night", "--han-bench",
                           "hil/benches/example-usb.yaml"], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)
    if not os.path.exists("/dev/ttyUSB0"):
        assert proc.returncode == 0 and "bench example-usb: /dev/ttyUSB0 not present" in proc.stdout, proc.stdout
