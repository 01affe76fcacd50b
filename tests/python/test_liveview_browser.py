"""The live view in a real browser: headless Chromium driven by Selenium (Debian's chromium,
chromium-driver and python3-selenium, installed by .ci/install-deps). The page loads, shows
every meter, its values change as frames go out, a control from the page changes the next
frame's ground truth, and without the token the control is refused. A screenshot is kept
(its path is printed; HANSIM_SCREENSHOT_DIR chooses where)."""
import os
import pathlib
import shutil
import time

import pytest

from liveview_helpers import LiveRun

webdriver = pytest.importorskip("selenium.webdriver", reason="python3-selenium (.ci/install-deps)")
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")


@pytest.fixture
def browser(tmp_path):
    if not CHROMIUM or not DRIVER:
        pytest.fail("chromium and chromium-driver are needed (.ci/install-deps installs them)")
    options = Options()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,1500",
                 f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(20)
    yield driver
    driver.quit()


def wait(driver, condition, timeout=15, message=""):
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda d: condition(d), message)


def cell(driver, index, name):
    return driver.find_element(By.CSS_SELECTOR, f'#meters tr[data-index="{index}"] td.{name}').text


def keep_screenshot(driver, tmp_path, name):
    folder = pathlib.Path(os.environ.get("HANSIM_SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    driver.save_screenshot(str(path))
    print(f"screenshot: {path}")
    assert path.stat().st_size > 10_000
    return path


def test_page_shows_every_meter_live_and_controls_need_the_token(hansim_bin, tmp_path, browser):
    run = LiveRun(hansim_bin, "--meter", "kamstrup-p1", "--count", "4", "--port", f"file:{tmp_path}/p{{n}}.bin",
                  "--start", "2024-06-01T11:59:55Z", "--speed", "10", "--fast", "--duration", "30m", "--quiet",
                  "--set", "load=daily_curve:500:4000", control=True)
    try:
        # Without the token in the address: the page works, its controls are refused.
        browser.get(run.url)
        wait(browser, lambda d: d.find_element(By.ID, "status").get_attribute("data-live") == "1", message="live")
        rows = browser.find_elements(By.CSS_SELECTOR, "#meters tbody tr")
        assert [r.get_attribute("data-index") for r in rows] == ["0", "1", "2", "3"]
        assert [cell(browser, i, "name") for i in range(4)] == [f"meter1-{n}" for n in range(1, 5)]

        # Values change as frames go out.
        wait(browser, lambda d: cell(d, 0, "sent") not in ("0", ""), message="first frame")
        first = (cell(browser, 0, "sent"), cell(browser, 0, "clock"))
        wait(browser, lambda d: (cell(d, 0, "sent"), cell(d, 0, "clock")) != first, message="values change")
        assert float(cell(browser, 0, "p")) > 0 and cell(browser, 0, "outcome") == "sent"

        browser.find_element(By.CSS_SELECTOR, '#meters tr[data-index="0"]').click()
        wait(browser, lambda d: d.find_element(By.ID, "detail").is_displayed())
        wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#d-phases td.phase-u")) == 3)
        browser.find_element(By.ID, "control-data-request-off").click()
        result = wait(browser, lambda d: d.find_element(By.ID, "control-result").get_attribute("data-status"))
        assert result == "403" and "refused" in browser.find_element(By.ID, "control-result").text
        sent_before = run.get_json("api/meters/0")["counts"]["sent"]
        time.sleep(1.5)  # frames go on: nothing changed
        assert run.get_json("api/meters/0/frames")[-1]["outcome"] == "sent"
        assert run.get_json("api/meters/0")["counts"]["sent"] > sent_before

        # With the token (as hansim printed it): the next frame is not requested.
        browser.get(f"{run.url}?token={run.token}")
        wait(browser, lambda d: d.find_element(By.ID, "status").get_attribute("data-live") == "1")
        wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, '#meters tr[data-index="2"]')) == 1)
        browser.find_element(By.CSS_SELECTOR, '#meters tr[data-index="2"]').click()
        wait(browser, lambda d: d.find_element(By.ID, "control-data-request-off").is_displayed())
        seen = run.get_json("api/meters/2/frames")[-1]["sequence"]
        browser.find_element(By.ID, "control-data-request-off").click()
        assert wait(browser, lambda d: d.find_element(By.ID, "control-result").get_attribute("data-status")) == "200"
        frames = [f for f in run.wait_frames(2, len(run.get_json("api/meters/2/frames")) + 2) if f["sequence"] > seen + 1]
        assert frames and all(f["outcome"] == "not_requested" for f in frames)
        wait(browser, lambda d: cell(d, 2, "outcome") == "not_requested", message="table shows it")
        wait(browser, lambda d: "control: data request dropped" in d.find_element(By.ID, "d-marks").text)
        assert run.get_json("api/meters/0/frames")[-1]["outcome"] == "sent"

        # Sorting and filtering the table.
        browser.find_element(By.ID, "filter").send_keys("meter1-3")
        wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#meters tbody tr")) == 1)
        browser.find_element(By.ID, "filter").clear()
        browser.execute_script("document.getElementById('filter').dispatchEvent(new Event('input'))")
        browser.find_element(By.CSS_SELECTOR, 'th[data-key="index"]').click()  # again: descending
        wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#meters tbody tr").get_attribute("data-index") == "3")
        browser.find_element(By.CSS_SELECTOR, 'th[data-key="index"]').click()
        time.sleep(1.0)  # a few more points on the chart
        keep_screenshot(browser, tmp_path, "liveview.png")
    finally:
        run.terminate()
        assert run.finish()[0] == 0


