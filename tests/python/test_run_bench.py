"""`hansim run` on every bench in hil/benches (PTY always; real ports when present)."""
import serial

from run_helpers import read_until_idle, whole_frames


def test_bench_reader_receives_whole_frames(bench, hansim_bin):
    reader_port = None
    if not bench.port.startswith("pty:"):
        reader_port = serial.Serial(bench.reader, bench.baud, timeout=0)  # listen before hansim starts
    bench.start(hansim_bin, "--start", "2024-03-01T12:00:29.5Z", "--speed", 5, "--duration", "5s", "--quiet")
    if reader_port is None:
        reader_port = serial.Serial(bench.reader, bench.baud, timeout=0)
    try:
        frames = whole_frames(b"".join(d for _, d in read_until_idle(reader_port, 3.0)))
    finally:
        reader_port.close()
    assert len(frames) == 1 and len(frames[0]) == 228
