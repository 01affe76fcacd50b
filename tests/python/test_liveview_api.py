"""`hansim run --http`: the JSON API, the event stream and the token-guarded controls, against a
running hansim on loopback (port 0: the kernel picks a free one, printed at start)."""
import json
import socket
import subprocess
import time

import pytest

from independent_decoder import decode_hdlc, decode_notification, split_hdlc_stream
from liveview_helpers import EventStream, LiveRun
from run_helpers import load_summary

START = "2024-01-15T12:00:05Z"


def test_page_api_and_errors(hansim_bin, tmp_path):
    run = LiveRun(hansim_bin, "--meter", "kamstrup-no-3p", "--count", "3", "--port", f"file:{tmp_path}/m{{n}}.bin",
                  "--start", START, "--speed", "10", "--fast", "--duration", "10m", "--quiet")
    try:
        assert run.host == "127.0.0.1"  # loopback unless an address is given
        status, kind, body = run.get("/")
        assert status == 200 and kind.startswith("text/html") and b"<table id=\"meters\">" in body
        assert b"app.js" in body and b"http" not in body.split(b"<body>")[1].replace(b"http-equiv", b"")
        assert run.get("/app.js")[1].startswith("text/javascript")
        assert run.get("/app.css")[1].startswith("text/css")

        info = run.get_json("api/info")
        assert info == {"meters": 3, "control": False, "actions": []}
        run.wait_frames(2, 2)
        meters = run.get_json("api/meters")
        assert [m["name"] for m in meters] == ["meter1-1", "meter1-2", "meter1-3"]
        assert [m["serial"] for m in meters] == [12345678, 12345679, 12345680]
        for m in meters:
            assert m["profile"] == "kamstrup-no-3p" and m["port"].startswith("file ")
            assert m["counts"]["sent"] >= 1 and m["reader"] is True
            last = m["last"]
            assert last["list"] in ("list1", "list2") and len(last["u_v"]) == 3 and last["outcome"] == "sent"

        frames = run.wait_frames(0, 3)
        assert [f["sequence"] for f in frames] == list(range(frames[0]["sequence"], frames[-1]["sequence"] + 1))
        since = frames[1]["sequence"]
        later = run.get_json(f"api/meters/0/frames?since={since}")
        assert later and all(f["sequence"] > since for f in later)
        detail = run.get_json("api/meters/1")
        assert detail["name"] == "meter1-2" and detail["frames"] and detail["marks"] == []

        assert run.status_of("api/meters/3")[0] == 404
        assert run.status_of("api/meters/x/frames")[0] == 404
        assert run.status_of("api/meters/0/frames?since=abc")[0] == 400
        assert run.status_of("nothing/here")[0] == 404
        assert run.status_of("api/events?meter=9")[0] == 404
        # Controls are off without --http-control, token or not.
        status, body = run.control(0, "data_request", token="0" * 32, asserted=False)
        assert status == 403 and "--http-control" in body["error"]
    finally:
        run.terminate()
        assert run.finish()[0] == 0


def test_event_stream_carries_every_frame_as_sent(hansim_bin, tmp_path):
    """Every frame record on the stream matches the summary's counters and the bytes on the
    port, decoded independently (P+, voltages, currents in engineering units)."""
    summary = tmp_path / "summary.json"
    run = LiveRun(hansim_bin, "--meter", "kamstrup-no-3p", "--count", "2", "--port", f"file:{tmp_path}/m{{n}}.bin",
                  "--start", START, "--speed", "20", "--fast", "--duration", "2m", "--quiet",
                  "--summary-json", summary)
    stream = EventStream(run.host, run.port)
    assert stream.status == 200 and stream.content_type == "text/event-stream"
    events = stream.events(until=lambda got: False, timeout=30)  # until hansim ends the run
    stream.close()
    assert run.finish()[0] == 0
    frames = [data for kind, data in events if kind == "frame"]
    counts = load_summary(summary)
    for index in (0, 1):
        mine = [f for f in frames if f["index"] == index]
        assert mine, "no frames for meter %d" % index
        sent = counts["meters"][index]["frames_sent"]
        # The stream opened right after start: it has every frame from the first on.
        assert [f["sequence"] for f in mine] == list(range(sent))
        wire = split_hdlc_stream((tmp_path / f"m{index + 1}.bin").read_bytes())
        assert len(wire) == sent
        for record, raw in zip(mine, wire):
            assert record["meter"] == f"meter1-{index + 1}" and record["outcome"] == "sent"
            assert record["bytes_written"] == len(raw)
            values = decode_notification(decode_hdlc(raw).information[3:]).values
            # The record is ground truth (the model's value); the wire carries it at its
            # resolution: 1 W, 1 V, 0.01 A.
            assert abs(record["p_import_w"] - values["1-1:1.7.0.255"]) <= 1
            u_wire = [values[k] for k in ("1-1:32.7.0.255", "1-1:52.7.0.255", "1-1:72.7.0.255")]
            i_wire = [values[k] / 100 for k in ("1-1:31.7.0.255", "1-1:51.7.0.255", "1-1:71.7.0.255")]
            assert all(abs(a - b) <= 1 for a, b in zip(record["u_v"], u_wire)), (record["u_v"], u_wire)
            assert all(abs(a - b) <= 0.0101 for a, b in zip(record["i_a"], i_wire)), (record["i_a"], i_wire)


