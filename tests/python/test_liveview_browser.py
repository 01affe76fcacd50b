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
