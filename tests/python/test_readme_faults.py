"""The README's fault-catalogue example, run as written (`hansim` being the built binary),
and checked: the catalogue lists every fault, the ground truth marks the broken pushes, and
`hansim decode` rejects exactly those."""
import json
import os
import pathlib
import re
import subprocess

REPO = pathlib.Path(__file__).resolve().parents[2]


def readme_example():
    text = (REPO / "README.md").read_text()
    marker = text.index("<!-- faults-example")
    return re.search(r"```sh\n(.*?)```", text[marker:], re.S).group(1)


def test_readme_faults_example_runs(hansim_bin, tmp_path):
    script = readme_example()
    env = dict(os.environ, PATH=f"{hansim_bin.parent}:{os.environ['PATH']}")
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    catalogue = [line.split()[0] for line in lines if not line.startswith("{")]
    assert {"bad_fcs", "truncated", "garbage", "p1_cut", "wrong_parity", "corrupted_tag"} <= set(catalogue)
    decoded = [json.loads(line) for line in lines if line.startswith("{")]

    pushes = [json.loads(line) for line in (tmp_path / "pushes.jsonl").read_text().splitlines()]
    stream_offset, want = 0, []
    for push in pushes:
        effect = push.get("fault_effect")
        pieces = effect["pieces"] if effect else [{"offset": 0, "reject": False}]
        want += [(stream_offset + p["offset"], p["reject"]) for p in pieces]
        stream_offset += len(push["hex"]) // 2
    assert {p["fault"] for p in pushes if p["fault"]} >= {"truncated", "garbage"}
    hdlc = [d for d in decoded if d["kind"] == "hdlc"]
    assert [(d["offset"], "error" in d) for d in hdlc] == want

    p1 = [d for d in decoded if d["kind"] == "p1"]
    assert [d.get("error_kind") for d in p1][2] == "truncated"  # p1_cut@2
    assert "1-0:3.8.0" not in p1[3]["values"] and p1[3]["issues"]  # line 4's OBIS token is malformed
