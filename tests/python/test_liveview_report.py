"""`hansim generate --report` and `hansim report`: one self-contained HTML file with the run's
data; and every command of the README's live-view section, run."""
import json
import pathlib
import re
import shlex
import socket
import subprocess
import urllib.request

import pytest

from run_helpers import Running

REPO = pathlib.Path(__file__).resolve().parents[2]


def embedded(html_path):
    html = pathlib.Path(html_path).read_text()
    # Offline: no address anywhere in src/href, the script and style inline.
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert '<script src="app.js">' not in html and "<style>" in html
    data = re.search(r'<script id="hansim-report" type="application/json">(.*?)</script>', html, re.S).group(1)
    return json.loads(data)


def hansim(hansim_bin, *args, cwd=None, check=True):
    result = subprocess.run([str(hansim_bin), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_generate_report_has_every_frame_and_fault(hansim_bin, tmp_path):
    keys = tmp_path / "keys.txt"
    keys.write_text("encryption_key=000102030405060708090A0B0C0D0E0F\nauthentication_key=D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF\n")
    keys.chmod(0o600)
    common = ["--meter", "kamstrup-dk-3p", "--key-file", keys, "--faults", "corrupted_tag@3,counter_jump@100",
              "--start", "2024-03-01T00:00:00Z", "--duration", "1d"]
    hansim(hansim_bin, "generate", *common, "--format", "jsonl", "-o", tmp_path / "day.jsonl")
    records = [json.loads(line) for line in (tmp_path / "day.jsonl").read_text().splitlines()]
    only = hansim(hansim_bin, "generate", *common, "--report", tmp_path / "day.html")
    assert only.stdout == ""  # --report without --format/--output: only the report
    data = embedded(tmp_path / "day.html")
    (meter,) = data["meters"]
    assert meter["name"] == "meter1" and meter["profile"] == "kamstrup-dk-3p"
    assert meter["counts"]["sent"] == len(records) == 8640
    assert sum(b["frames"] for b in meter["series"]) == len(records)
    assert len(meter["series"]) <= 1500
    faults = [(m["utc"], m["text"]) for m in meter["marks"] if m["kind"] == "fault"]
    assert faults == [(r["send"], r["fault"]) for r in records if r["fault"]]
    assert [f for _, f in faults] == ["corrupted_tag", "counter_jump"]

    # The same from the JSON lines: values scaled to engineering units from the wire integers.
    hansim(hansim_bin, "report", tmp_path / "day.jsonl", "-o", tmp_path / "again.html", "--meter", "kamstrup-dk-3p")
    again = embedded(tmp_path / "again.html")["meters"][0]
    assert again["counts"]["sent"] == 8640
    assert [m["text"] for m in again["marks"] if m["kind"] == "fault"] == ["corrupted_tag", "counter_jump"]
    last, wire = again["last"], records[-1]["values"]
    assert last["p_import_w"] == wire["1-1:1.7.0.255"]
    assert last["a_import_kwh"] == wire["1-1:1.8.0.255"] * 10 / 1000  # 10 Wh units
    assert last["i_a"] == [wire[k] / 100 for k in ("1-1:31.7.0.255", "1-1:51.7.0.255", "1-1:71.7.0.255")]
    assert last["invocation_counter"] == records[-1]["invocation_counter"]
    # Generated from the model, the report's power is ground truth: within the wire's 1 W of it.
    assert abs(meter["last"]["p_import_w"] - last["p_import_w"]) <= 1


def test_a_month_is_downsampled_into_buckets(hansim_bin, tmp_path):
    hansim(hansim_bin, "generate", "--meter", "kamstrup-no-3p", "--duration", "30d", "--load", "daily_curve:300:3000",
           "--report", tmp_path / "month.html")
    (meter,) = embedded(tmp_path / "month.html")["meters"]
    frames = 30 * 24 * (360 + 1)
    assert meter["counts"]["sent"] == frames
    assert sum(b["frames"] for b in meter["series"]) == frames
    assert 700 <= len(meter["series"]) <= 1500
    assert all(b["p_min"] <= b["p"] <= b["p_max"] for b in meter["series"])
    energies = [b["a_import_kwh"] for b in meter["series"]]
    assert energies == sorted(energies) and energies[-1] > energies[0]


def test_report_of_p1_records_and_bad_input(hansim_bin, tmp_path):
    jsonl = tmp_path / "p1.jsonl"
    hansim(hansim_bin, "generate", "--meter", "kamstrup-p1", "--duration", "1h", "--format", "jsonl", "-o", jsonl)
    records = [json.loads(line) for line in jsonl.read_text().splitlines()]
    hansim(hansim_bin, "report", jsonl, "-o", tmp_path / "p1.html", "--title", "P1 hour")
    data = embedded(tmp_path / "p1.html")
    assert data["title"] == "P1 hour"
    last = data["meters"][0]["last"]
    assert last["p_import_w"] == pytest.approx(records[-1]["values"]["1-0:1.7.0"]["value"] * 1000)
    assert last["u_v"][0] == pytest.approx(records[-1]["values"]["1-0:32.7.0"]["value"])
    assert last["clock"] == records[-1]["values"]["0-0:1.0.0"]["time"]

    bad = tmp_path / "bad.jsonl"
    bad.write_text(jsonl.read_text().splitlines()[0] + "\n{\"meter\": \"m\"}\n")
    result = hansim(hansim_bin, "report", bad, "-o", tmp_path / "x.html", check=False)
    assert result.returncode == 2 and f"{bad}:2: missing \"list\"" in result.stderr
    result = hansim(hansim_bin, "report", tmp_path / "missing.jsonl", "-o", tmp_path / "x.html", check=False)
    assert result.returncode == 2 and "missing.jsonl: cannot read" in result.stderr
    assert hansim(hansim_bin, "report", jsonl, check=False).returncode == 2


def readme_commands():
    text = (REPO / "README.md").read_text()
    section = text.split("## Live view in the browser, and reports", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    return [line for block in blocks for line in block.strip().splitlines()]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_readme_live_view_examples_run(hansim_bin, tmp_path):
    commands = readme_commands()
    assert len(commands) == 5
    for command in commands:
        argv = shlex.split(command)
        assert argv[0] == "hansim"
        argv[0] = str(hansim_bin)
        if argv[1] == "run":
            port = free_port()
            args = [a.replace("/tmp/", f"{tmp_path}/") if a.startswith("pty:") else a for a in argv[2:]]
            args = [str(port) if a == "8080" else a for a in args]
            run = Running(hansim_bin, *args, "--speed", "10", "--duration", "20s")
            try:
                assert f"http://127.0.0.1:{port}/" in run.wait_for_line("live view at", timeout=10)
                if "--http-control" in args:
                    line = next((l for l in run.lines if "token " in l), None) or run.wait_for_line("token ")
                    assert re.search(r"token [0-9a-f]{32} \(open http://127\.0\.0\.1:%d/\?token=" % port, line)
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/meters", timeout=10) as r:
                    assert len(json.load(r)) == (20 if "--count" in args else 1)
            finally:
                run.terminate()
                assert run.finish()[0] == 0
        else:
            hansim(hansim_bin, *argv[1:], cwd=tmp_path)
    assert embedded(tmp_path / "day.html")["meters"][0]["counts"]["sent"] == 24 * 361


def test_report_of_a_capture(hansim_bin, tmp_path, data_dir):
    """A capture (hansim record's format) is decoded: each frame at the time it was read."""
    capture = data_dir / "captures" / "nve_list1_list2.capture"
    decoded = [json.loads(line) for line in hansim(hansim_bin, "decode", capture).stdout.splitlines()]
    hansim(hansim_bin, "report", capture, "-o", tmp_path / "capture.html")
    (meter,) = embedded(tmp_path / "capture.html")["meters"]
    assert meter["name"] == "pty:/tmp/ttyHAN0"
    assert meter["counts"]["sent"] == len(decoded) == 2
    last = meter["last"]
    assert last["list"] == decoded[-1]["list"] == "list2"
    assert last["p_import_w"] == decoded[-1]["values"]["1-1:1.7.0.255"]
    assert last["a_import_kwh"] == decoded[-1]["values"]["1-1:1.8.0.255"] * 10 / 1000

    bad = hansim(hansim_bin, "report", data_dir / "captures" / "bad_hex.capture", "-o", tmp_path / "x.html", check=False)
    assert bad.returncode == 2 and "bad_hex.capture:" in bad.stderr


def test_report_marks_events_and_an_outage_at_their_exact_times(hansim_bin, tmp_path):
    """Issue 14: an outage is a span [start, end] on the report's time axis (no frame is made in
    it), events are at the timeline's times, not at the next frame; the same from --report and
    from `hansim report` of the JSON lines (the frame after each change carries its times)."""
    common = ["--meter", "kamstrup-no-3p", "--start", "2024-03-01T00:00:00Z", "--duration", "6h",
              "--jitter", "uniform:100:900", "--event", "outage@+2h0m3s/20m", "--event", "load=constant:2500@+1h0m7s",
              "--event", "voltage=207@+3h/90s", "--event", "port_cut@+4h/30s"]
    hansim(hansim_bin, "generate", *common, "--format", "jsonl", "-o", tmp_path / "r.jsonl",
           "--report", tmp_path / "r.html")
    records = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    hansim(hansim_bin, "report", tmp_path / "r.jsonl", "-o", tmp_path / "again.html")
    html = (tmp_path / "r.html").read_text()
    cut = next(r for r in records if r["silenced_before"])
    assert cut["scheduled"] == "2024-03-01T04:00:30Z" and cut["silenced_before"] == 4  # :00, :05 (list 2), :10, :20
    for path in (tmp_path / "r.html", tmp_path / "again.html"):
        (meter,) = embedded(path)["meters"]
        marks = [(m["kind"], m["text"], m["utc"], m.get("until")) for m in meter["marks"]]
        assert marks == [
            ("event", "load=constant:2500@+1h0m7s", "2024-03-01T01:00:07Z", None),
            ("outage", "outage@+2h0m3s/20m", "2024-03-01T02:00:03Z", "2024-03-01T02:20:03Z"),
            ("event", "voltage=207@+3h/90s", "2024-03-01T03:00:00Z", "2024-03-01T03:01:30Z"),
            ("event_end", "voltage=207@+3h/90s", "2024-03-01T03:01:30Z", None),
            ("event", "port_cut@+4h/30s", "2024-03-01T04:00:00Z", "2024-03-01T04:00:30Z"),
            ("event_end", "port_cut@+4h/30s", "2024-03-01T04:00:30Z", None),
            ("silenced", f"{cut['silenced_before']} push slots not carried", cut["send"], None),
        ], path.name
    # No frame in the outage, and the first after it carries it.
    assert not [r for r in records if "02:00:03" <= r["scheduled"][11:19] < "02:20:03"]
    after = next(r for r in records if r["scheduled"][11:19] >= "02:20:03")
    assert after["timeline"] == [{"event": "outage@+2h0m3s/20m", "kind": "outage", "at": "2024-03-01T02:00:03Z",
                                  "until": "2024-03-01T02:20:03Z"}]
    # The page's legend shows the outage band (drawn by the script from the span mark).
    assert '<span class="axis-span mark-outage"></span>outage' in html
