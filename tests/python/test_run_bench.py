"""`hansim run` on every bench in hil/benches (PTY always; real ports when present)."""
import pytest
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


def test_bench_files_load_and_a_missing_device_gives_the_skip_reason(tmp_path, bad_input):
    import hansim_bench

    for path in hansim_bench.bench_files():
        bench = hansim_bench.load_bench(path, tmp_path)
        assert bench.name == path.stem and "{tmp}" not in bench.port + bench.reader
    usb = hansim_bench.load_bench(hansim_bench.BENCH_DIR / "example-usb.yaml")
    usb.requires = ["/dev/hansim-no-such-adapter"]
    assert usb.missing() == "bench example-usb: /dev/hansim-no-such-adapter not present"
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nport: pty:/tmp/x\nreader: /tmp/x\nbaud: 2400\n")
    bad_input.raises(ValueError, "bad.yaml.*unknown key.*baud", hansim_bench.load_bench, bad)