def test_a_thousand_meters_stay_usable(hansim_bin, tmp_path, browser):
    run = LiveRun(hansim_bin, "--meter", "kamstrup-no-3p", "--count", "1000", "--port", f"file:{tmp_path}/m{{n}}.bin",
                  "--start", "2024-06-01T11:59:55Z", "--speed", "10", "--fast", "--duration", "10m", "--quiet")
    try:
        browser.get(run.url)
        wait(browser, lambda d: d.find_element(By.ID, "status").get_attribute("data-live") == "1", timeout=30)
        assert browser.find_element(By.ID, "shown").text == "1000 of 1000 meters"
        assert len(browser.find_elements(By.CSS_SELECTOR, "#meters tbody tr")) == 100  # a page at a time
        wait(browser, lambda d: cell(d, 0, "sent") not in ("0", ""), timeout=20)
        browser.find_element(By.ID, "filter").send_keys("meter1-999")
        wait(browser, lambda d: [r.get_attribute("data-index") for r in d.find_elements(By.CSS_SELECTOR, "#meters tbody tr")] == ["998"])
        browser.find_element(By.CSS_SELECTOR, '#meters tr[data-index="998"]').click()
        wait(browser, lambda d: d.find_element(By.ID, "d-title").text.startswith("meter1-999"))
        started = time.monotonic()
        browser.execute_script("document.getElementById('filter').value=''; document.getElementById('filter').dispatchEvent(new Event('input'))")
        browser.find_element(By.CSS_SELECTOR, 'th[data-key="p"]').click()
        wait(browser, lambda d: d.find_element(By.ID, "shown").text == "1000 of 1000 meters")
        assert time.monotonic() - started < 5
    finally:
        run.terminate()
        assert run.finish(timeout=30)[0] == 0


def test_report_file_opens_offline(hansim_bin, tmp_path, browser):
    import subprocess
    report = tmp_path / "day.html"
    subprocess.run([str(hansim_bin), "generate", "--meter", "kamstrup-no-3p", "--duration", "1d", "--load",
                    "daily_curve:300:3000", "--report", report], check=True, timeout=60)
    browser.get(report.as_uri())
    wait(browser, lambda d: d.find_element(By.ID, "detail").is_displayed())
    assert browser.find_element(By.ID, "mode").text == "report"
    assert cell(browser, 0, "sent") == str(24 * 361)
    # The power chart is drawn: many non-blank pixels in the plot area.
    inked = browser.execute_script("""
        const c = document.getElementById('chart-power'), g = c.getContext('2d');
        const px = g.getImageData(60, 10, c.width - 70, c.height - 30).data;
        let n = 0; for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
        return n;""")
    assert inked > 2000
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0  # nothing fetched
    keep_screenshot(browser, tmp_path, "report.png")


def lane_marks(driver):
    """The markers on the charts' time axis: (kind, text, centre x in the canvas's pixels)."""
    return driver.execute_script("""
        const canvas = document.getElementById('chart-power').getBoundingClientRect();
        return [...document.querySelectorAll('#mark-lane .axis-mark')].map((m) => {
            const r = m.getBoundingClientRect();
            return [m.dataset.kind, m.dataset.text, Number(m.dataset.utcMs),
                    (r.left + r.width / 2 - canvas.left) * 1000 / canvas.width];
        });""")


