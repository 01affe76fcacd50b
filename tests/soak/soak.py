#!/usr/bin/python3
"""Soak at accelerated time: DAYS simulated days of every list kind, plain and ciphered, from
one `hansim run` through PTYs into a reader, then checked from the outside.

Meters (one scenario, one process, each on its own PTY):
  nve-plain    kamstrup-no-3p    HAN-NVE list 1 + list 2, plain
  nve-glo      kamstrup-no-3p    the same lists, general-glo-ciphering (SC 0x30)
  push1-plain  kamstrup-dk-3p-ct DLMS push 1, plain
  push1-glo    kamstrup-dk-3p    DLMS push 1, ciphered (exporting: the export registers run)
  p1-plain     kamstrup-p1       P1 telegrams
  p1-glo       kamstrup-p1       P1 in the Luxembourg glo wrapper (key-file AK)
Each meter runs a fixed total active power, so the energy it must show at any time is exact.

Checks, per meter: the summary counts every frame as sent and none lost; the reader got
exactly the bytes hansim wrote; `hansim decode --strict` finds exactly the expected frames
(days * 8640 per 10 s list, days * 24 list 2), none broken; per list the meter clock advances
by exactly the period from frame to frame (nothing lost, nothing repeated); the reported power
is the set power; every energy register is monotonic and the active one equals the integral of
the load (start value + P * t, within one register unit); invocation counters strictly
increase; and a sample of frames (every list 2, every 500th other frame) decoded by the
independent Python decoder (tests/python/independent_decoder.py, own CRC/A-XDR/GCM) gives the
same values as hansim.

The PTYs are opened by this reader before hansim starts (os.openpty; hansim writes to the
slave side as `serial:/dev/pts/N`), so no frame falls due before a reader listens. At a speed
the reader cannot keep up with, the port's back-pressure slows hansim down (frames go out late,
never cut or lost); CI runs at 1e6 so the reader sets the pace. A loss fails the soak.

  /usr/bin/python3 tests/soak/soak.py [--days 30] [--speed 20000] [--hansim build/default/simulator/hansim]
Exit 0 when every check passed, 1 otherwise (each failure printed).
"""
import argparse
import datetime
import json
import os
import pathlib
import select
import subprocess
import sys
import tempfile
import time
import tty

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "python"))
from independent_decoder import decode_hdlc, decode_notification, decode_p1, glo_decrypt  # noqa: E402

EK = bytes.fromhex("000102030405060708090A0B0C0D0E0F")
AK = bytes.fromhex("D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF")
START = "2024-11-01T00:00:00Z"  # 30 days without a DST change (the DK meter keeps CET/CEST)

# name, profile, extra settings, total active power (W), lists and their periods (s)
METERS = [
    ("nve-plain", "kamstrup-no-3p", {}, 2345, {"list1": 10, "list2": 3600}),
    ("nve-glo", "kamstrup-no-3p", {"security": "encrypt+authenticate"}, 1234, {"list1": 10, "list2": 3600}),
    ("push1-plain", "kamstrup-dk-3p-ct", {}, 5432, {"push1": 10}),
    ("push1-glo", "kamstrup-dk-3p", {}, -1500, {"push1": 10}),
    ("p1-plain", "kamstrup-p1", {}, 3000, {"p1": 10}),
    ("p1-glo", "kamstrup-p1", {"security": "encrypt+authenticate", "p1_authentication_key": "key_file"}, 800, {"p1": 10}),
]
HAN_ENERGY = ("1-1:1.8.0.255", "1-1:2.8.0.255", "1-1:3.8.0.255", "1-1:4.8.0.255")  # registers in 10 Wh / 10 varh
P1_ENERGY = ("1-0:1.8.0", "1-0:2.8.0", "1-0:3.8.0", "1-0:4.8.0")  # kWh / kvarh, 3 decimals


class Failures(list):
    def check(self, condition, message):
        if not condition:
            self.append(message)
        return condition


def open_ptys(names):
    """{name: (master fd, slave path, slave fd)}: raw PTYs whose master this reader holds."""
    ptys = {}
    for name in names:
        master, slave = os.openpty()
        tty.setraw(slave)
        ptys[name] = (master, os.ttyname(slave), slave)
    return ptys


