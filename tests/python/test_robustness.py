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


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="/dev/full not present")
def test_a_full_disk_is_a_runtime_error_and_no_frame_counts_as_sent(hansim_bin, tmp_path):
    summary = tmp_path / "summary.json"
    run = Running(hansim_bin, "--port", "file:/dev/full", "--start", START, "--fast", "--speed", 100,
                  "--duration", "1m", "--summary-json", summary)
    code, err = run.finish()
    assert code == 1, err
    assert "/dev/full" in err and "No space left on device" in err, err
    import json
    total = json.loads(summary.read_text())["total"]
    assert total["frames_sent"] == 0 and total["frames_lost"] >= 1, total


def test_a_summary_on_a_full_disk_is_a_runtime_error(hansim_bin, tmp_path):
    if not os.path.exists("/dev/full"):
        pytest.skip("/dev/full not present")
    run = Running(hansim_bin, "--port", f"file:{tmp_path / 'out.bin'}", "--start", START, "--fast",
                  "--speed", 100, "--duration", "20s", "--summary-json", "/dev/full")
    code, err = run.finish()
    assert code == 1, err
    assert "cannot write summary /dev/full" in err and "No space left on device" in err, err


def test_profiles_show_their_caveats(hansim_bin):
    out = subprocess.run([str(hansim_bin), "profiles"], capture_output=True, text=True, check=True).stdout
    blocks = {}
    name = None
    for line in out.splitlines():
        if line and not line.startswith(" "):
            name = line.split()[0]
            blocks[name] = ""
        else:
            blocks[name] += line.strip() + " "
    for unseen in ("itron-a300", "kaifa-cl109", "sanxing-sx631"):
        assert "caveat:" in blocks[unseen] and "no public capture" in blocks[unseen] or "unknown" in blocks[unseen], \
            (unseen, blocks[unseen])
    assert "caveat:" in blocks["kamstrup-ch-3p"] and "clock" in blocks["kamstrup-ch-3p"]
    assert blocks["kamstrup-no-3p"] == ""
    assert all(len(line) <= 100 for line in out.splitlines() if line.startswith(" "))  # wrapped caveats
