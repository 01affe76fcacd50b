"""A thousand paced meters on a thousand PTYs in one `hansim run` process."""
import os
import time

from run_helpers import Running, load_summary, open_reader, read_until_idle, whole_frames

METERS = 1000


def test_a_thousand_pty_meters(hansim_bin, tmp_path):
    summary = tmp_path / "summary.json"
    links = [tmp_path / f"ttyHAN{n}" for n in range(1, METERS + 1)]
    # list 1 at 12:00:30 and :40 -> 0.4 s and 2.4 s after start at --speed 5; wire-true pacing
    run = Running(hansim_bin, "--count", METERS, "--port", f"pty:{tmp_path}/ttyHAN{{n}}", "--quiet",
                  "--chunk-ms", 50, "--start", "2024-03-01T12:00:29.6Z", "--speed", 5, "--duration", "15s",
                  "--summary-json", summary)
    try:
        run.wait_for_line("hansim run: 1000 meters", timeout=30)
        assert all(os.path.islink(link) for link in links)
        # readers on a sample of the ports, spread over the range
        sample = links[::50]
        ports = [open_reader(link) for link in sample]
        got = [whole_frames(b"".join(d for _, d in read_until_idle(p, 4.0, idle=0.3))) for p in ports]
        for p in ports:
            p.close()
        code, err = run.finish(timeout=30)
    finally:
        run.kill()
    assert code == 0, err
    assert all(len(frames) >= 1 for frames in got)
    assert len({frames[0] for frames in got}) == len(sample)
    total = load_summary(summary)["total"]
    assert total["frames_sent"] + total["frames_lost"] == 2 * METERS
    assert total["frames_sent"] >= len(sample)
    assert not any(os.path.lexists(link) for link in links)