def lane_spans(driver):
    """The spans on the charts' time axis (outages): (kind, text, start, end, left x, right x)."""
    return driver.execute_script("""
        const canvas = document.getElementById('chart-power').getBoundingClientRect();
        return [...document.querySelectorAll('#mark-lane .axis-span')].map((m) => {
            const r = m.getBoundingClientRect();
            return [m.dataset.kind, m.dataset.text, Number(m.dataset.utcMs), Number(m.dataset.untilMs),
                    (r.left - canvas.left) * 1000 / canvas.width, (r.right - canvas.left) * 1000 / canvas.width];
        });""")


def test_report_marks_faults_and_events_on_the_time_axis(hansim_bin, tmp_path, browser):
    import json
    import subprocess
    common = ["--meter", "kamstrup-no-3p", "--start", "2024-03-01T00:00:00Z", "--duration", "10m",
              "--faults", "bad_fcs@12,truncated@40", "--event", "load=constant:2500@+2m",
              "--event", "voltage=207@+5m/1m", "--event", "port_cut@+8m/30s", "--event", "outage@+3m3s/40s"]
    subprocess.run([str(hansim_bin), "generate", *common, "--format", "jsonl", "-o", tmp_path / "r.jsonl",
                    "--report", tmp_path / "r.html"], check=True, timeout=60)
    records = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    browser.get((tmp_path / "r.html").as_uri())
    wait(browser, lambda d: d.find_element(By.ID, "detail").is_displayed())
    marks = lane_marks(browser)
    by_kind = lambda kind: [(text, t) for k, text, t, _ in marks if k == kind]  # noqa: E731
    ms = lambda r: browser.execute_script("return Date.parse(arguments[0])", r["send"])  # noqa: E731
    start = browser.execute_script("return Date.parse('2024-03-01T00:00:00Z')")
    # Faults: the frames whose ground truth has one, at their send time.
    assert by_kind("fault") == [(r["fault"], ms(r)) for r in records if r["fault"]]
    assert [f for f, _ in by_kind("fault")] == ["bad_fcs", "truncated"]
    # Events at their exact times from the timeline (not the next frame's); ends when `for` runs out.
    assert by_kind("event") == [("load=constant:2500@+2m", start + 120_000), ("voltage=207@+5m/1m", start + 300_000),
                                ("port_cut@+8m/30s", start + 480_000)]
    assert by_kind("event_end") == [("voltage=207@+5m/1m", start + 360_000), ("port_cut@+8m/30s", start + 510_000)]
    after_cut = next(r for r in records if r["silenced_before"])
    assert by_kind("silenced") == [(f"{after_cut['silenced_before']} push slots not carried", ms(after_cut))]
    # Each marker sits where its time is on the charts' axis (plot from x=60 to x=990 of 1000).
    t0, t1 = ms(records[0]), ms(records[-1])
    position = lambda t: 60 + 930 * (t - t0) / (t1 - t0)  # noqa: E731
    for kind, text, t, x in marks:
        assert abs(x - position(t)) < 3, (kind, text, t, x)
    # The outage is a band from its start to its end, where no frame was sent.
    ((kind, text, begin, end, left, right),) = lane_spans(browser)
    assert (kind, text, begin, end) == ("outage", "outage@+3m3s/40s", start + 183_000, start + 223_000)
    assert abs(left - position(begin)) < 3 and abs(right - position(end)) < 3, (left, right)
    assert not [r for r in records if start + 183_000 <= ms(r) < start + 223_000]
    # The power chart is shaded there: a pixel column inside the band is inked over the plot's
    # whole height, one just before it only where the grid and the curve cross it.
    inside, before, height = browser.execute_script("""
        const c = document.getElementById('chart-power'), g = c.getContext('2d');
        const inked = (x) => { const px = g.getImageData(Math.round(x), 10, 1, c.height - 30).data;
                               let n = 0; for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++; return n; };
        return [inked(arguments[0]), inked(arguments[1] - 4), c.height - 30];""",
        (position(begin) + position(end)) / 2, position(begin))
    assert inside >= height - 1 and before < height / 3, (inside, before, height)
    # The tooltip says what happened; the list under the charts has it too.
    fault = browser.find_element(By.CSS_SELECTOR, "#mark-lane .axis-mark.mark-fault")
    assert "fault: bad_fcs (" in fault.get_attribute("title")
    outage = browser.find_element(By.CSS_SELECTOR, "#mark-lane .axis-span.mark-outage")
    assert "2024-03-01T00:03:03.000Z until 2024-03-01T00:03:43.000Z outage: outage@+3m3s/40s" in \
        outage.get_attribute("title")
    assert "event: voltage=207@+5m/1m" in browser.find_element(By.ID, "d-marks").text
    keep_screenshot(browser, tmp_path, "report-marks.png")


