"""Around the process: shared counter stores, full disks, stalled readers, signals, file limits.

Each test here is the regression test of a defect found by trying hansim as a hostile user
would (issue 13) and fails without its fix.
"""
import os
import signal
import subprocess

import pytest

from run_helpers import Running

START = "2024-01-15T12:00:00Z"
KEYS = ("encryption_key=000102030405060708090A0B0C0D0E0F\n"
        "authentication_key=D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF\n")


def write_keys(tmp_path):
    keys = tmp_path / "keys.txt"
    keys.write_text(KEYS)
    keys.chmod(0o600)
    return keys


def test_a_second_process_on_one_counter_store_is_refused(hansim_bin, tmp_path):
    keys = write_keys(tmp_path)
    store = tmp_path / "ic.txt"
    common = ["--meter", "kamstrup-dk-3p", "--key-file", keys, "--ic-file", store, "--start", START,
              "--fast", "--speed", 50]
    first = Running(hansim_bin, *common, "--port", f"file:{tmp_path / 'first.bin'}", "--duration", "1h")
    try:
        first.wait_for_line("hansim run:")
        second = Running(hansim_bin, *common, "--port", f"file:{tmp_path / 'second.bin'}", "--duration", "1m")
        code, err = second.finish(timeout=10)
        assert code == 1, err
        assert str(store) in err and "in use" in err, err
        assert not (tmp_path / "second.bin").exists() or (tmp_path / "second.bin").stat().st_size == 0
        first.terminate()
        code, err = first.finish()
        assert code == 0, err
    finally:
        first.kill()
    # Once the first has stopped, the store is free again and continues above it.
    again = Running(hansim_bin, *common, "--port", f"file:{tmp_path / 'third.bin'}", "--duration", "20s")
    code, err = again.finish()
    assert code == 0, err
