"""Timeline events other than load, checked through the decoders (issue 8): every frame of
`hansim generate --format jsonl` is decoded by `hansim decode` and by the independent decoder
(timeline_helpers.generate checks both against the ground truth), and each test asserts what
a reader sees: which frames arrive, the clock they carry, the keys that open them, the
invocation counter, the wire format, the energy registers.
"""
import json

import pytest

from timeline_helpers import (KEYS_A, KEYS_B, START, clock_seconds, generate, generate_records, local,
                              run_hansim, write_keys)


def clocks(frames):
    return [f.clock for f in frames]


def list1(frames):
    """The list 1 frames (a run starting at 13:00 CET also carries the list 2 of 13:00:05)."""
    return [f for f in frames if f.list == "list1"]


# -- outage and port cut -------------------------------------------------------------------

def test_an_outage_leaves_exactly_its_frames_out_and_energy_flat(hansim_bin, tmp_path):
    """outage@+1m/2m on a P1 meter (a telegram at x4 s, 1 Wh registers) under 3600 W: the
    twelve telegrams of 12:01:04..12:02:54 are never made, the clock ran on, and the register
    gained only the 10 s of power outside the outage (54→60 s and 180→184 s)."""
    events = ["load=constant:3600@+0s", "outage@+1m/2m"]
    frames = generate(hansim_bin, tmp_path, "kamstrup-p1", "4m", events=events)
    times = [f.at for f in frames]
    assert times == [4 + 10 * k for k in range(24) if not 60 <= 4 + 10 * k < 180]
    before = next(f for f in frames if f.at == 54)
    after = next(f for f in frames if f.at == 184)
    assert after.clock == local(START, 184)  # the clock ran on through the outage
    assert after.number("1-0:1.8.0") * 1000 - before.number("1-0:1.8.0") * 1000 == pytest.approx(10, abs=1)
    assert [f.truth["sequence"] for f in frames] == list(range(len(frames)))  # the meter was off
    assert all(f.truth["silenced_before"] == 0 for f in frames)


def test_an_outage_uses_no_invocation_counter_and_skips_list2(hansim_bin, tmp_path):
    keys = write_keys(tmp_path, "keys.txt", KEYS_A)
    frames = generate(hansim_bin, tmp_path, "kamstrup-no-3p", "3m", start="2024-01-15T11:59:00Z",
                      settings=["security=encrypt+authenticate"], key_file=keys, decode_keys=[KEYS_A],
                      events=["outage@+50s/30s"])
    assert all(f.ciphered and f.security_control == 0x30 for f in frames)
    # 11:59:00..11:59:40 then 12:00:20.. (list 2 of 12:00:05 fell in the outage: not replayed)
    assert [f.list for f in frames] == ["list1"] * len(frames)
    assert [f.at for f in frames] == [10 * k for k in range(18) if not 50 <= 10 * k < 80]
    assert [f.invocation_counter for f in frames] == list(range(1, len(frames) + 1))


def test_a_port_cut_silences_the_port_while_the_meter_counts_on(hansim_bin, tmp_path):
    keys = write_keys(tmp_path, "keys.txt", KEYS_A)
    common = dict(key_file=keys, decode_keys=[KEYS_A])
    cut = generate(hansim_bin, tmp_path, "kamstrup-dk-3p", "3m", events=["port_cut@+1m/1m"], **common)
    whole = generate(hansim_bin, tmp_path, "kamstrup-dk-3p", "3m", **common)
    # The frames that arrive are the very bytes of an uncut run: the meter built and sealed
    # the six silenced pushes (counter and energy moved on), the port just did not carry them.
    kept = [f for f in whole if not 60 <= f.at < 120]
    assert [f.truth["hex"] for f in cut] == [f.truth["hex"] for f in kept]
    first_after = next(f for f in cut if f.at == 120)
    assert first_after.truth["silenced_before"] == 6
    assert first_after.invocation_counter - next(f for f in cut if f.at == 50).invocation_counter == 7
    assert all(f.truth["silenced_before"] == 0 for f in cut if f is not first_after)


