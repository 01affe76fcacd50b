"""Load sources of the timeline, checked through the decoders (issue 8): every frame of
`hansim generate --format jsonl` is decoded by `hansim decode` and by the independent decoder
(timeline_helpers.generate checks they agree with the ground truth), and the tests assert on
what a reader sees: the power, per phase, the energy registers and their integral.

The P1 meter (kamstrup-p1) is used where numbers matter: it lists per-phase P, Q and U and
1 Wh registers, and with p1_period=1s a telegram falls at the start of every 1 s integration
step, so the energy register must equal the sum of the powers it listed.
"""
import math

import pytest

from timeline_helpers import START, generate, generate_records

P1_EVERY_SECOND = ("p1_period=1s", "p1_phase=0s")
PHASE_P = ("1-0:21.7.0", "1-0:41.7.0", "1-0:61.7.0")      # per-phase active import, kW
PHASE_P_OUT = ("1-0:22.7.0", "1-0:42.7.0", "1-0:62.7.0")  # per-phase active export, kW
PHASE_Q = ("1-0:23.7.0", "1-0:43.7.0", "1-0:63.7.0")      # per-phase reactive import, kvar
PHASE_Q_OUT = ("1-0:24.7.0", "1-0:44.7.0", "1-0:64.7.0")  # per-phase reactive export, kvar
PHASE_U = ("1-0:32.7.0", "1-0:52.7.0", "1-0:72.7.0")      # V


def net_w(frame) -> float:
    """Signed total active power a P1 reader sees (import − export), W."""
    return 1000 * (frame.number("1-0:1.7.0") - frame.number("1-0:2.7.0"))


def phase_w(frame, i) -> float:
    return 1000 * (frame.number(PHASE_P[i]) - frame.number(PHASE_P_OUT[i]))


def phase_var(frame, i) -> float:
    return 1000 * (frame.number(PHASE_Q[i]) - frame.number(PHASE_Q_OUT[i]))


def wh(frame, key="1-0:1.8.0") -> float:
    return frame.number(key) * 1000


def assert_energy_is_the_integral(frames, step_s=1.0):
    """Import and export registers (1 Wh) equal the first reading plus Σ P·Δt of the powers
    the telegrams listed, each held for one step (the integration step), within the 1 Wh
    the registers are floored to and the 1 W the powers are rounded to."""
    imported = wh(frames[0])
    exported = wh(frames[0], "1-0:2.8.0")
    drift_w = 0.0
    for before, after in zip(frames, frames[1:]):
        assert after.at - before.at == pytest.approx(step_s)
        p = net_w(before)
        imported += max(p, 0) * step_s / 3600
        exported += max(-p, 0) * step_s / 3600
        drift_w += 1 * step_s / 3600  # the listed power is rounded to 1 W
        assert abs(wh(after) - imported) <= 1 + drift_w, (after.at, wh(after), imported)
        assert abs(wh(after, "1-0:2.8.0") - exported) <= 1 + drift_w, (after.at, wh(after, "1-0:2.8.0"), exported)


def test_constant_steps_and_export_as_negative_load(hansim_bin, tmp_path):
    events = ["load=constant:1800@+0s", "load=constant:5400@+10s", "load=constant:-3600@+20s",
              "load=profile@+30s"]
    frames = generate(hansim_bin, tmp_path, "kamstrup-p1", "40s", settings=P1_EVERY_SECOND, events=events)
    own = generate(hansim_bin, tmp_path, "kamstrup-p1", "40s", settings=P1_EVERY_SECOND)
    assert len(frames) == len(own) == 40
    for f, o in zip(frames, own):
        expected = 1800 if f.at < 10 else 5400 if f.at < 20 else -3600 if f.at < 30 else net_w(o)
        assert net_w(f) == pytest.approx(expected, abs=0.5), f.at
        # Import and export are never both listed, and the phases add up to the total.
        assert f.number("1-0:1.7.0") == 0 or f.number("1-0:2.7.0") == 0
        assert sum(phase_w(f, i) for i in range(3)) == pytest.approx(net_w(f), abs=3)
        in_force = [e for e in events if f.at >= float(e.split("@+")[1][:-1])]
        assert f.truth["events"] == in_force[-1:], f.at
    exporting = [f for f in frames if 20 <= f.at < 30]
    assert all(f.number("1-0:2.7.0") == pytest.approx(3.6) and f.number("1-0:1.7.0") == 0 for f in exporting)
    # Export as negative load: the export register climbs 1 Wh a second, import stays flat.
    assert wh(exporting[-1], "1-0:2.8.0") - wh(exporting[0], "1-0:2.8.0") == pytest.approx(9, abs=1)
    assert wh(exporting[-1]) == wh(exporting[0])
    assert_energy_is_the_integral(frames)


