"""An independent reader of the capture format (simulator/docs/CAPTURE.md) for the record /
replay tests, and helpers to run `hansim record` and `hansim replay`."""
import os
import pathlib
import signal
import subprocess
import time


def read_capture(path):
    """(header dict, [(offset_s, bytes)], [(offset_s, event, text)]) from a capture file.
    Asserts the file is complete lines only (what a reader after kill -9 relies on)."""
    text = pathlib.Path(path).read_text()
    assert text.endswith("\n"), f"{path} does not end with a complete line"
    lines = text.splitlines()
    assert lines[0] == "hansim-capture 1", lines[0]
    header, data, events = {}, [], []
    for line in lines[1:]:
        if not line or line.startswith("#"):
            continue
        kind, rest = line.split(" ", 1)
        if kind == "data":
            offset, _wall, hexes = rest.split(" ")
            data.append((float(offset), bytes.fromhex(hexes)))
        elif kind == "event":
            parts = rest.split(" ", 3)
            events.append((float(parts[0]), parts[2], parts[3] if len(parts) > 3 else ""))
        else:
            header[kind] = rest
    return header, data, events


def transmissions(chunks, gap=0.3, char_time=10 / 2400):
    """Start times and bytes of the transmissions in a list of (time, bytes) chunks: chunks less
    than `gap` apart belong to one transmission. A chunk read at t with n bytes of the
    transmission up to and including it says the first byte left at t - n * char_time, or
    earlier if the read was late; the start is the earliest of these (a loaded machine delays
    reads, never hastens them)."""
    out, last = [], None
    for at, data in chunks:
        if last is None or at - last > gap:
            out.append([at, b""])
        out[-1][1] += data
        out[-1][0] = min(out[-1][0], at - len(out[-1][1]) * char_time)
        last = at
    return [(at, data) for at, data in out]


def start(hansim_bin, command, *args):
    return subprocess.Popen([str(hansim_bin), command, *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for(predicate, timeout=10.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"{what} not met within {timeout} s")


def wait_for_data_lines(path, count, timeout=10.0):
    def enough():
        return os.path.exists(path) and pathlib.Path(path).read_text().count("\ndata ") >= count
    wait_for(enough, timeout, f"{count} data lines in {path}")


def stop(proc, timeout=10.0):
    """SIGINT (Ctrl-C), then the exit code and output."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"{proc.args} did not stop on SIGINT; stderr: {err}")
    return proc.returncode, out, err


def kill(*procs):
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