def test_live_marks_faults_and_events_as_frames_go_out(hansim_bin, tmp_path, browser):
    run = LiveRun(hansim_bin, "--meter", "kamstrup-no-3p", "--port", f"file:{tmp_path}/m.bin",
                  "--start", "2024-06-01T12:00:00Z", "--speed", "10", "--fast", "--duration", "10m", "--quiet",
                  "--faults", "bad_fcs@3", "--event", "load=constant:3000@+40s", "--event", "voltage=210@+50s/20s")
    try:
        browser.get(run.url)
        wait(browser, lambda d: d.find_element(By.ID, "detail").is_displayed(), message="one meter: its detail")
        wait(browser, lambda d: {m[0] for m in lane_marks(d)} >= {"fault", "event", "event_end"}, timeout=30,
             message="fault, event and its end marked")
        marks = lane_marks(browser)
        frames = run.get_json("api/meters/0/frames")
        faulty = [f for f in frames if f["fault"]]
        assert [(m[1], m[2]) for m in marks if m[0] == "fault"] == [(f["fault"], f["send_ms"]) for f in faulty]
        loaded = next(f for f in frames if "load=constant:3000@+40s" in f["events"])
        start = browser.execute_script("return Date.parse('2024-06-01T12:00:00Z')")
        assert ("event", "load=constant:3000@+40s", start + 40_000) in [tuple(m[:3]) for m in marks]
        assert loaded["p_import_w"] == 3000  # the ground truth the marker stands for
        api = run.get_json("api/meters/0")["marks"]
        assert [m["kind"] for m in api if m["kind"] != "control"][:4] == ["fault", "event", "event", "event_end"]
    finally:
        run.terminate()
        assert run.finish()[0] == 0


def test_page_controls_change_load_event_and_fault_of_the_next_frame(hansim_bin, tmp_path, browser):
    run = LiveRun(hansim_bin, "--meter", "kamstrup-no-3p", "--port", f"file:{tmp_path}/m.bin",
                  "--start", "2024-06-01T12:00:00Z", "--speed", "10", "--fast", "--duration", "10m", "--quiet",
                  control=True)

    def press(control_id, field_id=None, value=None):
        browser.execute_script("document.getElementById('control-result').removeAttribute('data-status')")
        if field_id:
            field = browser.find_element(By.ID, field_id)
            field.clear()
            field.send_keys(value)
        browser.find_element(By.ID, control_id).click()
        return wait(browser, lambda d: d.find_element(By.ID, "control-result").get_attribute("data-status"))

    def next_frame_after_last_mark():
        at = run.get_json("api/meters/0")["marks"][-1]["utc_ms"]
        return wait(browser, lambda d: next((f for f in run.get_json("api/meters/0/frames") if f["send_ms"] > at), None),
                    message="a frame after the control")

    try:
        # Without the token: refused, and the load stays.
        browser.get(run.url)
        wait(browser, lambda d: d.find_element(By.ID, "control-load").is_displayed(), message="controls shown")
        assert press("control-load", "control-load-watts", "3777") == "403"
        assert "refused" in browser.find_element(By.ID, "control-result").text
        time.sleep(1.5)
        assert all(f["p_import_w"] != 3777 for f in run.get_json("api/meters/0/frames"))

        browser.get(f"{run.url}?token={run.token}")
        wait(browser, lambda d: d.find_element(By.ID, "control-load").is_displayed())
        assert press("control-load", "control-load-watts", "3777") == "200"
        assert next_frame_after_last_mark()["p_import_w"] == 3777
        wait(browser, lambda d: cell(d, 0, "p") == "3777", message="the table shows the new load")

        assert press("control-event", "control-event-text", "power_factor=0.5@now/1m") == "200"
        assert next_frame_after_last_mark()["power_factor"] == 0.5

        assert press("control-fault", "control-fault-text", "bad_fcs") == "200"
        assert next_frame_after_last_mark()["fault"] == "bad_fcs"
        # The controls and what they caused are on the time axis.
        wait(browser, lambda d: {"control", "event", "fault"} <= {m[0] for m in lane_marks(d)}, message="marked")
        assert "fault bad_fcs@" in browser.find_element(By.ID, "d-marks").text

        assert press("control-event", "control-event-text", "lod=3kW") == "400"
        assert "unknown event kind" in browser.find_element(By.ID, "control-result").text
        keep_screenshot(browser, tmp_path, "liveview-controls.png")
    finally:
        run.terminate()
        assert run.finish()[0] == 0