def test_controls_need_the_token_and_change_the_next_frame(hansim_bin, tmp_path):
    run = LiveRun(hansim_bin, "--meter", "kamstrup-p1", "--count", "2", "--port", f"file:{tmp_path}/p{{n}}.bin",
                  "--start", START, "--speed", "10", "--fast", "--duration", "10m", "--quiet", control=True)
    try:
        info = run.get_json("api/info")
        assert info["control"] is True
        assert [a["name"] for a in info["actions"]] == ["load", "event", "fault", "data_request"]
        run.wait_frames(0, 1)
        # No token, a wrong token, a token in the wrong place: refused, nothing changes.
        for token in (None, "", "0" * 32, run.token[:-1]):
            status, body = run.control(0, "data_request", token=token, asserted=False)
            assert status == 403 and "token" in body["error"]
        before = run.get_json("api/meters/0/frames")[-1]["sequence"]
        after = run.wait_frames(0, before + 3)
        assert all(f["outcome"] == "sent" for f in after)
        assert run.get_json("api/meters/0")["marks"] == []

        status, body = run.control(0, "data_request", asserted=False)
        assert status == 200 and body == {"ok": True, "done": "data request dropped"}
        seen = run.get_json("api/meters/0/frames")[-1]["sequence"]
        # Every frame due after the control is not requested (the next one already).
        frames = run.wait_frames(0, 0)
        deadline_frames = [f for f in run.wait_frames(0, len(frames) + 2) if f["sequence"] > seen]
        assert deadline_frames and all(f["outcome"] == "not_requested" for f in deadline_frames)
        marks = run.get_json("api/meters/0")["marks"]
        assert [(m["kind"], m["text"]) for m in marks] == [("control", "data request dropped")]
        # The other meter is untouched.
        assert run.get_json("api/meters/1/frames")[-1]["outcome"] == "sent"

        assert run.control(0, "data_request", asserted=True)[0] == 200
        seen = run.get_json("api/meters/0/frames")[-1]["sequence"]
        frames = run.wait_frames(0, 0)
        again = [f for f in run.wait_frames(0, len(frames) + 2) if f["sequence"] > seen]
        assert again and all(f["outcome"] == "sent" for f in again)

        assert run.control(0, "data_request")[0] == 400           # no "asserted"
        assert run.control(0, "warp_drive")[0] == 400             # unknown action, named
        assert run.control(5, "data_request", asserted=True)[0] == 404
        status, _ = run.status_of("api/meters/0/control", method="POST", body=b"not json",
                                  headers={"X-Hansim-Token": run.token})
        assert status == 400
        assert run.status_of("api/meters/0/control")[0] == 405     # GET
    finally:
        run.terminate()
        assert run.finish()[0] == 0


def test_data_request_from_a_file_is_not_driven_by_controls(hansim_bin, tmp_path):
    flag = tmp_path / "request"
    flag.touch()
    run = LiveRun(hansim_bin, "--meter", "kamstrup-p1", "--port", f"file:{tmp_path}/p.bin", "--speed", "10",
                  "--fast", "--duration", "1m", "--quiet", "--data-request", f"file:{flag}", control=True)
    try:
        status, body = run.control(0, "data_request", asserted=False)
        assert status == 409 and "--data-request" in body["error"]
    finally:
        run.terminate()
        run.finish()