def test_steps_from_a_scenario_are_the_same_bytes_as_from_the_command_line(hansim_bin, tmp_path):
    """The legacy power steps {at, power} / {at, release} and the {at, for, KIND: ARGS} form
    of a scenario mean the same as --event."""
    scenario = tmp_path / "steps.yaml"
    scenario.write_text(f"""start: {START}
meters:
  - name: meter1
    profile: kamstrup-p1
    seed: 7
    port: file:{tmp_path}/unused.bin
    events:
      - {{ at: +10s, power: 2500 }}
      - {{ at: +20s, release: true }}
      - {{ at: +25s, for: 5s, outage: true }}
      - {{ at: +30s, load: "ramp:0:3000:10s" }}
""")
    from_file = generate_records(hansim_bin, None, "40s", scenario=scenario, settings=P1_EVERY_SECOND)
    from_cli = generate_records(hansim_bin, "kamstrup-p1", "40s", settings=[*P1_EVERY_SECOND, "seed=7"],
                               events=["load=constant:2500@+10s", "load=profile@+20s", "outage@+25s/5s",
                                       "load=ramp:0:3000:10s@+30s"])
    assert [r["hex"] for r in from_file] == [r["hex"] for r in from_cli]
    assert len(from_file) == 35  # five telegrams fall in the outage


def test_a_ramp_is_linear_in_the_decoded_power(hansim_bin, tmp_path):
    frames = generate(hansim_bin, tmp_path, "kamstrup-p1", "30s", settings=P1_EVERY_SECOND,
                      events=["load=ramp:-2000:4000:12s@+6s"])
    ramp = [f for f in frames if 6 <= f.at]
    for f in ramp:
        expected = -2000 + 6000 * min(f.at - 6, 12) / 12  # from the event, held after OVER
        assert net_w(f) == pytest.approx(expected, abs=0.5), f.at
    slopes = {round(net_w(b) - net_w(a)) for a, b in zip(ramp, ramp[1:]) if b.at <= 18}
    assert slopes == {500}  # W per second: linear
    assert_energy_is_the_integral(frames)


CSV_PQU = """# per-phase P, Q and U; linear between rows
time,p1,p2,p3,q1,q2,q3,u1,u2,u3
0s,1000,2000,-500,100,200,-50,230,231,232
10s,2000,0,-1500,300,0,-150,220,241,212
"""

CSV_PF = """time,p1,p2,p3,pf1,pf2,pf3
0s,1200,800,400,1,0.8,0.6
4s,1200,800,400,0.6,0.8,1
"""


def test_a_csv_series_shows_per_phase_and_is_interpolated_linearly(hansim_bin, tmp_path):
    (tmp_path / "pqu.csv").write_text(CSV_PQU)
    frames = generate(hansim_bin, tmp_path, "kamstrup-p1", "20s", settings=P1_EVERY_SECOND,
                      events=[f"load=csv:{tmp_path}/pqu.csv@+5s"])
    rows = [(0, (1000, 2000, -500), (100, 200, -50), (230, 231, 232)),
            (10, (2000, 0, -1500), (300, 0, -150), (220, 241, 212))]
    for f in frames:
        if f.at < 5:
            continue
        x = min((f.at - 5) / 10, 1.0)  # the last row holds after the end
        for i in range(3):
            p = rows[0][1][i] + (rows[1][1][i] - rows[0][1][i]) * x
            q = rows[0][2][i] + (rows[1][2][i] - rows[0][2][i]) * x
            u = rows[0][3][i] + (rows[1][3][i] - rows[0][3][i]) * x
            assert phase_w(f, i) == pytest.approx(p, abs=0.5), (f.at, i)
            assert phase_var(f, i) == pytest.approx(q, abs=0.5), (f.at, i)
            assert f.number(PHASE_U[i]) == pytest.approx(u, abs=0.05), (f.at, i)
        assert f.truth["events"] == [f"load=csv:{tmp_path}/pqu.csv@+5s"]
    assert_energy_is_the_integral(frames)


