"""The soak CI runs (tests/soak/soak.py, 30 days in `.ci/run soak`) works and can fail: one simulated
hour of the same six meters through PTYs, every check applied."""
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]


def test_one_simulated_hour_of_the_soak_passes(hansim_bin):
    proc = subprocess.run([sys.executable, str(REPO / "tests" / "soak" / "soak.py"), "--days", str(1 / 24),
                           "--speed", "500", "--hansim", str(hansim_bin)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert sum(" 360 frames" in line or " 361 frames" in line for line in lines) == 6, lines
    assert lines[-1].startswith("soak: passed"), lines


def test_the_soak_fails_when_frames_are_missing():
    sys.path.insert(0, str(REPO / "tests" / "soak"))
    import soak

    failures = soak.Failures()
    summary = {"frames_lost": 0, "frames_sent": 360, "bytes_sent": 0}
    records = [{"kind": "p1", "values": {"0-0:1.0.0": {"time": f"2024-11-01T01:{m:02d}:{s:02d}"},
                                         "1-0:1.7.0": {"value": 3.0}, "1-0:2.7.0": {"value": 0},
                                         **{k: {"value": 1.0} for k in soak.P1_ENERGY}}}
               for m in range(60) for s in (4, 14, 24, 34, 44, 54) if (m, s) != (30, 4)]
    soak.check_meter("p1-plain", 3000, {"p1": 10}, 1 / 24, b"", records, summary, failures)
    assert any("359 p1 frames decoded, expected 360" in f for f in failures), failures
    assert any("clock steps" in f and "20.0" in f for f in failures), failures
    assert any("integral" in f for f in failures), failures  # the energy never moved