@pytest.mark.parametrize("args, message", [
    (["--http-control"], "--http-control needs --http"),
    (["--http", "70000"], "PORT 0..65535"),
    (["--http", "localhost:8080"], "not an IP address"),
    (["--http", ":8080"], "empty address"),
])
def test_bad_http_options_exit_2(hansim_bin, tmp_path, args, message):
    result = subprocess.run([hansim_bin, "run", "--port", f"file:{tmp_path}/x.bin", "--duration", "1s", *args],
                            capture_output=True, text=True, timeout=10)
    assert result.returncode == 2 and message in result.stderr


def test_a_taken_port_is_an_error_naming_it(hansim_bin, tmp_path):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        result = subprocess.run([hansim_bin, "run", "--port", f"file:{tmp_path}/x.bin", "--duration", "1s",
                                 "--http", str(port)], capture_output=True, text=True, timeout=10)
        assert result.returncode == 1 and f"127.0.0.1:{port}" in result.stderr
    finally:
        taken.close()


def test_a_scenario_turns_the_live_view_and_its_controls_on(hansim_bin, tmp_path):
    """http and http_control are run settings of the run plan: a scenario sets them as --http
    and --http-control do, and the command line wins."""
    import re
    import urllib.request
    from run_helpers import Running
    scenario = tmp_path / "live.yaml"
    scenario.write_text("http: 127.0.0.1:0\nhttp_control: true\nmeters:\n"
                        f"  - name: p1meter\n    profile: kamstrup-p1\n    port: file:{tmp_path}/p.bin\n")
    run = Running(hansim_bin, "--scenario", scenario, "--speed", "10", "--fast", "--duration", "1m", "--quiet")
    try:
        url = re.search(r"(http://127\.0\.0\.1:\d+/)", run.wait_for_line("live view at", timeout=10)).group(1)
        line = next((l for l in run.lines if "token " in l), None) or run.wait_for_line("token ", timeout=10)
        token = re.search(r"token ([0-9a-f]{32})", line).group(1)
        with urllib.request.urlopen(url + "api/info", timeout=10) as r:
            info = json.load(r)
        assert info["control"] is True and info["meters"] == 1
        request = urllib.request.Request(url + "api/meters/0/control", method="POST",
                                         data=json.dumps({"action": "data_request", "asserted": False}).encode(),
                                         headers={"X-Hansim-Token": token})
        with urllib.request.urlopen(request, timeout=10) as r:
            assert json.load(r)["ok"] is True
    finally:
        run.terminate()
        assert run.finish()[0] == 0

    # The command line's address wins over the scenario's.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    run = Running(hansim_bin, "--scenario", scenario, "--http", str(port), "--speed", "10", "--duration", "20s", "--quiet")
    try:
        assert f"live view at http://127.0.0.1:{port}/" in run.wait_for_line("live view at", timeout=10)
    finally:
        run.terminate()
        assert run.finish()[0] == 0


@pytest.mark.parametrize("head, message", [
    ("http: localhost:80\n", "live.yaml:1: http: 'localhost:80': 'localhost' is not an IP address"),
    ("http_control: true\n", "live.yaml: http_control needs http: [ADDR:]PORT (or --http)"),
    ("http: 80\nhttp_control: sometimes\n", "live.yaml:2: http_control: expected true or false"),
])
def test_bad_live_view_settings_in_a_scenario_exit_2(hansim_bin, tmp_path, head, message):
    scenario = tmp_path / "live.yaml"
    scenario.write_text(head + f"meters:\n  - name: m\n    port: file:{tmp_path}/m.bin\n")
    result = subprocess.run([hansim_bin, "run", "--scenario", scenario, "--duration", "1s"],
                            capture_output=True, text=True, timeout=10)
    assert result.returncode == 2 and message in result.stderr, result.stderr


