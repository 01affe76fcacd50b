"""tests/bench/report.py on small fixtures: Google Benchmark names as the library writes them
(`/real_time` for UseRealTime benchmarks), paced_bench's two outputs, and a partial run."""
import json
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
REPORT = REPO / "tests" / "bench" / "report.py"


def gbench(*entries):
    return json.dumps({"context": {}, "benchmarks": [dict(e, run_type="iteration") for e in entries]})


def run_report(out_dir, tmp_path):
    results = tmp_path / "RESULTS.md"
    proc = subprocess.run([sys.executable, str(REPORT), str(out_dir), str(results)], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    return results.read_text()


def row(text, starts):
    lines = [line for line in text.splitlines() if line.startswith("| " + starts)]
    assert len(lines) == 1, f"one row starting {starts!r} in:\n{text}"
    return [cell.strip() for cell in lines[0].strip("|").split("|")]


def test_real_time_benchmark_names_are_found(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "pty.json").write_text(gbench(
        {"name": "reference_raw_pty_write/real_time", "bytes_per_second": 130.0e6, "cpu_time": 631.0},
        {"name": "hansim_unpaced_pty/real_time", "bytes_per_second": 117.0e6, "cpu_time": 700.0}))
    cells = row(run_report(out, tmp_path), "fast output to a PTY")
    assert cells[2].startswith("117.0 MB/s (90% of the limit)")
    assert cells[3] == "plain write loop 130.0 MB/s"
    assert cells[5] == "**met**"


def test_a_missed_pty_target_names_the_measured_cpu_per_frame(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "pty.json").write_text(gbench(
        {"name": "reference_raw_pty_write/real_time", "bytes_per_second": 130.0e6, "cpu_time": 631.0},
        {"name": "hansim_unpaced_pty/real_time", "bytes_per_second": 73.0e6, "cpu_time": 1426.0}))
    cells = row(run_report(out, tmp_path), "fast output to a PTY")
    assert cells[5].startswith("missed: 56% of the loop") and "1426 ns" in cells[5] and "631 ns" in cells[5]


def test_of_repetitions_the_fastest_counts(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "codec.json").write_text(gbench(
        {"name": "build_frame/p1_telegram", "real_time": 1100.0, "items_per_second": 0.91e6},
        {"name": "build_frame/p1_telegram", "real_time": 900.0, "items_per_second": 1.11e6},
        {"name": "build_frame/p1_telegram", "real_time": 1300.0, "items_per_second": 0.77e6}))
    cells = row(run_report(out, tmp_path), "P1 telegram")
    assert cells[2] == "1.11 M/s" and cells[5] == "**met**"


def paced_fixture():
    meters = {"meters": 1000, "readers": 1000, "frames": 3000, "frames_lost": 0, "wire_frames": 2990,
              "wire_deviation_median": 0.0006, "wire_deviation_p99": 0.004, "wire_deviation_worst": 0.009,
              "wire_within_0_5_percent": 0.995, "lateness_p50_ms": 0.2, "lateness_p99_ms": 3.0, "lateness_max_ms": 9.0,
              "summary_lateness_p50_ms": 0.2, "summary_lateness_p99_ms": 3.1, "cpu_share": 0.12,
              "process_cpu_share": 0.3, "timer_wakeups": 100000, "timer_callbacks": 350000, "timer_arms": 100500}
    fast = dict(meters, meters=20, readers=20, frames=60, wire_frames=60, wire_deviation_worst=0.02,
                wire_nominal_median_ms=18.4)
    return {"open_file_limit": 20000, "bare_timer": {"samples": 500, "lateness_p50_ms": 0.1, "lateness_p99_ms": 2.0,
                                                     "lateness_max_ms": 5.0},
            "paced_2400": meters, "paced_115200": fast}


MIX = {"paced": 1000, "unpaced": 4000, "seconds": 32, "on_pty": 2334, "on_tcp": 1333, "on_file": 1333,
       "readers": 3667, "cpu_share": 0.21, "process_cpu_share": 0.5, "rss_before_bytes": 10e6,
       "rss_peak_bytes": 250e6, "rss_per_meter_bytes": 50e3, "rss_growth_per_meter_bytes": 48e3,
       "frames_sent_paced": 3000, "frames_lost_paced": 0, "frames_sent_unpaced": 12000, "frames_lost_unpaced": 0,
       "bytes_read": 1, "paced_lateness_p50_ms": 0.3, "paced_lateness_p99_ms": 5.0, "timer_wakeups": 1,
       "timer_callbacks": 1}


def test_paced_and_mix_figures_get_their_rows(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "paced.json").write_text(json.dumps(paced_fixture()))
    (out / "mix.json").write_text(json.dumps({"open_file_limit": 20000, "mix": MIX}))  # an older run: no bare loop
    text = run_report(out, tmp_path)
    late = row(text, "1000 paced meters: first-byte lateness")
    assert late[2] == "0.20 / 3.00 / 9.0 ms" and late[5] == "**met**"  # 3.0 <= 2 x 2.0
    wire = row(text, "1000 paced meters: wire duration")
    assert wire[5].startswith("missed: worst 0.90% (8.5 ms on a 950 ms frame), 0.5% of frames over 0.5 %")
    assert "the bare timer loop's by up to 5.0 ms (0.53% of a frame)" in wire[5]
    assert "the run's own first bytes by up to 9.0 ms, while their p99 is 2.00 ms" in wire[5]
    timer = row(text, "1000 paced meters (each its own push phase)")
    assert "3.50 a wake-up" in timer[2] and timer[5] == "**met**"
    cpu = row(text, "1,000 paced + 4,000 unpaced meters in one process (PTY 2,334, TCP 1,333, file 1,333): CPU")
    assert cpu[2].startswith("run loop 21.0% of a core") and cpu[5] == "**met**"
    memory = row(text, "1,000 paced + 4,000 unpaced meters in one process: memory per meter")
    assert memory[2].startswith("50 KB") and memory[5] == "**met**"
    mixed_late = row(text, "1,000 paced meters beside 4,000 unpaced")
    assert mixed_late[3] == "bare timer loop p99 2.00 ms (paced_bench paced)"
    assert mixed_late[5].startswith("missed: 5.00 ms > 4.00 ms, with 4,000 unpaced meters")
    assert "### paced_bench mix" in text and "### paced_bench paced" in text
    fast = row(text, "115200-baud pacing")
    assert fast[3] == ("bare timer loop p50 / p99 / max 0.10 / 2.00 / 5.0 ms against a 18.4 ms span "
                       "(first to last chunk)")
    # the reason is measured: the worst frame in ms, and the bare loop's spread and worst beside 0.5 %
    assert fast[5].startswith("missed: worst 0.37 ms off the 18.4 ms span") and "0.5 % is 0.09 ms" in fast[5]
    assert "spread 1.90 ms from p50 to p99 (10.3% of the span) and reach 5.0 ms at worst" in fast[5]


def test_the_mix_lateness_stands_beside_its_own_runs_bare_loop(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "paced.json").write_text(json.dumps(paced_fixture()))
    (out / "mix.json").write_text(json.dumps({"bare_timer": {"samples": 500, "lateness_p50_ms": 0.1,
                                                             "lateness_p99_ms": 3.0, "lateness_max_ms": 5.0},
                                              "mix": MIX}))
    mixed_late = row(run_report(out, tmp_path), "1,000 paced meters beside 4,000 unpaced")
    assert mixed_late[3] == "bare timer loop p99 3.00 ms (same run)" and mixed_late[5] == "**met**"  # 5.0 <= 2 x 3.0


def test_the_generate_reason_says_whether_the_machine_was_quiet(tmp_path):
    for load, words in (("0.07 0.5 1.0", "quiet machine, load 0.07"), ("2.50 2.0 1.0", "shared machine, load 2.50")):
        out = tmp_path / f"out-{load.split()[0]}"
        out.mkdir()
        (out / "machine.txt").write_text(f"cores       2\nload (1/5/15 min) at start: {load}\n")
        (out / "generate.txt").write_text("raw 6.30 3162360 3\n")
        (out / "generate-runs.txt").write_text("raw run 1: 6.90 s\nraw run 2: 6.30 s\nraw run 3: 6.50 s\n")
        text = run_report(out, tmp_path)
        cells = row(text, "`generate --duration 365d` kamstrup-no-3p, raw")
        assert cells[2] == "6.3 s (best of 3)"
        assert cells[5] == f"missed: 1.99 µs a frame end to end (CPU time; {words})"
        assert "raw run 1: 6.90 s" in text  # every run is in the report


def test_a_generate_line_of_the_older_form_still_reads(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "generate.txt").write_text("jsonl 9.00 3162360\n")
    cells = row(run_report(out, tmp_path), "`generate --duration 365d` kamstrup-no-3p, jsonl")
    assert cells[2] == "9.0 s" and cells[5] == "**met**"


def test_a_partial_run_leaves_not_measured_rows_and_never_fails(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "paced.json").write_text("{\n  \"bare_timer\": {")  # cut off by a timeout
    text = run_report(out, tmp_path)
    assert row(text, "fast output to a PTY")[5] == "not measured"
    assert row(text, "1,000 paced meters on PTYs")[5] == "not measured"
    assert row(text, "1,000 paced + 4,000 unpaced meters in one process")[5] == "not measured"