def test_the_p1_data_request_released_and_asserted_again(hansim_bin, tmp_path):
    frames = generate(hansim_bin, tmp_path, "kamstrup-p1", "1m30s",
                      events=["data_request=off@+30s", "data_request=on@+1m"])
    whole = generate(hansim_bin, tmp_path, "kamstrup-p1", "1m30s")
    assert [f.at for f in frames] == [4, 14, 24, 64, 74, 84]
    # The meter ran on: what arrives after the request is asserted again is what it would
    # have sent anyway, energy included.
    assert [f.truth["hex"] for f in frames] == [f.truth["hex"] for f in whole if not 30 <= f.at < 60]
    assert frames[3].truth["silenced_before"] == 3
    assert frames[3].truth["events"] == ["data_request=on@+1m"]
    timed = generate(hansim_bin, tmp_path, "kamstrup-p1", "1m", events=["data_request=off@+15s/20s"])
    assert [f.at for f in timed] == [4, 14, 44, 54]


# -- the clock ----------------------------------------------------------------------------

def test_clock_set_moves_the_clock_and_the_schedule_follows(hansim_bin, tmp_path):
    """Set to 13:59:30 UTC at true 12:01: list 1 goes on at the meter's x0 seconds and list
    2 comes when the meter's clock reaches 14:00:05 (15:00:05 CET)."""
    frames = generate(hansim_bin, tmp_path, "kamstrup-no-3p", "2m", events=["clock_set=2024-01-15T13:59:30Z@+1m"])
    assert [f.clock for f in frames if f.list == "list1"][:6] == [local(START, 10 * k) for k in range(6)]
    after = [f for f in frames if f.at >= 60]
    assert [(f.list, f.clock) for f in after[:5]] == [
        ("list1", "2024-01-15T14:59:30"), ("list1", "2024-01-15T14:59:40"), ("list1", "2024-01-15T14:59:50"),
        ("list1", "2024-01-15T15:00:00"), ("list2", "2024-01-15T15:00:05")]
    assert after[4].at == 95
    assert after[0].truth["events"] == ["clock_set=2024-01-15T13:59:30Z@+1m"]


def test_clock_jump_forward_skips_slots(hansim_bin, tmp_path):
    frames = list1(generate(hansim_bin, tmp_path, "kamstrup-no-3p", "2m", events=["clock_jump=+5m@+1m"]))
    assert clocks(frames) == ([local(START, 10 * k) for k in range(6)] +
                              [local(START, 360 + 10 * k) for k in range(6)])
    assert [f.at for f in frames] == [10 * k for k in range(12)]


def test_clock_jump_back_repeats_slots(hansim_bin, tmp_path):
    frames = list1(generate(hansim_bin, tmp_path, "kamstrup-no-3p", "3m", events=["clock_jump=-1m@+2m"]))
    seen = clocks(frames)
    repeated = [local(START, 60 + 10 * k) for k in range(6)]  # 13:01:00 .. 13:01:50, twice
    assert seen == [local(START, 10 * k) for k in range(12)] + repeated
    assert [f.at for f in frames] == [10 * k for k in range(18)]
    assert [seen.count(c) for c in repeated] == [2] * 6
    assert all(f.truth["events"] == ["clock_jump=-1m@+2m"] for f in frames if f.at >= 120)


def test_clock_drift_makes_the_meter_send_early(hansim_bin, tmp_path):
    """+10000 ppm (1 %) from +10 s: the meter's 10 s pass in 9.901 s of true time, so the
    frames come that much more often while their clocks still read x0 seconds."""
    frames = list1(generate(hansim_bin, tmp_path, "kamstrup-no-3p", "2m", events=["clock_drift=10000@+10s"]))
    assert all(clock_seconds(f.clock) % 10 == 0 for f in frames)
    steps = {round(clock_seconds(b.clock) - clock_seconds(a.clock)) for a, b in zip(frames, frames[1:])}
    assert steps == {10}
    for f in frames[1:]:
        meter_elapsed = clock_seconds(f.clock) - clock_seconds(frames[1].clock)
        assert f.at == pytest.approx(10 + meter_elapsed / 1.01, abs=0.002), f.clock