def utc_ms(text):
    """Milliseconds since 1970 of an ISO 8601 UTC time, read here."""
    from datetime import datetime
    return round(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def frames_after(run, meter, meter_ms, count, timeout=15.0):
    """The meter's frames sent after meter time `meter_ms`, once there are `count` of them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        later = [f for f in run.get_json(f"api/meters/{meter}/frames") if f["send_ms"] > meter_ms]
        if len(later) >= count:
            return later
        time.sleep(0.05)
    raise AssertionError(f"meter {meter}: fewer than {count} frames after {meter_ms}")


def test_live_controls_change_the_next_frames_ground_truth_and_wire(hansim_bin, tmp_path):
    """load, event and fault through the session's live control (the one Python uses): with the
    token, the next frame not yet on the line carries the change, in its ground truth and on the
    wire (read by the independent decoder); without it, 403 and nothing changes."""
    run = LiveRun(hansim_bin, "--meter", "kamstrup-no-3p", "--count", "2", "--port", f"file:{tmp_path}/m{{n}}.bin",
                  "--start", START, "--speed", "10", "--fast", "--duration", "10m", "--quiet",
                  "--load", "constant:1000", control=True)
    try:
        steady = run.wait_frames(0, 2)[-1]["p_import_w"]
        assert steady != 4321
        for token in (None, "0" * 32):
            for action, params in (("load", {"watts": 4321}), ("event", {"text": "voltage=207@now/1m"}),
                                   ("fault", {"text": "bad_fcs"})):
                status, body = run.control(0, action, token=token, **params)
                assert status == 403 and "token" in body["error"], (action, status, body)
        later = run.wait_frames(0, len(run.get_json("api/meters/0/frames")) + 2)
        assert all(f["p_import_w"] == steady and f["fault"] is None and f["events"] == [] for f in later), later
        assert run.get_json("api/meters/0")["marks"] == []

        status, body = run.control(0, "load", watts=4321)
        assert status == 200 and body["done"].startswith("event load=constant:4321@2024-01-15T12:"), body
        applied = body["done"][len("event "):]
        mark = run.get_json("api/meters/0")["marks"][-1]
        assert (mark["kind"], mark["text"]) == ("control", body["done"])
        nxt = frames_after(run, 0, mark["utc_ms"], 1)[0]
        assert nxt["p_import_w"] == 4321 and applied in nxt["events"]
        assert ("event", applied) in [(m["kind"], m["text"]) for m in run.get_json("api/meters/0")["marks"]]
        assert run.get_json("api/meters/1/frames")[-1]["p_import_w"] != 4321  # the other meter is untouched

        status, body = run.control(0, "event", text="voltage=207@now/1m")
        assert status == 200 and body["done"].startswith("event voltage=207@2024-01-15T12:"), body
        volts = frames_after(run, 0, run.get_json("api/meters/0")["marks"][-1]["utc_ms"], 1)[0]
        # The dip: 207 V nominal with the profile's spread between phases (230 V before).
        assert all(abs(u - 207) < 5 for u in volts["u_v"]) and all(u > 220 for u in nxt["u_v"]), (nxt, volts)
        assert volts["p_import_w"] == 4321

        status, body = run.control(0, "fault", text="bad_fcs")
        assert status == 200 and body["done"].startswith("fault bad_fcs@"), body
        faulty = frames_after(run, 0, run.get_json("api/meters/0")["marks"][-1]["utc_ms"], 2)
        assert faulty[0]["fault"] == "bad_fcs" and faulty[1]["fault"] is None  # @next: one push

        # Refused changes say what is wrong and change nothing.
        status, body = run.control(0, "event", text="lod=3kW")
        assert status == 400 and "unknown event kind 'lod'" in body["error"]
        status, body = run.control(0, "fault", text="warp_drive")
        assert status == 400 and "warp_drive" in body["error"]
        assert run.control(0, "load")[0] == 400
        assert run.control(0, "load", watts="lots")[0] == 400
        assert run.control(0, "event")[0] == 400
    finally:
        run.terminate()
        assert run.finish()[0] == 0

    # The wire: each record is its frame; the loaded one carries 4321 W, 207 V, the faulty one a bad FCS.
    wire = split_hdlc_stream((tmp_path / "m1.bin").read_bytes())
    by_sequence = {f["sequence"]: f for f in [nxt, volts, *faulty]}
    for sequence, frame in sorted(by_sequence.items()):
        raw = wire[sequence]
        assert len(raw) == frame["bytes_written"]
        if frame["fault"] == "bad_fcs":
            with pytest.raises(ValueError, match="FCS"):
                decode_hdlc(raw)
            continue
        values = decode_notification(decode_hdlc(raw).information[3:]).values
        assert values["1-1:1.7.0.255"] == frame["p_import_w"]
        u_wire = [values[k] for k in ("1-1:32.7.0.255", "1-1:52.7.0.255", "1-1:72.7.0.255")]
        assert all(abs(a - b) <= 1 for a, b in zip(frame["u_v"], u_wire)), (frame["u_v"], u_wire)


def test_controls_are_refused_when_not_turned_on(hansim_bin, tmp_path):
    run = LiveRun(hansim_bin, "--meter", "kamstrup-no-3p", "--port", f"file:{tmp_path}/m.bin", "--start", START,
                  "--speed", "10", "--fast", "--duration", "1m", "--quiet")
    try:
        assert run.get_json("api/info")["actions"] == []
        status, body = run.control(0, "load", token="0" * 32, watts=5000)
        assert status == 403 and "--http-control" in body["error"]
    finally:
        run.terminate()
        assert run.finish()[0] == 0


def test_events_and_an_outage_are_marked_at_their_exact_meter_time(hansim_bin, tmp_path):
    """Issue 14: marks carry the timeline's times, not the first frame after; an outage (no
    frame is made in it) is one span [start, end], in the API, on the stream and in the frame
    after it (its `timeline`)."""
    start = "2024-01-15T12:00:00Z"
    run = LiveRun(hansim_bin, "--meter", "kamstrup-no-3p", "--port", f"file:{tmp_path}/m.bin",
                  "--start", start, "--speed", "20", "--fast", "--duration", "2m", "--quiet",
                  "--jitter", "uniform:200:900", "--event", "load=constant:2500@+15s",
                  "--event", "outage@+33s/24s", "--event", "voltage=207@+61500ms/10s")
    stream = EventStream(run.host, run.port)
    t0 = utc_ms(start)
    try:
        frames = frames_after(run, 0, t0 + 75_000, 1, timeout=30)
        api_marks = run.get_json("api/meters/0")["marks"]
        frames = run.get_json("api/meters/0/frames")
        streamed = stream.events(until=lambda got: any(d.get("kind") == "event_end" for k, d in got if k == "mark"),
                                 timeout=30)
    finally:
        stream.close()
        run.terminate()
        assert run.finish()[0] == 0
    by_kind = lambda kind: [(m["text"], m["utc_ms"], m.get("until_ms")) for m in api_marks if m["kind"] == kind]  # noqa: E731
    assert by_kind("outage") == [("outage@+33s/24s", t0 + 33_000, t0 + 57_000)]
    assert by_kind("event") == [("load=constant:2500@+15s", t0 + 15_000, None),
                                ("voltage=207@+61500ms/10s", t0 + 61_500, t0 + 71_500)]
    assert by_kind("event_end") == [("voltage=207@+61500ms/10s", t0 + 71_500, None)]
    outage = next(m for m in api_marks if m["kind"] == "outage")
    assert outage["utc"] == "2024-01-15T12:00:33Z" and outage["until"] == "2024-01-15T12:00:57Z"
    # No frame was made in the outage; the first after it says when it was.
    scheduled = [utc_ms(f["scheduled"]) for f in frames]
    assert not [t for t in scheduled if t0 + 33_000 <= t < t0 + 57_000]
    after = next(f for f in frames if utc_ms(f["scheduled"]) >= t0 + 57_000)
    assert after["timeline"] == [{"event": "outage@+33s/24s", "kind": "outage", "at": "2024-01-15T12:00:33Z",
                                  "until": "2024-01-15T12:00:57Z"}]
    # The marks are not at a frame's time: the jitter puts every frame 200..900 ms late.
    sends = {f["send_ms"] for f in frames}
    assert not sends & {t for _, t, _ in by_kind("event") + by_kind("outage")}
    # The stream carries the same marks as they are made.
    live = [(d["kind"], d["text"], d["utc_ms"], d.get("until_ms")) for k, d in streamed if k == "mark"]
    assert ("outage", "outage@+33s/24s", t0 + 33_000, t0 + 57_000) in live
    assert ("event", "load=constant:2500@+15s", t0 + 15_000, None) in live
