#!/usr/bin/python3
"""Writes tests/bench/RESULTS.md from the files tests/bench/run-benchmarks collected.

Every figure of issue 12 stands beside the limit measured in the same run, the target, the
old figure from the issue text, and met / missed with the measured reason. Usage:
    report.py OUT_DIR RESULTS.md
OUT_DIR holds codec.json, security.json, pty.json, meter.json (Google Benchmark JSON),
paced.json (`paced_bench paced`), mix.json (`paced_bench mix`), generate.txt ("FORMAT SECONDS
FRAMES" lines) and machine.txt. A file that is missing or not JSON leaves its rows "not
measured"; nothing here fails on a partial run.
"""
import json
import pathlib
import sys


# Google Benchmark appends how a benchmark was run to its name ("reference_raw_pty_write/real_time"
# for ->UseRealTime(), "/min_time:0.300", "/iterations:10", "/repeats:3", "/threads:2"); the
# table looks benchmarks up by what they measure, so these suffixes are dropped.
RUN_SUFFIXES = ("real_time", "manual_time", "process_time", "min_time:", "min_warmup_time:", "iterations:",
                "repeats:", "threads:")


def base_name(name):
    parts = name.split("/")
    while len(parts) > 1 and parts[-1].startswith(RUN_SUFFIXES):
        parts.pop()
    return "/".join(parts)


def bench(path):
    """Each benchmark by base name; of its repetitions the fastest (least real time): the run
    the machine's other work disturbed least, for the limits as for hansim's figures."""
    try:
        data = json.loads(pathlib.Path(path).read_text())
    except (OSError, ValueError):
        return {}
    best = {}
    for b in data.get("benchmarks", []):
        if "error_occurred" in b or b.get("run_type", "iteration") != "iteration":
            continue
        name = base_name(b["name"])
        if name not in best or b.get("real_time", 0) < best[name].get("real_time", 0):
            best[name] = b
    return best


