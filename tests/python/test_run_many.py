"""A thousand paced meters on a thousand PTYs in one `hansim run` process."""
import os
import select
import time

from run_helpers import Running, load_summary, open_reader, whole_frames

METERS = 1000


def test_a_thousand_pty_meters(hansim_bin, tmp_path):
    summary = tmp_path / "summary.json"
    links = [tmp_path / f"ttyHAN{n}" for n in range(1, METERS + 1)]
    # list 1 at 12:00:30 and :40 -> 0.4 s and 2.4 s after start at --speed 5; wire-true pacing,
    # 50 ms chunks; every meter on the same instants (--push-phase 0, not each its own phase as
    # copies otherwise are: test_push_phase.py): the heaviest case for the run loop
    run = Running(hansim_bin, "--count", METERS, "--push-phase", 0, "--port", f"pty:{tmp_path}/ttyHAN{{n}}", "--quiet",
                  "--chunk-ms", 50, "--start", "2024-03-01T12:00:28Z", "--speed", 5, "--duration", "15s",
                  "--summary-json", summary)
    try:
        run.wait_for_line("hansim run: 1000 meters", timeout=30)
        assert all(os.path.islink(link) for link in links)
        # readers on a sample of the ports, spread over the range, all read at once until
        # hansim has finished (it waits for readers to take the last frame before closing)
        sample = links[::50]
        ports = [open_reader(link) for link in sample]
        streams = {p.fileno(): b"" for p in ports}
        while run.proc.poll() is None:
            ready, _, _ = select.select(list(streams), [], [], 0.1)
            for fd in ready:
                try:
                    streams[fd] += os.read(fd, 4096)
                except OSError:  # EIO once hansim has closed the master
                    pass
        got = [whole_frames(streams[p.fileno()]) for p in ports]
        for p in ports:
            p.close()
        code, err = run.finish(timeout=30)
    finally:
        run.kill()
    assert code == 0, err
    assert all(len(frames) == 2 for frames in got)
    assert len({frames[0] for frames in got}) == len(sample)  # every meter its own frames
    total = load_summary(summary)["total"]
    # what hansim counts as sent is exactly what the readers got; the rest had no listener
    assert total["frames_sent"] == sum(len(frames) for frames in got)
    assert total["lost_no_listener"] == 2 * METERS - total["frames_sent"]
    assert not any(os.path.lexists(link) for link in links)


def test_sigterm_while_the_ports_are_being_created_removes_every_link(hansim_bin, tmp_path):
    run = Running(hansim_bin, "--count", METERS, "--port", f"pty:{tmp_path}/ttyHAN{{n}}", "--quiet")
    try:
        deadline = time.monotonic() + 10
        while not any(tmp_path.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.005)
        run.terminate()  # most likely still creating PTYs
        code, err = run.finish(timeout=30)
    finally:
        run.kill()
    assert code == 0, err
    assert list(tmp_path.iterdir()) == []
    assert any("stopped by signal 15" in line for line in run.lines)