def test_a_csv_series_with_power_factors(hansim_bin, tmp_path):
    (tmp_path / "pf.csv").write_text(CSV_PF)
    frames = generate(hansim_bin, tmp_path, "kamstrup-p1", "8s", settings=P1_EVERY_SECOND,
                      events=[f"load=csv:{tmp_path}/pf.csv@+0s"])
    for f in frames:
        x = min(f.at / 4, 1.0)
        for i, (p, pf0, pf1) in enumerate([(1200, 1, 0.6), (800, 0.8, 0.8), (400, 0.6, 1)]):
            pf = pf0 + (pf1 - pf0) * x
            q = p * math.tan(math.acos(pf))  # inductive: Q has P's sign
            assert phase_w(f, i) == pytest.approx(p, abs=0.5)
            assert phase_var(f, i) == pytest.approx(q, abs=0.6), (f.at, i, pf)


def test_the_daily_curve_follows_local_time(hansim_bin, tmp_path):
    """daily_curve:BASE:PEAK with no noise: the evening peak at 18:30 local time is PEAK, the
    night at 03:00 is BASE (the morning and evening bumps have died away)."""
    curve = ["load=daily_curve:500:3000@+0s", "noise=0@+0s"]
    evening = generate(hansim_bin, tmp_path, "kamstrup-p1", "1m", start="2024-01-15T17:30:00Z", events=curve)
    night = generate(hansim_bin, tmp_path, "kamstrup-p1", "1m", start="2024-01-15T02:00:00Z", events=curve)
    assert evening[0].clock == "2024-01-15T18:30:04"
    assert all(net_w(f) == pytest.approx(3000, abs=1) for f in evening)
    assert all(net_w(f) == pytest.approx(500, abs=2) for f in night)
    assert evening[0].truth["events"] == curve


def test_solar_exports_at_noon_and_imports_at_night(hansim_bin, tmp_path):
    solar = ["load=solar:300:3000:6000@+0s", "noise=0@+0s"]
    # kamstrup-p1 keeps CET/CEST: 10:00Z is local noon in June, the top of the solar bell.
    noon = generate(hansim_bin, tmp_path, "kamstrup-p1", "30s", start="2024-06-03T10:00:00Z",
                    settings=P1_EVERY_SECOND, events=solar)
    assert noon[0].clock == "2024-06-03T12:00:00"
    for f in noon:
        assert f.number("1-0:1.7.0") == 0
        assert 5600 < f.number("1-0:2.7.0") * 1000 < 5750  # 6000 W of sun less ~300 W of house
    assert wh(noon[-1], "1-0:2.8.0") > wh(noon[0], "1-0:2.8.0")
    assert_energy_is_the_integral(noon)
    night = generate(hansim_bin, tmp_path, "kamstrup-p1", "30s", start="2024-06-03T22:00:00Z", events=solar)
    assert all(f.number("1-0:2.7.0") == 0 and 300 <= net_w(f) < 320 for f in night)