def test_clock_rule_switch_changes_the_wall_clock_and_dst_flag(hansim_bin, tmp_path):
    frames = generate(hansim_bin, tmp_path, "kamstrup-no-3p", "1m", start="2024-06-03T12:00:00Z",
                      events=["clock_rule=local_dst@+30s"])
    for f in frames:
        if f.at < 30:
            assert f.clock == local("2024-06-03T12:00:00Z", f.at, hours=1)  # CET all year
        else:
            assert f.clock == local("2024-06-03T12:00:00Z", f.at, hours=2)  # CEST
        assert f.dst == f.truth["clock"]["dst"] == (f.at >= 30)
        assert f.truth["events"] == (["clock_rule=local_dst@+30s"] if f.at >= 30 else [])


@pytest.mark.parametrize("start, shown", [
    ("2024-03-31T00:59:30Z", ["01:59:30", "01:59:40", "01:59:50", "03:00:00", "03:00:05", "03:00:10", "03:00:20"]),
    ("2024-10-27T00:59:30Z", ["02:59:30", "02:59:40", "02:59:50", "02:00:00", "02:00:05", "02:00:10", "02:00:20"]),
])
def test_dst_transitions_by_rule(hansim_bin, tmp_path, start, shown):
    """A Swedish meter (CET/CEST by rule): spring skips 02:00..03:00, autumn repeats
    02:00..03:00; the DST bit in the date-time's status byte tells the two 02:00s apart."""
    frames = generate(hansim_bin, tmp_path, "kamstrup-se-3p", "1m", start=start)
    assert [f.clock[11:] for f in frames] == shown
    spring = start.startswith("2024-03")
    for f in frames:
        in_summer = (f.at >= 30) == spring
        assert f.dst == f.truth["clock"]["dst"] == in_summer, f.clock
    list2 = next(f for f in frames if f.list == "list2")
    assert bool(list2.raw_values["0-1:1.0.0.255"][11] & 0x80) == spring  # its own clock field too


# -- keys, counters, security -------------------------------------------------------------

def test_a_key_change_decrypts_with_the_new_key_from_the_right_frame_on(hansim_bin, tmp_path):
    old = write_keys(tmp_path, "old.txt", KEYS_A)
    new = write_keys(tmp_path, "new.txt", KEYS_B)
    frames = generate(hansim_bin, tmp_path, "kamstrup-dk-3p", "1m", key_file=old, decode_keys=[KEYS_A, KEYS_B],
                      events=[f"key_change={new}@+30s"])
    assert [f.opened_with for f in frames] == [0, 0, 0, 1, 1, 1]  # and never the other way round
    with_old = [json.loads(line) for line in run_hansim(
        hansim_bin, "decode", "--hex", "--key-file", old, "-",
        stdin="".join(f.truth["hex"] + "\n" for f in frames).encode()).stdout.decode().splitlines()]
    with_new = [json.loads(line) for line in run_hansim(
        hansim_bin, "decode", "--hex", "--key-file", new, "-",
        stdin="".join(f.truth["hex"] + "\n" for f in frames).encode()).stdout.decode().splitlines()]
    assert [d.get("error_kind") for d in with_old] == [None] * 3 + ["authentication_failed"] * 3
    assert [d.get("error_kind") for d in with_new] == ["authentication_failed"] * 3 + [None] * 3
    assert [d["values"] for d in with_new[3:]] == [f.truth["values"] for f in frames[3:]]
    # The counter is the meter's, not the key's: it runs on.
    assert [f.invocation_counter for f in frames] == list(range(1, 7))


def test_counter_reset_restarts_the_invocation_counter(hansim_bin, tmp_path):
    keys = write_keys(tmp_path, "keys.txt", KEYS_A)
    frames = generate(hansim_bin, tmp_path, "kamstrup-dk-3p", "1m", key_file=keys, decode_keys=[KEYS_A],
                      settings=["initial_invocation_counter=1000"],
                      events=["counter_reset=5@+20s", "counter_reset@+40s"])
    assert [f.invocation_counter for f in frames] == [1000, 1001, 5, 6, 1000, 1001]
    assert frames[4].truth["events"] == ["counter_reset@+40s"]


