"""Live changes after a meter's run has ended are refused at once, with an exception that
names the change and says how the run ended (hansim.RunEnded: a BenchError and a
ValueError), never accepted silently, never a stall or an obscure port error (issue 11)."""
import time

import pytest

import hansim


def test_an_unpaced_meter_refuses_changes_after_close(bad_input, tmp_path):
    meter = hansim.MeterBench("kamstrup-p1", port=f"file:{tmp_path}/out.bin", start="2024-01-15T12:00:00Z")
    assert len(meter.advance("30s")) == 3
    meter.close()
    ended = r"the run has ended \(close\(\) ended it\); a change needs a running meter"
    bad_input.raises(hansim.RunEnded, "^event 'load=3000@now': " + ended, meter.set_load, 3000)
    bad_input.raises(hansim.RunEnded, "^event 'outage@now/5m': " + ended, meter.event, "outage@now/5m")
    bad_input.raises(hansim.RunEnded, "^fault 'p1_cut@next': " + ended, meter.fault, "p1_cut@next")
    bad_input.raises(hansim.RunEnded, r"^set_data_request\(True\): " + ended, meter.set_data_request, True)
    bad_input.raises(hansim.RunEnded, r"^advance\('10s'\): " + ended, meter.advance, "10s")
    error = bad_input.raises(hansim.RunEnded, "^event 'security=none@now': " + ended, meter.set_security, "none")
    assert isinstance(error, hansim.BenchError) and isinstance(error, ValueError)
    assert len(meter.sent) == 3  # nothing more was made


def test_the_native_unpaced_meter_refuses_too(bad_input, tmp_path):
    native = hansim._hansim.UnpacedMeter("kamstrup-no-3p", {}, "2024-01-15T12:00:00Z", None, f"file:{tmp_path}/n.bin")
    native.advance("20s", 10.0)
    native.close()
    bad_input.raises(ValueError, r"^advance\('1m'\): the run has ended \(close\(\) ended it; its port is closed\)",
                     native.advance, "1m", 10.0)
    bad_input.raises(ValueError, r"^event 'load=1': the run has ended", native.event, "load=1")


def test_a_session_refuses_changes_once_its_duration_is_reached(bad_input, tmp_path):
    run = hansim.run_meter("kamstrup-no-3p", port=f"file:{tmp_path}/d.bin", speed=100, fast=True,
                           start="2024-01-15T12:00:00Z", duration="20s")
    assert run.wait(timeout=30)
    ended = r"the run has ended \(its duration was reached\); a change needs a running meter"
    bad_input.raises(hansim.RunEnded, "^event 'load=3kW': " + ended, run.event, "load=3kW")
    bad_input.raises(hansim.RunEnded, "^fault 'bad_fcs@next': " + ended, run.fault, "bad_fcs@next")
    bad_input.raises(hansim.RunEnded, r"^set_data_request\(False\): " + ended, run.set_data_request, False)
    assert run.ended_because() == "its duration was reached"
    run.stop()
    assert run.ended_because() == "its duration was reached"  # stop() after the end changes nothing


def test_a_stopped_session_and_a_closed_paced_bench_refuse_changes(bad_input, tmp_path):
    run = hansim.run_meter("kamstrup-no-3p", port=f"file:{tmp_path}/s.bin", speed=100, fast=True)
    run.wait_for(1, timeout=30)
    run.stop()
    bad_input.raises(hansim.RunEnded, r"^event 'load=1': the run has ended \(stop\(\) ended it\)", run.event,
                     "load=1")
    bench = hansim.MeterBench("kamstrup-no-3p", port=f"file:{tmp_path}/p.bin", paced=True, speed=100, fast=True)
    bench.wait_for(1, timeout=30)
    bench.close()
    bad_input.raises(hansim.RunEnded, r"^fault 'bad_hcs@next': the run has ended \(close\(\) ended it\)",
                     bench.fault, "bad_hcs@next")


def test_a_change_racing_the_end_of_the_run_is_refused_with_its_name(tmp_path):
    """Changes given while a short run ends by itself: each is applied or refused by name,
    none is lost silently."""
    run = hansim.run_meter("kamstrup-no-3p", port=f"file:{tmp_path}/r.bin", speed=200, fast=True, duration="30s")
    outcomes = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            outcomes.append(run.event("load=100")["applied"])
        except hansim.RunEnded as error:
            assert str(error).startswith("event 'load=100': ") and "run has ended" in str(error)
            outcomes.append("refused")
            break
    run.stop()
    assert outcomes[-1] == "refused"
    with pytest.raises(hansim.RunEnded):
        run.event("load=100")