def test_noise_follows_the_seed(hansim_bin, tmp_path):
    """noise=REL: the load is the noiseless curve times 1 ± REL at most, the factor changes
    once a minute, and it is the same for the same seed (byte for byte) and different for
    another."""
    curve = "load=daily_curve:500:3000@+0s"
    start = "2024-01-15T17:28:00Z"  # about 18:30 local: the top of the evening peak

    def run(seed, noise):
        return generate(hansim_bin, tmp_path, "kamstrup-p1", "5m", start=start,
                        events=[curve, f"noise={noise}@+0s"], settings=[f"seed={seed}"])

    one, again, other, quiet = run(1, 0.3), run(1, 0.3), run(2, 0.3), run(1, 0)
    assert [f.truth["hex"] for f in one] == [f.truth["hex"] for f in again]
    assert [net_w(f) for f in one] != [net_w(f) for f in other]
    assert all(2990 <= net_w(f) <= 3000 for f in quiet)
    by_minute = {}
    for f, q in zip(one, quiet):
        factor = net_w(f) / net_w(q)
        assert 0.7 <= factor <= 1.3
        by_minute.setdefault(int(f.at // 60), []).append(factor)
    for factors in by_minute.values():  # fixed within a minute (to the 1 W the power is listed to)
        assert max(factors) - min(factors) < 0.001, factors
    assert len({round(f[0], 3) for f in by_minute.values()}) >= 4  # but not from minute to minute


def test_appliances_add_on_top_of_the_load_until_switched_off(hansim_bin, tmp_path):
    events = ["appliance=ev:7400@+10s", "appliance=heater:-1500@+15s", "appliance=ev:0@+20s"]
    frames = generate(hansim_bin, tmp_path, "kamstrup-p1", "30s", settings=P1_EVERY_SECOND, events=events)
    own = generate(hansim_bin, tmp_path, "kamstrup-p1", "30s", settings=P1_EVERY_SECOND)
    for f, o in zip(frames, own):
        extra = (7400 if 10 <= f.at < 20 else 0) + (-1500 if f.at >= 15 else 0)
        assert net_w(f) - net_w(o) == pytest.approx(extra, abs=1), f.at
    assert_energy_is_the_integral(frames)


def test_voltage_sag_and_swell_come_back(hansim_bin, tmp_path):
    frames = generate(hansim_bin, tmp_path, "kamstrup-p1", "40s", settings=P1_EVERY_SECOND,
                      events=["load=constant:4600@+0s", "voltage=200@+10s/10s", "voltage=250@+25s/5s"])
    own = generate(hansim_bin, tmp_path, "kamstrup-p1", "40s", settings=P1_EVERY_SECOND,
                   events=["load=constant:4600@+0s"])
    for f, o in zip(frames, own):
        shift = -30 if 10 <= f.at < 20 else 20 if 25 <= f.at < 30 else 0  # from the nominal 230 V
        for i in range(3):
            assert f.number(PHASE_U[i]) - o.number(PHASE_U[i]) == pytest.approx(shift, abs=0.11), (f.at, i)
        # The power stays: the current carries the change (I = P / U / PF, listed to 0.1 A).
        assert net_w(f) == pytest.approx(4600, abs=0.5)
        current = f.number("1-0:31.7.0")
        expected = phase_w(f, 0) / f.number(PHASE_U[0]) / 0.96
        assert current == pytest.approx(expected, abs=0.051), f.at
    assert "voltage=200@+10s/10s" in frames[12].truth["events"]
    assert not any(e.startswith("voltage") for e in frames[22].truth["events"])


def test_voltage_on_an_it_grid_is_line_to_line(hansim_bin, tmp_path):
    frames = generate(hansim_bin, tmp_path, "kamstrup-no-3p-it", "40s",
                      events=["voltage=207@+10s/20s"])
    own = generate(hansim_bin, tmp_path, "kamstrup-no-3p-it", "40s")
    for f, o in zip(frames, own):
        for key in ("1-1:32.7.0.255", "1-1:52.7.0.255", "1-1:72.7.0.255"):
            if 10 <= f.at < 30:
                assert f.values[key] == pytest.approx(o.values[key] - 23, abs=2), (f.at, key)
            else:
                assert f.values[key] == o.values[key]


@pytest.mark.parametrize("capacitive", [False, True])
def test_power_factor_sets_the_reactive_power_and_comes_back(hansim_bin, tmp_path, capacitive):
    spec = "power_factor=0.8" + (":capacitive" if capacitive else "") + "@+10s/10s"
    frames = generate(hansim_bin, tmp_path, "kamstrup-p1", "30s", settings=P1_EVERY_SECOND,
                      events=["load=constant:4000@+0s", spec])
    for f in frames:
        q_in, q_out = f.number("1-0:3.7.0") * 1000, f.number("1-0:4.7.0") * 1000
        if 10 <= f.at < 20:
            assert (q_out, q_in) == pytest.approx((3000, 0) if capacitive else (0, 3000), abs=1), f.at
            assert spec in f.truth["events"]
        else:  # the meter's own 0.96, inductive
            assert (q_in, q_out) == pytest.approx((4000 * math.tan(math.acos(0.96)), 0), abs=1), f.at
