"""`hansim run` options: INI config file, P1 data request modelled by a flag file, usage errors."""
import os
import time

from independent_decoder import decode_p1
from run_helpers import Running, load_summary, open_reader, read_until_idle, whole_frames


def test_every_option_can_come_from_an_ini_config_file(hansim_bin, tmp_path):
    link = tmp_path / "ttyHAN0"
    summary = tmp_path / "summary.json"
    config = tmp_path / "run.ini"
    config.write_text(f"# hansim run settings\nport = pty:{link}\nstart = 2024-03-01T12:00:29.5Z\n"
                      f"speed = 5\nduration = 5s\nfast = true\nserial = 87654321\n"
                      f"summary-json = {summary}\n")
    run = Running(hansim_bin, "--config", config, "--name", "from-cli")
    try:
        run.wait_for_line(str(link))
        port = open_reader(link)
        frames = whole_frames(b"".join(d for _, d in read_until_idle(port, 3.0)))
        port.close()
        code, err = run.finish()
    finally:
        run.kill()
    assert code == 0, err
    assert len(frames) == 1
    assert "from-cli (kamstrup-no-3p, serial 87654321)" in run.lines[0]  # command line and file combined
    assert load_summary(summary)["meters"][0]["name"] == "from-cli"


def test_p1_data_request_from_a_flag_file(hansim_bin, tmp_path):
    link = tmp_path / "ttyP1"
    flag = tmp_path / "data-request"
    summary = tmp_path / "summary.json"
    # kamstrup-p1: a telegram every 10 s (at x4); --speed 10 -> one per second of real time
    run = Running(hansim_bin, "--meter", "kamstrup-p1", "--port", f"pty:{link}", "--data-request", f"file:{flag}",
                  "--start", "2024-03-01T12:00:03Z", "--speed", 10, "--duration", "40s",
                  "--summary-json", summary)
    try:
        run.wait_for_line(str(link))
        port = open_reader(link)
        time.sleep(1.5)             # telegrams at 0.1 s and 1.1 s: not requested
        assert port.in_waiting == 0
        flag.touch()                # the reader asserts data request
        reads = read_until_idle(port, 2.0, idle=1.5)
        port.close()
        code, err = run.finish()
    finally:
        run.kill()
    assert code == 0, err
    stream = b"".join(d for _, d in reads)
    telegrams = [b"/" + t for t in stream.split(b"/")[1:]]
    assert len(telegrams) >= 2
    for telegram in telegrams:
        ident, values = decode_p1(telegram)  # checks the CRC
        assert ident.startswith("KAM")
    counters = load_summary(summary)["total"]
    assert counters["lost_not_requested"] >= 2
    assert counters["frames_sent"] >= len(telegrams)


def test_usage_errors_exit_2_and_say_what_is_wrong(bad_input, tmp_path):
    cases = [
        (["--speed", "0"], "--speed"),
        (["--meter", "no-such-profile"], "no-such-profile"),
        (["--set", "serial=abc"], "serial"),
        (["--count", "3", "--port", "pty:/tmp/x"], "{n}"),
        (["--port", "usb:/dev/x"], "usb:/dev/x"),
        (["--start", "yesterday"], "--start"),
        (["--data-request", "cts", "--port", "pty:{tmp}/t"], "modem lines"),
        (["--data-request", "dtr", "--port", "pty:{tmp}/t"], "rfc2217"),
        (["--scenario", "{tmp}/missing.yaml"], "missing.yaml"),
        (["--config", "{tmp}/missing.ini"], "missing.ini"),
        (["--no-such-option"], "no-such-option"),
    ]
    for args, needle in cases:
        bad_input.cli("run", *args, expect=needle, timeout=10)
    assert not os.path.lexists(tmp_path / "t")


def test_help_lists_the_options(hansim_bin):
    run = Running(hansim_bin, "--help")
    code, err = run.finish()
    assert code == 0
    text = "\n".join(run.lines)
    for option in ("--meter", "--port", "--speed", "--fast", "--key-file", "--seed", "--duration", "--start",
                   "--config", "--scenario", "--quiet"):
        assert option in text


def test_summary_json_escapes_control_characters_in_names(hansim_bin, tmp_path):
    summary = tmp_path / "summary.json"
    name = "house\x01\x1f\tline\"two\\"
    run = Running(hansim_bin, "--name", name, "--port", f"file:{tmp_path}/out.bin", "--fast", "--quiet",
                  "--start", "2024-03-01T12:00:00Z", "--duration", "20s", "--speed", 100, "--summary-json", summary)
    try:
        code, err = run.finish()
    finally:
        run.kill()
    assert code == 0, err
    text = summary.read_text()
    assert "\\u0001" in text and "\\u001f" in text and "\x01" not in text
    assert load_summary(summary)["meters"][0]["name"] == name  # escaped, not dropped


def test_summary_json_reports_lateness_p50_p99_max_per_meter_and_in_total(hansim_bin, tmp_path):
    """Pushes every 0.5 s of real time (--speed 20) that each take 0.95 s on the wire: frame k
    waits for the line and starts k x 0.45 s late, so the quantiles are known."""
    summary = tmp_path / "summary.json"
    run = Running(hansim_bin, "--count", 2, "--lists", "list1", "--jitter", "none", "--port", f"file:{tmp_path}/m{{n}}",
                  "--start", "2024-03-01T12:00:01Z", "--duration", "40s", "--speed", 20, "--quiet",
                  "--summary-json", summary)
    try:
        code, err = run.finish(timeout=30)
    finally:
        run.kill()
    assert code == 0, err
    result = load_summary(summary)
    for entry in [*result["meters"], result["total"]]:
        assert entry["frames_sent"] == (8 if entry is result["total"] else 4)
        # lateness 0, 0.45, 0.9, 1.35 s (plus the machine's wake-up delay, under 100 ms here)
        assert 450 <= entry["p50_lateness_ms"] <= 450 * (1 + 1 / 32) + 100, entry
        assert 1350 <= entry["max_lateness_ms"] <= 1450, entry
        assert entry["p99_lateness_ms"] == entry["max_lateness_ms"]  # the 4th of 4 (8th of 8): the max
        assert 675 <= entry["mean_lateness_ms"] <= 775, entry
    assert "p50" in run.lines[-1] and "p99" in run.lines[-1]  # the printed summary line too