def load_json(path):
    try:
        data = json.loads(pathlib.Path(path).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def rate(b, key="items_per_second"):
    return b.get(key) if b else None


def fmt_rate(x):
    if x is None:
        return "not measured"
    if x >= 1e6:
        return f"{x / 1e6:.2f} M/s"
    return f"{x / 1e3:.0f} k/s"


def fmt_mb(x):
    return "not measured" if x is None else f"{x / 1e6:.1f} MB/s"


def verdict(ok, reason_missed):
    if ok is None:
        return "not measured"
    return "**met**" if ok else "missed: " + reason_missed


def main():
    out = pathlib.Path(sys.argv[1])
    results = pathlib.Path(sys.argv[2])
    codec = bench(out / "codec.json")
    pty = bench(out / "pty.json")
    meter = bench(out / "meter.json")
    paced = load_json(out / "paced.json")
    mix = load_json(out / "mix.json").get("mix", {})
    mix_bare = load_json(out / "mix.json").get("bare_timer")  # its own run's bare loop, when it has one
    generate = {}
    for line in (out / "generate.txt").read_text().splitlines() if (out / "generate.txt").exists() else []:
        parts = line.split()
        if len(parts) >= 3:  # format, best CPU seconds, frames[, runs]
            generate[parts[0]] = (float(parts[1]), int(parts[2]), int(parts[3]) if len(parts) > 3 else 1)
    machine = (out / "machine.txt").read_text() if (out / "machine.txt").exists() else ""
    load = None  # the 1-minute load average when the run started
    for line in machine.splitlines():
        if line.startswith("load") and "at start:" in line:
            try:
                load = float(line.split("at start:")[1].split()[0])
            except (IndexError, ValueError):
                pass
    quiet = load is not None and load < 0.5
    machine_note = f"quiet machine, load {load:.2f}" if quiet else (
        f"shared machine, load {load:.2f}" if load is not None else "load unknown")

    rows = []

    def row(figure, old, new, limit, target, result):
        rows.append(f"| {figure} | {old} | {new} | {limit} | {target} | {result} |")

    aes = rate(codec.get("reference_openssl_aes128_gcm_push1"))
    l1 = rate(codec.get("build_frame/list1_plain_no_3p"))
    p1c = rate(codec.get("build_frame/push1_ciphered_dk_3p"))
    p1 = rate(codec.get("build_frame/p1_telegram"))
    crc = codec.get("crc16_x25_228B")
    row("list 1 plain, built from a snapshot", "150–190 k/s (5–7 µs)", fmt_rate(l1),
        f"AES-GCM alone {fmt_rate(aes)}", "≥ 2 M/s",
        verdict(None if l1 is None else l1 >= 2e6,
                f"{1e9 / l1:.0f} ns a frame; CRC over 228 B alone {crc['real_time']:.0f} ns" if l1 and crc else "see codec_bench"))
    row("push 1 ciphered (dk-3p), built from a snapshot", "80–90 k/s", fmt_rate(p1c),
        f"AES-GCM of the same plaintext {fmt_rate(aes)}", "≥ 1 M/s",
        verdict(None if p1c is None else p1c >= 1e6,
                f"the AES-GCM of the plaintext alone allows {fmt_rate(aes)} in this run" if aes else "see codec_bench"))
    row("P1 telegram, built from a snapshot", "—", fmt_rate(p1), "—", "≥ 1 M/s",
        verdict(None if p1 is None else p1 >= 1e6, f"{1e9 / p1:.0f} ns a telegram (text formatting of ~40 lines)" if p1 else ""))
    gen_model = rate(meter.get("generate_frames/kamstrup_no_3p"))
    row("model + list 1 (meter_bench, one push each)", "211 k/s", fmt_rate(gen_model), "—", "—", "for reference")

    old_gen = {"raw": "17.6 s", "hex": "18.4 s", "jsonl": "48.7 s"}
    for fmt, target in (("raw", 5.0), ("hex", 5.0), ("jsonl", 10.0)):
        if fmt in generate:
            seconds, frames, runs = generate[fmt]
            floor = frames / l1 if l1 else None
            limit = f"encoding alone {floor:.1f} s ({frames:,} frames at the list-1 build rate)" if floor else "—"
            best = f" (best of {runs})" if runs > 1 else ""
            row(f"`generate --duration 365d` kamstrup-no-3p, {fmt}, to /dev/null", old_gen[fmt], f"{seconds:.1f} s{best}",
                limit, f"< {target:.0f} s",
                verdict(seconds < target, f"{seconds / max(frames, 1) * 1e6:.2f} µs a frame end to end (CPU time; {machine_note})"))
        else:
            row(f"`generate --duration 365d` kamstrup-no-3p, {fmt}", old_gen[fmt], "not measured", "—", f"< {target:.0f} s", "not measured")

    ref = pty.get("reference_raw_pty_write")
    fast = pty.get("hansim_unpaced_pty")
    ref_bps = rate(ref, "bytes_per_second")
    fast_bps = rate(fast, "bytes_per_second")
    share = fast_bps / ref_bps if ref_bps and fast_bps else None
    cpu_note = ""
    if ref and fast and ref.get("cpu_time") and fast.get("cpu_time"):
        cpu_note = (f"; writer CPU per 228-byte frame {fast['cpu_time']:.0f} ns against the loop's "
                    f"{ref['cpu_time']:.0f} ns (the runner's work a frame: the frame from its source, an io_context poll, "
                    f"the frame report; the listener is looked for at most once a millisecond)")
    row("fast output to a PTY with a reader draining it (unpaced_runner → pty_sink)", "3–4 MB/s, 14–18 % frames lost",
        f"{fmt_mb(fast_bps)}" + (f" ({share:.0%} of the limit), no frame lost" if share is not None else ""),
        f"plain write loop {fmt_mb(ref_bps)}", "≥ 80 % of the limit, none lost",
        verdict(None if share is None else share >= 0.8, f"{share:.0%} of the loop{cpu_note}" if share else ""))

    bare = paced.get("bare_timer", {})
    p2400 = paced.get("paced_2400", {})
    p115 = paced.get("paced_115200", {})
    if not p2400:
        row("1,000 paced meters on PTYs (wire duration, first-byte lateness, frames lost)", "+53–61 %; p99 15–38 ms",
            "not measured", "bare timer loop, same run", "within 0.5 %; p99 ≤ 2× the bare p99", "not measured")
    if p2400:
        within = p2400.get("wire_within_0_5_percent", 0)
        row(f"{p2400['meters']} paced meters: wire duration of every frame vs nominal", "+53–61 %",
            f"median {p2400['wire_deviation_median']:.2%}, worst {p2400['wire_deviation_worst']:.2%}, "
            f"{within:.1%} of {p2400['wire_frames']} frames within 0.5 %",
            "—", "every frame within 0.5 %",
            verdict(within >= 1.0,
                    f"worst {p2400['wire_deviation_worst']:.2%} ({p2400['wire_deviation_worst'] * 950:.1f} ms on a "
                    f"950 ms frame), {1 - within:.1%} of frames over 0.5 %: this host stalls wake-ups now and then, "
                    f"the bare timer loop's by up to {bare.get('lateness_max_ms', 0):.1f} ms "
                    f"({bare.get('lateness_max_ms', 0) / 950:.2%} of a frame) and the run's own first bytes by up to "
                    f"{p2400['lateness_max_ms']:.1f} ms, while their p99 is {bare.get('lateness_p99_ms', 0):.2f} ms"))
        limit = 2 * bare.get("lateness_p99_ms", 0)
        row(f"{p2400['meters']} paced meters: first-byte lateness p50 / p99 / max", "p99 15–38 ms (bare loop 4–11 ms)",
            f"{p2400['lateness_p50_ms']:.2f} / {p2400['lateness_p99_ms']:.2f} / {p2400['lateness_max_ms']:.1f} ms",
            f"bare timer loop p99 {bare.get('lateness_p99_ms', 0):.2f} ms (max {bare.get('lateness_max_ms', 0):.1f} ms)",
            "p99 ≤ 2× the bare p99",
            verdict(p2400["lateness_p99_ms"] <= limit,
                    f"{p2400['lateness_p99_ms']:.2f} ms > {limit:.2f} ms; CPU {p2400['cpu_share']:.0%} of a core"))
        row(f"{p2400['meters']} paced meters: frames lost", "—", str(p2400["frames_lost"]), "—", "0",
            verdict(p2400["frames_lost"] == 0, f"{p2400['frames_lost']} lost"))
        if p2400.get("timer_wakeups"):
            per_wake = p2400["timer_callbacks"] / p2400["timer_wakeups"]
            row(f"{p2400['meters']} paced meters (each its own push phase): one timer for all",
                "one steady_timer per meter, two re-arms and two listener checks a chunk",
                f"{p2400['timer_wakeups']:,} wake-ups ran {p2400['timer_callbacks']:,} callbacks "
                f"({per_wake:.2f} a wake-up), {p2400['timer_arms']:,} re-arms; run loop "
                f"{p2400['cpu_share']:.1%} of a core",
                "—", "one timer per instant; one re-arm and one write a chunk",
                "**met**" if p2400["timer_arms"] <= p2400["timer_wakeups"] + p2400["meters"] else
                f"missed: {p2400['timer_arms']:,} re-arms for {p2400['timer_wakeups']:,} wake-ups")
    if p115:
        span = p115.get("wire_nominal_median_ms", 0)
        bare_p99 = bare.get("lateness_p99_ms", 0)
        bare_spread = bare_p99 - bare.get("lateness_p50_ms", 0)
        row("115200-baud pacing: wire duration per frame vs nominal", "+0.72 % median, −13…+22 % per frame",
            f"median {p115['wire_deviation_median']:.2%}, p99 {p115['wire_deviation_p99']:.2%}, worst "
            f"{p115['wire_deviation_worst']:.2%}; {p115.get('wire_within_0_5_percent', 0):.0%} of "
            f"{p115['wire_frames']} frames within 0.5 %",
            f"bare timer loop p50 / p99 / max {bare.get('lateness_p50_ms', 0):.2f} / {bare_p99:.2f} / "
            f"{bare.get('lateness_max_ms', 0):.1f} ms against a {span:.1f} ms span (first to last chunk)",
            "within 0.5 %",
            verdict(p115["wire_deviation_worst"] <= 0.005,
                    f"worst {p115['wire_deviation_worst'] * span:.2f} ms off the {span:.1f} ms span, which is two "
                    f"wake-ups apart (the writer's for the last chunk, the reader's for each end): 0.5 % is "
                    f"{0.005 * span:.2f} ms, where the bare loop's own wake-ups spread {bare_spread:.2f} ms from "
                    f"p50 to p99 ({bare_spread / span:.1%} of the span) and reach "
                    f"{bare.get('lateness_max_ms', 0):.1f} ms at worst" if span else "no span measured"))

    if mix:
        meters = mix["paced"] + mix["unpaced"]
        kinds = f"PTY {mix['on_pty']:,}, TCP {mix['on_tcp']:,}, file {mix['on_file']:,}"
        row(f"{mix['paced']:,} paced + {mix['unpaced']:,} unpaced meters in one process ({kinds}): CPU",
            "—", f"run loop {mix['cpu_share']:.1%} of a core (process with its readers {mix['process_cpu_share']:.1%}); "
            f"{mix['frames_sent_paced'] + mix['frames_sent_unpaced']:,} frames sent, "
            f"{mix['frames_lost_paced'] + mix['frames_lost_unpaced']:,} lost",
            "—", "< 50 % of a core",
            verdict(mix["cpu_share"] < 0.5, f"{mix['cpu_share']:.0%} of a core for {meters:,} meters"))
        row(f"{mix['paced']:,} paced + {mix['unpaced']:,} unpaced meters in one process: memory per meter",
            "—", f"{mix['rss_per_meter_bytes'] / 1e3:.0f} KB (peak RSS {mix['rss_peak_bytes'] / 1e6:.0f} MB / {meters:,}; "
            f"growth over the empty process {mix['rss_growth_per_meter_bytes'] / 1e3:.0f} KB a meter)",
            "—", "< 100 KB a meter",
            verdict(mix["rss_per_meter_bytes"] < 100e3, f"{mix['rss_per_meter_bytes'] / 1e3:.0f} KB a meter"))
        limit_bare, where = (mix_bare, "same run") if mix_bare else (bare, "paced_bench paced")
        row(f"{mix['paced']:,} paced meters beside {mix['unpaced']:,} unpaced: first-byte lateness p50 / p99", "—",
            f"{mix['paced_lateness_p50_ms']:.2f} / {mix['paced_lateness_p99_ms']:.2f} ms",
            f"bare timer loop p99 {limit_bare.get('lateness_p99_ms', 0):.2f} ms ({where})" if limit_bare else "—",
            "p99 ≤ 2× the bare p99",
            verdict(mix["paced_lateness_p99_ms"] <= 2 * limit_bare["lateness_p99_ms"],
                    f"{mix['paced_lateness_p99_ms']:.2f} ms > {2 * limit_bare['lateness_p99_ms']:.2f} ms, "
                    f"with {mix['unpaced']:,} unpaced meters writing on the same thread between the paced "
                    f"meters' instants") if limit_bare else "not measured")
    else:
        row("1,000 paced + 4,000 unpaced meters in one process: CPU and memory per meter", "—", "not measured", "—",
            "< 50 % of a core, < 100 KB a meter", "not measured")

    text = [
        "# Benchmark results (issue 12: speed)",
        "",
        "Written by `tests/bench/run-benchmarks` (do not edit by hand). Every figure stands beside",
        "a limit measured in the same run, so the verdicts hold on a noisy machine too; the",
        "absolute figures do not. " + ("This run started on a quiet machine (see the load average below)."
                                       if quiet else "When this was recorded the machine was shared with other "
                                       "work (see the load average below), so re-run it on a quiet machine."),
        "",
        "```",
        machine.strip(),
        "```",
        "",
        "| figure | old (issue 12 text) | now | limit, same run | target | result |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        "CPU is that of the thread that runs the meters (getrusage per thread) over the run's wall",
        "time; memory is the process's peak resident set while the meters run, divided by the",
        "meters. The paced figures come from readers in the same process (one epoll thread).",
        "",
        "## Raw Google Benchmark output",
        "",
    ]
    for name in ("codec", "security", "pty", "meter"):
        raw = out / f"{name}.txt"
        if raw.exists():
            text += [f"### {name}_bench", "", "```", raw.read_text().strip(), "```", ""]
    if (out / "generate-runs.txt").exists():
        text += ["### generate, every run (CPU seconds)", "", "```", (out / "generate-runs.txt").read_text().strip(),
                 "```", ""]
    for name in ("paced", "mix"):
        if (out / f"{name}.json").exists():
            text += [f"### paced_bench {name}", "", "```", (out / f"{name}.json").read_text().strip(), "```", ""]
    results.write_text("\n".join(text) + "\n")


if __name__ == "__main__":
    main()
