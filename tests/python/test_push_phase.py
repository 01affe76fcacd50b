"""Meters spread in time as real meters do (issue 12): copies made by --count each get their own
push phase, drawn from their seed, the same in generate, run and Python. Checked through the
frames themselves: the date-time the independent decoder reads from each frame is the meter's
x0 slot, and the frame leaves (generate's true send time, a reader's arrival time) the phase
later."""
import datetime
import json
import os
import select
import subprocess
import time

from independent_decoder import decode_hdlc, decode_notification, split_hdlc_stream
from run_helpers import Running, open_reader

START = "2024-03-01T12:00:00Z"


def generate(hansim_bin, *args, start=START):
    proc = subprocess.run([str(hansim_bin), "generate", "--meter", "kamstrup-no-3p", "--start", start,
                           "--jitter", "none", "--format", "jsonl", *map(str, args)],
                          capture_output=True, text=True, timeout=120)
    return proc


def frame_seconds(wire: bytes) -> float:
    """Seconds into the minute of the date-time in the frame's header (the meter's clock)."""
    note = decode_notification(decode_hdlc(wire).information[3:])  # after the LLC header E6 E7 00
    dt = note.date_time
    assert dt is not None
    return dt[7] + (0 if dt[8] == 0xFF else dt[8] / 100)  # year(2) month day weekday hour minute second hundredths


def phases_ms(records) -> dict:
    """meter -> set of (true send time - frame date-time) in ms, modulo a minute."""
    out: dict = {}
    for r in records:
        if r["list"] != "list1":
            continue
        send = datetime.datetime.fromisoformat(r["send"].replace("Z", "+00:00"))
        seconds = frame_seconds(bytes.fromhex(r["hex"]))
        assert seconds % 10 == 0, "the meter pushes at x0 on its own clock"
        true_seconds = send.second + send.microsecond / 1e6
        out.setdefault(r["meter"], set()).add(round(((true_seconds - seconds) % 60) * 1000))
    return out


def test_count_copies_get_their_own_phase_within_the_push_period_and_the_same_every_run(hansim_bin):
    first = generate(hansim_bin, "--count", 6, "--duration", "1m")
    assert first.returncode == 0, first.stderr
    phases = phases_ms(json.loads(line) for line in first.stdout.splitlines())
    assert len(phases) == 6
    for meter, seen in phases.items():
        assert len(seen) == 1, f"{meter}: one phase for every frame, got {seen}"
        assert 0 <= next(iter(seen)) < 10_000
    values = [next(iter(s)) for s in phases.values()]
    assert len(set(values)) == 6, f"every copy its own phase: {values}"
    assert max(values) - min(values) > 1000, f"spread over the period: {values}"
    again = generate(hansim_bin, "--count", 6, "--duration", "1m")
    assert again.stdout == first.stdout  # drawn from the seed: the same every run
    other_seed = generate(hansim_bin, "--count", 6, "--duration", "1m", "--seed", 99)
    assert phases_ms(json.loads(line) for line in other_seed.stdout.splitlines()) != phases


def test_a_given_phase_wins_and_a_lone_meter_stays_on_x0(hansim_bin):
    lone = generate(hansim_bin, "--duration", "30s")
    assert lone.returncode == 0, lone.stderr
    assert set().union(*phases_ms(json.loads(line) for line in lone.stdout.splitlines()).values()) == {0}
    aligned = generate(hansim_bin, "--count", 3, "--push-phase", 0, "--duration", "30s")
    assert set().union(*phases_ms(json.loads(line) for line in aligned.stdout.splitlines()).values()) == {0}
    given = generate(hansim_bin, "--push-phase", "2500ms", "--duration", "30s")
    assert set().union(*phases_ms(json.loads(line) for line in given.stdout.splitlines()).values()) == {2500}
    drawn = generate(hansim_bin, "--push-phase", "auto", "--duration", "30s")
    (phase,) = set().union(*phases_ms(json.loads(line) for line in drawn.stdout.splitlines()).values())
    assert 0 <= phase < 10_000


def test_a_phase_outside_the_push_period_is_a_usage_error(hansim_bin):
    for value, expected in (("10s", "below the push period (10s), got 10s"),
                            ("-1s", "auto or a duration >= 0"), ("soon", "auto or a duration >= 0")):
        proc = generate(hansim_bin, "--push-phase", value, "--duration", "30s")
        assert proc.returncode == 2, proc.stdout
        assert "push_phase" in proc.stderr or "--push-phase" in proc.stderr, proc.stderr
        assert expected in proc.stderr, proc.stderr


