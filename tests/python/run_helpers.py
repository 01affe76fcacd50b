"""Helpers for the `hansim run` tests: start the CLI, read a PTY with pyserial, split frames."""
import json
import os
import pathlib
import select
import signal
import subprocess
import time

import serial

from independent_decoder import decode_hdlc

CHAR_TIME_2400_8N1 = 10 / 2400


class Running:
    """A `hansim run` process; stdout is collected line by line."""

    def __init__(self, hansim_bin, *args, env=None):
        self.args = [str(hansim_bin), "run", *map(str, args)]
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.lines = []

    def wait_for_line(self, needle, timeout=5.0):
        """The first stdout line containing `needle` (reads and keeps lines until then)."""
        deadline = time.monotonic() + timeout
        os.set_blocking(self.proc.stdout.fileno(), False)
        buffer = ""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.05)
            if ready:
                chunk = self.proc.stdout.read()
                if chunk:
                    buffer += chunk
                    *complete, buffer = buffer.split("\n")
                    self.lines.extend(complete)
                    for line in complete:
                        if needle in line:
                            return line
            if self.proc.poll() is not None and not ready:
                break
        raise AssertionError(f"no line with {needle!r} from {self.args}; got {self.lines}")

    def finish(self, timeout=15.0):
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
            raise AssertionError(f"{self.args} did not finish in {timeout} s; stderr: {err}")
        self.lines.extend((out or "").splitlines())
        return self.proc.returncode, err

    def terminate(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


def wait_for_path(path, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.lexists(path):
            return
        time.sleep(0.01)
    raise AssertionError(f"{path} did not appear within {timeout} s")


def read_until_idle(port, first_byte_timeout, idle=0.15):
    """Bytes from an open pyserial port with the arrival time of every read:
    waits up to `first_byte_timeout` for data, then reads until the line is idle for `idle`."""
    reads = []
    fd = port.fileno()
    deadline = time.monotonic() + first_byte_timeout
    while True:
        timeout = (deadline - time.monotonic()) if not reads else idle
        if timeout <= 0:
            break
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            break
        data = os.read(fd, 4096)
        if not data:
            break
        reads.append((time.monotonic(), data))
    return reads


def whole_frames(stream):
    """Splits a stream that must consist of whole HDLC frames back to back; every frame is
    decoded (HCS and FCS checked). Raises AssertionError on any stray or partial byte."""
    frames, pos = [], 0
    while pos < len(stream):
        assert stream[pos] == 0x7E, f"byte {pos}: expected a frame start, got {stream[pos]:02X}"
        assert pos + 3 <= len(stream), f"byte {pos}: partial frame header"
        length = ((stream[pos + 1] << 8) | stream[pos + 2]) & 0x7FF
        end = pos + length + 2
        assert end <= len(stream), f"byte {pos}: partial frame ({len(stream) - pos} of {length + 2} bytes)"
        decode_hdlc(stream[pos:end])
        frames.append(stream[pos:end])
        pos = end
    return frames


def open_reader(path):
    return serial.Serial(str(path), 2400, timeout=0)


def load_summary(path):
    return json.loads(pathlib.Path(path).read_text())
