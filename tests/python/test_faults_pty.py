"""Faults through a real read of a PTY (issue 9): a reader on the PTY gets exactly the bytes
the ground truth says, a timing fault's pause shows as a real gap inside the frame (also
with --fast), and decoding what was read rejects exactly the frames the ground truth marks."""
import json
import os
import select
import subprocess
import time

import hansim


def read_pty(path, until, timeout=20.0):
    """[(monotonic time, bytes)] read from the PTY until `until()` says stop."""
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        assert time.monotonic() < deadline, "the PTY link never appeared"
        time.sleep(0.01)
    fd = os.open(path, os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
    chunks = []
    try:
        while time.monotonic() < deadline and not until():
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    data = os.read(fd, 4096)
                except BlockingIOError:
                    continue
                chunks.append((time.monotonic(), data))
        end = time.monotonic() + 0.3
        while time.monotonic() < end:  # the last bytes in flight
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                chunks.append((time.monotonic(), os.read(fd, 4096)))
    finally:
        os.close(fd)
    return chunks


def test_faults_through_a_real_pty_read(tmp_path, hansim_bin):
    link = str(tmp_path / "ttyWIREFAULTS")
    faults = "split_pause:at=100:ms=600@2,truncated:at=50@3,garbage:kind=2@4,bad_fcs@5,garbage@6"
    with hansim.run_meter("kamstrup-no-3p", port=f"pty:{link}", speed=10, fast=True,
                          start="2024-01-01T00:10:00Z", faults=faults) as bench:
        chunks = read_pty(link, lambda: sum(r.outcome == "sent" and r.sequence >= 1 for r in bench.reports) >= 7)
        reports = bench.reports
    got = b"".join(data for _, data in chunks)
    # Push 0 may leave before the reader opens the PTY; from push 1 on it reads everything.
    sent = [r for r in reports if r.outcome == "sent" and r.sequence >= 1][:7]
    assert [r.sequence for r in sent] == list(range(1, 8))
    wire = b"".join(r.wire for r in sent)
    assert wire in got
    skip = got.index(wire)
    chunks_offset = skip

    # The pause: a gap of at least 600 ms between byte 99 and byte 100 of push 2.
    start_of_2 = chunks_offset + sum(len(r.wire) for r in sent if r.sequence < 2)
    arrived, gap_seen = 0, False
    for (t0, data), (t1, _) in zip(chunks, chunks[1:]):
        arrived += len(data)
        if arrived == start_of_2 + 100:
            gap_seen = t1 - t0 >= 0.55
    assert gap_seen, "the split_pause did not show on the PTY"
    assert sent[1].fault_effect["pauses"] == [{"offset": 100, "ms": 600}]

    # Decoding what the reader got rejects exactly the pieces the ground truth marks.
    want, offset = [], 0
    for r in sent:
        pieces = r.fault_effect["pieces"] if r.fault_effect else [{"offset": 0, "reject": False}]
        want += [(offset + p["offset"], p["reject"]) for p in pieces
                 if p["reject"] or not p.get("why", "").startswith("noise")]
        offset += len(r.wire)
    proc = subprocess.run([str(hansim_bin), "decode"], input=wire, capture_output=True, timeout=30)
    decoded = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [(d["offset"], "error" in d) for d in decoded] == want
    assert [r.fault for r in sent] == [None, "split_pause", "truncated", "garbage", "bad_fcs", "garbage", None]
    # noise right after the cut frame is reported with it; after a whole broken frame, alone
    assert sent[3].fault_effect["pieces"][0]["reject"] is False
    assert sent[5].fault_effect["pieces"][0]["reject"] is True