@pytest.mark.parametrize("policy, control", [("encrypt+authenticate", 0x30), ("encrypt", 0x20),
                                             ("authenticate", 0x10)])
def test_security_switched_on(hansim_bin, tmp_path, policy, control):
    keys = write_keys(tmp_path, "keys.txt", KEYS_A)
    frames = list1(generate(hansim_bin, tmp_path, "kamstrup-no-3p", "1m", key_file=keys, decode_keys=[KEYS_A],
                            events=[f"security={policy}@+30s"]))
    assert [f.ciphered for f in frames] == [False] * 3 + [True] * 3
    assert [f.security_control for f in frames[3:]] == [control] * 3
    assert [f.invocation_counter for f in frames[3:]] == [1, 2, 3]
    assert [f.decoded["apdu"] for f in frames] == ["data-notification"] * 3 + ["general-glo-ciphering"] * 3


def test_security_switched_off(hansim_bin, tmp_path):
    keys = write_keys(tmp_path, "keys.txt", KEYS_A)
    frames = generate(hansim_bin, tmp_path, "kamstrup-dk-3p", "1m", key_file=keys, decode_keys=[KEYS_A],
                      events=["security=none@+30s"])
    assert [f.ciphered for f in frames] == [True] * 3 + [False] * 3
    assert [f.truth["invocation_counter"] for f in frames] == [1, 2, 3, None, None, None]
    # HDLC addressing follows: 41/03 for ciphered pushes, 2B/21 (destination 0x21) for plain.
    assert [f.decoded["destination"] for f in frames] == [0x41 >> 1] * 3 + [0x2B >> 1] * 3


# -- lists and the P1 period --------------------------------------------------------------

def test_lists_switch(hansim_bin, tmp_path):
    start = "2024-01-15T11:59:30Z"
    plain = generate(hansim_bin, tmp_path, "kamstrup-no-3p", "1m", start=start)
    assert [f.list for f in plain].count("list2") == 1
    only1 = generate(hansim_bin, tmp_path, "kamstrup-no-3p", "1m", start=start, events=["lists=list1@+10s"])
    assert [f.list for f in only1] == ["list1"] * 6
    only2 = generate(hansim_bin, tmp_path, "kamstrup-no-3p", "1m", start=start, events=["lists=list2@+10s"])
    assert [(f.list, f.clock[11:]) for f in only2] == [("list1", "12:59:30"), ("list2", "13:00:05")]


def test_list2_delay_moves_list2(hansim_bin, tmp_path):
    frames = generate(hansim_bin, tmp_path, "kamstrup-no-3p", "1m30s", start="2024-01-15T11:59:30Z",
                      events=["list2_delay=3@+10s"])
    list2 = [f for f in frames if f.list == "list2"]
    assert [f.clock[11:] for f in list2] == ["13:00:35"]
    assert list2[0].values["0-1:1.0.0.255"] == "2024-01-15T13:00:35"


def test_p1_period_changes(hansim_bin, tmp_path):
    frames = generate(hansim_bin, tmp_path, "kamstrup-p1", "40s", events=["p1_period=5s@+20s"])
    assert [f.at for f in frames] == [4, 14, 24, 29, 34, 39]  # at x4 s, then every 5 s
    assert [clock_seconds(f.clock) - clock_seconds(frames[0].clock) for f in frames] == [f.at - 4 for f in frames]


# -- firmware: the wire format changes -----------------------------------------------------

def test_firmware_switches_the_date_time_form(hansim_bin, tmp_path):
    frames = list1(generate(hansim_bin, tmp_path, "kamstrup-no-3p", "1m",
                            events=["firmware=date_time_form=legacy_09@+30s"]))
    assert [f.date_time_form for f in frames] == ["standard"] * 3 + ["legacy_09"] * 3
    assert [f.decoded["date_time_form"] for f in frames] == ["standard"] * 3 + ["legacy_09"] * 3
    assert clocks(frames) == [local(START, 10 * k) for k in range(6)]  # the time reads the same


