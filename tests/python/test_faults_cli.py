"""Ciphering faults end to end: `hansim generate` / `hansim run` inject the planned faults
(`--faults`, `--set faults=`, scenario `faults:`), the ground truth names them and
`hansim decode` flags exactly those frames."""
import json
import os
import subprocess

import pytest

KEYS = ("encryption_key=000102030405060708090A0B0C0D0E0F\n"
        "authentication_key=D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF\n")
PLAN = "corrupted_tag@2,counter_backwards@4"

# How `hansim decode --key-file` recognises each fault on a frame (SC 0x30).
RECOGNISED = {
    "wrong_encryption_key": ("error_kind", "authentication_failed"),
    "wrong_authentication_key": ("error_kind", "authentication_failed"),
    "corrupted_tag": ("error_kind", "authentication_failed"),
    "counter_stuck": ("counter_anomaly", "stuck"),
    "counter_backwards": ("counter_anomaly", "backwards"),
    "counter_jump": ("counter_anomaly", "jump"),
    "empty_system_title": ("error_kind", "malformed"),
    "foreign_system_title": ("error_kind", "authentication_failed"),
    "sc_mismatch": ("error_kind", "authentication_failed"),
    "length_off_by_one": ("error_kind", "malformed"),
}


@pytest.fixture
def key_file(tmp_path):
    path = tmp_path / "keys.txt"
    path.write_text(KEYS)
    path.chmod(0o600)
    return path


def clean_env():
    env = dict(os.environ)
    env.pop("HANSIM_ENCRYPTION_KEY", None)
    env.pop("HANSIM_AUTHENTICATION_KEY", None)
    return env


def hansim(hansim_bin, *args, cwd=None):
    return subprocess.run([str(hansim_bin), *map(str, args)], capture_output=True, text=True, timeout=120,
                          env=clean_env(), cwd=cwd)


def generate_jsonl(hansim_bin, *args):
    proc = hansim(hansim_bin, "generate", "--start", "2024-03-01T12:00:00Z", "--duration", "70s", "--format", "jsonl",
                  *args)
    assert proc.returncode == 0, proc.stderr
    assert "warning" not in proc.stderr.lower(), proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def decode(hansim_bin, tmp_path, data, *args, hex_input=True):
    path = tmp_path / ("frames.hex" if hex_input else "frames.bin")
    if hex_input:
        path.write_text(data)
    else:
        path.write_bytes(data)
    proc = hansim(hansim_bin, "decode", *(["--hex"] if hex_input else []), *args, path)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def flagged(records):
    """{index: what the decoder said} for every record with an error or a counter anomaly."""
    out = {}
    for i, r in enumerate(records):
        if "error" in r:
            out[i] = r["error_kind"]
        elif "counter_anomaly" in r:
            out[i] = r["counter_anomaly"]
    return out


def check_plan_frames(hansim_bin, tmp_path, key_file, records):
    assert len(records) == 7
    assert [r["sequence"] for r in records] == list(range(7))
    assert {i: r["fault"] for i, r in enumerate(records) if r["fault"]} == {2: "corrupted_tag", 4: "counter_backwards"}
    hex_lines = "".join(r["hex"] + "\n" for r in records)
    with_keys = decode(hansim_bin, tmp_path, hex_lines, "--key-file", key_file)
    assert flagged(with_keys) == {2: "authentication_failed", 4: "backwards"}
    for i, (generated, decoded) in enumerate(zip(records, with_keys)):
        if i != 2:
            assert decoded["values"] == generated["values"], i  # the other frames are intact
        if i not in (2, 4):
            assert "counter_message" not in decoded
    assert "went backwards" in with_keys[4]["counter_message"]
    assert with_keys[4]["invocation_counter"] == records[4]["invocation_counter"] == records[3]["invocation_counter"] - 1
    # Without keys a bad tag cannot be seen, the counter still can.
    assert flagged(decode(hansim_bin, tmp_path, hex_lines)) == {4: "backwards"}


def test_generate_with_faults_flags_exactly_those_frames(hansim_bin, tmp_path, key_file):
    records = generate_jsonl(hansim_bin, "--meter", "kamstrup-dk-3p", "--key-file", key_file, "--faults", PLAN)
    check_plan_frames(hansim_bin, tmp_path, key_file, records)


def test_scenario_faults_do_the_same(hansim_bin, tmp_path, key_file):
    scenario = tmp_path / "faults.yaml"
    scenario.write_text("start: 2024-03-01T12:00:00Z\n"
                        "meters:\n"
                        "  - name: dk0\n"
                        "    profile: kamstrup-dk-3p\n"
                        "    security: encrypt+authenticate\n"
                        f"    key_file: {key_file.name}\n"
                        f"    faults: \"{PLAN}\"\n")
    records = generate_jsonl(hansim_bin, "--scenario", scenario)
    assert {r["meter"] for r in records} == {"dk0"}
    check_plan_frames(hansim_bin, tmp_path, key_file, records)


def test_run_with_set_faults_writes_the_faulty_frames(hansim_bin, tmp_path, key_file):
    out = tmp_path / "line.bin"
    proc = hansim(hansim_bin, "run", "--meter", "kamstrup-dk-3p", "--key-file", key_file, "--set", f"faults={PLAN}",
                  "--port", f"file:{out}", "--start", "2024-03-01T12:00:00Z", "--duration", "70s", "--speed", "100",
                  "--fast", "--quiet")
    assert proc.returncode == 0, proc.stderr
    records = decode(hansim_bin, tmp_path, out.read_bytes(), "--key-file", key_file, hex_input=False)
    assert len(records) == 7
    assert flagged(records) == {2: "authentication_failed", 4: "backwards"}


@pytest.mark.parametrize("fault", sorted(RECOGNISED))
def test_every_fault_is_generated_and_recognised(hansim_bin, tmp_path, key_file, fault):
    records = generate_jsonl(hansim_bin, "--meter", "kamstrup-dk-3p", "--key-file", key_file, "--faults", f"{fault}@3")
    assert [r["fault"] for r in records] == [None, None, None, fault, None, None, None]
    decoded = decode(hansim_bin, tmp_path, "".join(r["hex"] + "\n" for r in records), "--key-file", key_file)
    field, value = RECOGNISED[fault]
    assert flagged(decoded) == {3: value}
    assert decoded[3][field] == value


@pytest.mark.parametrize("args, needles", [
    (["--meter", "kamstrup-no-3p", "--faults", "corrupted_tag@2"], ["faults", "security is none"]),
    (["--meter", "kamstrup-dk-3p", "--faults", "corruptd_tag@2"], ["--faults", "corruptd_tag", "did you mean corrupted_tag?"]),
    (["--meter", "kamstrup-dk-3p", "--security", "encrypt", "--faults", "corrupted_tag@2"], ["faults", "SC 0x20"]),
    (["--meter", "kamstrup-dk-3p", "--faults", "counter_stuck@0"], ["faults", "frame 0"]),
    (["--meter", "kamstrup-dk-3p", "--faults", "sc_mismatch@5-1"], ["--faults", "before its start"]),
])
def test_inapplicable_or_bad_fault_plans_are_configuration_errors(bad_input, key_file, args, needles):
    bad_input.cli("generate", "--key-file", key_file, *args, expect=needles)


def test_run_refuses_faults_on_a_plain_meter(bad_input):
    bad_input.cli("run", "--meter", "kamstrup-no-3p", "--set", "faults=corrupted_tag@1",
                  "--port", "file:{tmp}/x.bin", "--duration", "10s", "--fast", expect=["faults", "security"])