def test_a_scenario_meter_takes_push_phase_like_the_command_line(hansim_bin, tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text("meters:\n  - profile: kamstrup-no-3p\n    name: late\n    push_phase: 4s\n    jitter: none\n"
                        "    port: file:/dev/null\n")
    proc = subprocess.run([str(hansim_bin), "generate", "--scenario", scenario, "--start", START, "--duration", "30s",
                           "--format", "jsonl"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert phases_ms(json.loads(line) for line in proc.stdout.splitlines()) == {"late": {4000}}


def test_python_meters_take_push_phase_like_the_command_line(hansim_bin):
    import hansim

    for value in ("auto", "3250ms"):
        cli = generate(hansim_bin, "--seed", 41, "--push-phase", value, "--duration", "30s")
        expected = phases_ms(json.loads(line) for line in cli.stdout.splitlines())
        meter = hansim.Meter("kamstrup-no-3p", start=START, seed=41, jitter="none", push_phase=value)
        records = [{"meter": f.meter, "list": f.list, "send": f.send, "hex": f.wire.hex()} for f in meter.frames("30s")]
        assert list(phases_ms(records).values()) == list(expected.values())  # one meter each (named apart)
    assert list(expected.values()) == [{3250}]


def first_sends(records) -> dict:
    """meter -> true send time (datetime) of its first frame."""
    out: dict = {}
    for r in records:
        out.setdefault(r["meter"], datetime.datetime.fromisoformat(r["send"].replace("Z", "+00:00")))
    return out


def test_run_count_meters_arrive_spread_by_their_phases(hansim_bin, tmp_path):
    """Real time on PTYs: the readers see the meters' first frames as far apart as generate's
    send times (phases included) say, divided by the speed."""
    speed = 5
    phases = sorted(next(iter(s)) for s in phases_ms(
        json.loads(line) for line in generate(hansim_bin, "--count", 4, "--duration", "20s").stdout.splitlines()).values())
    # Start in the middle of the widest gap between the phases, so that every meter's first
    # frame comes well after the readers are open.
    gaps = [((phases[(i + 1) % 4] - phases[i]) % 10_000, phases[i]) for i in range(4)]
    width, after = max(gaps)
    start_ms = (after + width // 2) % 10_000
    start = f"2024-03-01T12:00:{start_ms // 1000:02d}.{start_ms % 1000:03d}Z"
    args = ["--count", 4, "--duration", "22s"]
    sends = first_sends(json.loads(line) for line in generate(hansim_bin, *args, start=start).stdout.splitlines())
    assert len(sends) == 4
    run = Running(hansim_bin, *args, "--start", start, "--meter", "kamstrup-no-3p", "--port",
                  f"pty:{tmp_path}/ttyHAN{{n}}", "--quiet", "--jitter", "none", "--speed", speed)
    try:
        run.wait_for_line("hansim run: 4 meters")
        ports = {n: open_reader(tmp_path / f"ttyHAN{n}") for n in range(1, 5)}
        names = sorted(sends)  # NAME-1 .. NAME-4: port n is copy n
        readers = {port.fileno(): names[n - 1] for n, port in ports.items()}
        first_byte: dict = {}
        data = {fd: b"" for fd in readers}
        while run.proc.poll() is None:
            ready, _, _ = select.select(list(readers), [], [], 0.05)
            now = time.monotonic()
            for fd in ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    continue
                if chunk and not data[fd]:
                    first_byte[readers[fd]] = now
                data[fd] += chunk
        for port in ports.values():
            port.close()
        code, err = run.finish()
    finally:
        run.kill()
    assert code == 0, err
    for fd, name in readers.items():
        frames = split_hdlc_stream(data[fd])
        assert frames, name
        assert all(frame_seconds(f) % 10 in (0, 5) for f in frames), "x0 (list 1) and xx:00:05 (list 2) slots"
    assert sorted(first_byte) == sorted(sends)
    base = min(sends, key=sends.get)
    for name in sends:
        want = (sends[name] - sends[base]).total_seconds() / speed
        got = first_byte[name] - first_byte[base]
        assert abs(got - want) < 0.15, f"{name}: {got:.3f} s after {base}, the send times say {want:.3f} s"