@pytest.mark.parametrize("setting, key, ratio", [
    ("energy_resolution=1wh", "1-1:1.8.0.255", 10),
    ("current_resolution=0.001", "1-1:31.7.0.255", 10),
    ("voltage_resolution=0.01", "1-1:32.7.0.255", 100),
])
def test_firmware_switches_a_resolution(hansim_bin, tmp_path, setting, key, ratio):
    """Before the update the wire carries the old unit, after it the new one; the values
    mean the same (the ground truth says which encoding each frame was made with)."""
    start = "2024-01-15T11:59:30Z"
    frames = generate(hansim_bin, tmp_path, "kamstrup-no-3p", "50s", start=start,
                      events=["load=constant:2300@+0s", f"firmware={setting}@+20s"])
    own = generate(hansim_bin, tmp_path, "kamstrup-no-3p", "50s", start=start, events=["load=constant:2300@+0s"])
    compared = 0
    for f, o in zip(frames, own):
        if key not in f.values:
            continue
        if f.at < 20:
            assert f.values[key] == o.values[key]
        else:
            assert abs(f.values[key] - o.values[key] * ratio) < ratio, (f.at, f.values[key], o.values[key])
            assert f"firmware={setting}@+20s" in f.truth["events"]
            compared += 1
    assert compared >= 1


def test_firmware_switches_the_single_phase_form(hansim_bin, tmp_path):
    frames = list1(generate(hansim_bin, tmp_path, "kamstrup-no-1p", "40s",
                            events=["firmware=single_phase_form=compact@+20s"]))
    sizes = [len(f.truth["hex"]) // 2 for f in frames]
    assert sizes[0] == sizes[1] and sizes[2] == sizes[3] and sizes[2] < sizes[0], sizes
    # The vendor-document form: no null placeholders (nor the registers they stood among);
    # what is left reads as before.
    assert [f.nulls for f in frames] == [8, 8, 0, 0]
    for before, after in zip(frames[:2], frames[2:]):
        assert set(after.values) < set(before.values)
        assert {"1-1:1.7.0.255", "1-1:31.7.0.255", "1-1:32.7.0.255"} <= set(after.values)
    assert [f.truth["events"] for f in frames] == [[]] * 2 + [["firmware=single_phase_form=compact@+20s"]] * 2


def test_firmware_switches_the_power_multiplier(hansim_bin, tmp_path):
    frames = list1(generate(hansim_bin, tmp_path, "kamstrup-se-3p", "40s",
                            events=["load=constant:2300@+0s", "firmware=power_multiplier=10@+20s"]))
    powers = [f.values["1-1:1.7.0.255"] for f in frames]
    assert powers == [2300, 2300, 23000, 23000]


# -- the same timeline from Python ---------------------------------------------------------

def test_python_meter_with_events_sends_the_bytes_generate_sends(hansim_bin, tmp_path):
    import hansim

    old = write_keys(tmp_path, "old.txt", KEYS_A)
    new = write_keys(tmp_path, "new.txt", KEYS_B)
    events = ["load=ramp:0:4000:1m@+10s", "outage@+1m/30s", f"key_change={new}@+2m", "clock_jump=-20s@+2m30s",
              "counter_reset=7@+2m40s", "firmware=date_time_form=legacy_09@+2m50s"]
    records = generate_records(hansim_bin, "kamstrup-dk-3p", "3m", events=events, key_file=old)
    meter = hansim.Meter("kamstrup-dk-3p", start=START, key_file=str(old), events=events, jitter="none")
    frames = meter.frames("3m")
    assert [f.wire.hex().upper() for f in frames] == [r["hex"] for r in records]
    assert [f.events for f in frames] == [r["events"] for r in records]
    assert [f.values for f in frames] == [r["values"] for r in records]