def read_all(ptys, proc, idle=1.0):
    """Reads every master until hansim has exited and the lines are idle."""
    streams = {name: bytearray() for name in ptys}
    by_fd = {master: name for name, (master, _, _) in ptys.items()}
    quiet_since = None
    while True:
        ready, _, _ = select.select(list(by_fd), [], [], 0.1)
        for fd in ready:
            streams[by_fd[fd]] += os.read(fd, 1 << 16)
        if ready:
            quiet_since = None
        elif proc.poll() is not None:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since > idle:
                return streams


def local_time(text):
    return datetime.datetime.fromisoformat(text)


def check_meter(name, power, periods, days, raw, records, summary, failures):
    expected = {kind: round(days * 86400) // period for kind, period in periods.items()}
    total = sum(expected.values())
    failures.check(summary["frames_lost"] == 0, f"{name}: {summary['frames_lost']} frames lost: {summary}")
    failures.check(summary["frames_sent"] == total, f"{name}: {summary['frames_sent']} frames sent, expected {total}")
    failures.check(summary["bytes_sent"] == len(raw),
                   f"{name}: hansim wrote {summary['bytes_sent']} bytes, the reader got {len(raw)}")
    broken = [r for r in records if "error" in r]
    failures.check(not broken, f"{name}: {len(broken)} broken frames, first {broken[:1]}")
    is_p1 = "p1" in periods
    by_kind = {}
    for r in records:
        if "values" not in r:
            continue
        kind = "p1" if is_p1 else r.get("list")
        by_kind.setdefault(kind, []).append(r)
    for kind, count in expected.items():
        got = by_kind.get(kind, [])
        failures.check(len(got) == count, f"{name}: {len(got)} {kind} frames decoded, expected {count}")
        stamps = [local_time(r["values"]["0-0:1.0.0"]["time"] if is_p1 else r["date_time"]) for r in got]
        steps = {(b - a).total_seconds() for a, b in zip(stamps, stamps[1:])}
        failures.check(steps <= {float(periods[kind])},
                       f"{name}: {kind} clock steps {sorted(steps)[:5]} (expected only {periods[kind]} s: "
                       "a frame lost or repeated)")
    # power and energy
    energy_frames = by_kind.get("p1") or by_kind.get("push1") or by_kind.get("list2") or []
    power_frames = by_kind.get("p1") or by_kind.get("push1") or by_kind.get("list1") or []
    for r in power_frames:
        v = r["values"]
        if is_p1:
            reported = (v["1-0:1.7.0"]["value"] - v["1-0:2.7.0"]["value"]) * 1000
        else:
            reported = v["1-1:1.7.0.255"] - v["1-1:2.7.0.255"]
        if not failures.check(abs(reported - power) < 0.5, f"{name}: power {reported} W reported, {power} W set: {r}"):
            break
    registers = P1_ENERGY if is_p1 else HAN_ENERGY
    unit = 1.0 if is_p1 else 10.0  # Wh per register step (P1: 0.001 kWh)

    def energy(r, key):
        value = r["values"][key]
        return round(value["value"] * 1000) if is_p1 else value

    for key in registers:
        series = [energy(r, key) for r in energy_frames]
        failures.check(all(b >= a for a, b in zip(series, series[1:])), f"{name}: {key} not monotonic")
    active = registers[0] if power >= 0 else registers[1]
    if not failures.check(energy_frames, f"{name}: no frame with energy registers"):
        return float("nan")
    stamps = [local_time(r["values"]["0-0:1.0.0"]["time"] if is_p1 else r["date_time"]) for r in energy_frames]
    first = energy(energy_frames[0], active) * (1 if is_p1 else unit)
    worst = 0.0
    for r, t in zip(energy_frames, stamps):
        shown = energy(r, active) * (1 if is_p1 else unit)
        integral = abs(power) * (t - stamps[0]).total_seconds() / 3600
        worst = max(worst, abs(shown - first - integral))
    failures.check(worst <= unit, f"{name}: {active} differs from the integral of {power} W by up to {worst:.1f} Wh")
    counters = [r["invocation_counter"] for r in records if "invocation_counter" in r]
    if name.endswith("-glo"):
        failures.check(len(counters) == total, f"{name}: {len(counters)} counters for {total} frames")
        failures.check(all(b > a for a, b in zip(counters, counters[1:])), f"{name}: invocation counters not strictly increasing")
    return worst


def independent_sample(name, raw, records, failures, every=500):
    """Decodes a sample with the independent decoder and compares with hansim's records."""
    checked = 0
    for i, r in enumerate(records):
        if not (i % every == 0 or r.get("list") == "list2"):
            continue
        frame = bytes(raw[r["offset"]:r["offset"] + r["length"]])
        if r["kind"] == "p1" or r["kind"] == "glo":
            text = glo_decrypt(frame, EK, AK) if r["kind"] == "glo" else frame
            _, values = decode_p1(text)
            mine = values["1-0:1.8.0"].split("*")[0]
            failures.check(float(mine) == r["values"]["1-0:1.8.0"]["value"], f"{name}: frame {i}: 1.8.0 {mine} vs {r}")
        else:
            apdu = decode_hdlc(frame).information[3:]
            if apdu[0] == 0xDB:
                apdu = glo_decrypt(apdu, EK, AK)
            note = decode_notification(apdu)
            for key, value in r["values"].items():
                if isinstance(value, int):
                    failures.check(note.values.get(key) == value, f"{name}: frame {i}: {key} {note.values.get(key)} vs {value}")
        checked += 1
    return checked


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=float, default=30, help="simulated days (a fraction for a quick check)")
    parser.add_argument("--speed", type=float, default=20000)
    parser.add_argument("--hansim", default=str(REPO / "build" / "default" / "simulator" / "hansim"))
    args = parser.parse_args()
    failures = Failures()
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="hansim-soak-") as tmp:
        tmp = pathlib.Path(tmp)
        keys = tmp / "keys.txt"
        keys.write_text(f"encryption_key={EK.hex()}\nauthentication_key={AK.hex()}\n")
        keys.chmod(0o600)
        ptys = open_ptys([m[0] for m in METERS])
        lines = [f"start: {START}", "seed: 7", "meters:"]
        for name, profile, extra, power, _ in METERS:
            settings = {"name": name, "profile": profile, "power": power, "port": f"serial:{ptys[name][1]}", **extra}
            lines.append("  - { " + ", ".join(f"{k}: {v}" for k, v in settings.items()) + " }")
        scenario = tmp / "soak.yaml"
        scenario.write_text("\n".join(lines) + "\n")
        summary_path = tmp / "summary.json"
        command = [args.hansim, "run", "--scenario", str(scenario), "--key-file", str(keys), "--fast",
                   "--speed", str(args.speed), "--duration", f"{round(args.days * 86400)}s", "--quiet", "--summary-json", str(summary_path)]
        print(f"soak: {args.days:g} simulated days of {len(METERS)} meters at speed {args.speed:g} (--fast) "
              f"through PTYs: {' '.join(command[1:])}", flush=True)
        # hansim runs niced so that on a busy machine the reader, not the writer, gets the CPU:
        # until the sinks apply back-pressure (issue 12) a lagging reader means lost frames.
        proc = subprocess.Popen(["nice", "-n", "10", *command], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        streams = read_all(ptys, proc)
        out, err = proc.communicate()
        ran = time.monotonic() - began
        if not failures.check(proc.returncode == 0, f"hansim run exited {proc.returncode}: {err.decode()}"):
            print("\n".join(failures))
            return 1
        summaries = {m["name"]: m for m in json.loads(summary_path.read_text())["meters"]}
        for name, _, _, power, periods in METERS:
            raw = streams[name]
            path = tmp / f"{name}.bin"
            path.write_bytes(raw)
            decoded = subprocess.run([args.hansim, "decode", "--key-file", str(keys), str(path)],
                                     capture_output=True, check=False)
            records = [json.loads(line) for line in decoded.stdout.splitlines()]
            worst = check_meter(name, power, periods, args.days, raw, records, summaries[name], failures)
            sampled = independent_sample(name, raw, records, failures)
            print(f"soak: {name:12s} {summaries[name]['frames_sent']:7d} frames, {len(raw):10d} bytes, "
                  f"energy within {worst:.1f} Wh of the integral, {sampled} frames cross-checked", flush=True)
        for master, _, slave in ptys.values():
            os.close(master)
            os.close(slave)
    for failure in failures[:50]:
        print(f"soak: FAILED: {failure}")
    verdict = "passed" if not failures else f"FAILED ({len(failures)} checks)"
    print(f"soak: {verdict}; hansim run took {ran:.0f} s, everything {time.monotonic() - began:.0f} s")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
