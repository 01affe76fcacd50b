"""Every scenario shipped in scenarios/ runs as shipped (issue 8): `hansim generate --scenario`
and `hansim run --scenario` (short, fast, on a file) in place from the repository, with no key
in the environment (the example keys beside them) and the state folder in the test's own
temporary directory. The output is decoded (`hansim decode`, or the independent decoder for
the key change) and each example is checked for what its header says it shows. Nothing is
written into the repository and no invocation counter repeats."""
import datetime
import json
import os
import pathlib
import subprocess

import pytest
import yaml

from independent_decoder import decode_hdlc, decode_notification, glo_decrypt, split_hdlc_stream

REPO = pathlib.Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "scenarios"
SHIPPED = sorted(p.name for p in SCENARIOS.glob("*.yaml"))
EXAMPLE_KEYS = SCENARIOS / "example-keys.txt"
NEW_KEYS = SCENARIOS / "example-keys-new.txt"


def read_keys(path):
    keys = dict(line.split("=", 1) for line in path.read_text().splitlines() if line and not line.startswith("#"))
    return bytes.fromhex(keys["encryption_key"]), bytes.fromhex(keys["authentication_key"])


def env_for(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HANSIM_")}
    env["TMPDIR"] = str(tmp_path)  # the default state folder lands in the test's own folder
    return env


def hansim(hansim_bin, *args, tmp_path, stdin=None, timeout=300):
    proc = subprocess.run([str(hansim_bin), *map(str, args)], input=stdin, capture_output=True, cwd=tmp_path,
                          env=env_for(tmp_path), timeout=timeout)
    assert proc.returncode == 0, proc.stderr.decode()
    return proc


def decode(hansim_bin, stream, tmp_path):
    proc = hansim(hansim_bin, "decode", "--key-file", EXAMPLE_KEYS, tmp_path=tmp_path, stdin=stream)
    records = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert records and not [r for r in records if "error" in r], records[:3]
    return records


def at(record):
    """The meter's local time of a decoded HDLC record (or a P1 telegram's)."""
    text = record["date_time"] if "date_time" in record else record["values"]["0-0:1.0.0"]["time"]
    return datetime.datetime.fromisoformat(text)


def of_list(records, name):
    return [r for r in records if r.get("list") == name]


# ---- what each example shows, checked on decoded frames ----

def check_default(records, stream):
    list2 = of_list(records, "list2")
    assert len(of_list(records, "list1")) >= 300 and list2
    assert list2[0]["values"]["1-1:1.8.0.255"] == 1234567  # the scenario's initial A+


def check_many_meters(records, stream):
    assert {r["list"] for r in records} == {"list1", "list2", "push1"}
    ct = of_list(records, "push1")[0]["values"]
    assert ct["1-1:2.7.0.255"] > 0 and ct["1-1:31.7.0.255"] > 9000  # exporting, 0.001 A


def check_se_p1(records, stream):
    assert {r["ident"].split("\\")[0] for r in records} == {"KAM5", "ELL5"}


def check_dk_encrypted_push1(records, stream):
    push1 = of_list(records, "push1")
    counters = [r["invocation_counter"] for r in push1]
    assert counters == sorted(set(counters)) and len(counters) == len(records)
    first = push1[0]["values"]
    phases = sum(first[k] for k in ("1-1:21.8.0.255", "1-1:41.8.0.255", "1-1:61.8.0.255"))
    assert phases == first["1-1:1.8.0.255"]  # per-phase registers add up from the first frame


def check_no_house_day(records, stream):
    list1 = {at(r).strftime("%H:%M:%S"): r["values"] for r in of_list(records, "list1")}
    before, after = list1["17:29:50"]["1-1:1.7.0.255"], list1["17:30:00"]["1-1:1.7.0.255"]
    assert before < 5000 and after - before > 7000  # the EV charger at 17:30
    assert list1["21:00:00"]["1-1:1.7.0.255"] < list1["20:59:50"]["1-1:1.7.0.255"] - 7000
    noon = list1["12:00:00"]
    assert noon["1-1:2.7.0.255"] > 3000 and noon["1-1:1.7.0.255"] == 0  # the panels export
    a_minus = {at(r).hour: r["values"]["1-1:2.8.0.255"] for r in of_list(records, "list2")}
    assert a_minus[9] < a_minus[12] < a_minus[15]


def check_se_p1_solar(records, stream):
    by_hour = {}
    for r in records:
        by_hour.setdefault(at(r).hour, r["values"])  # the first telegram of each hour
    noon, night = by_hour[13], by_hour[3]
    assert noon["0-0:1.0.0"]["dst"] is True  # CEST in May
    assert noon["1-0:2.7.0"]["value"] > 2 and noon["1-0:1.7.0"]["value"] == 0
    assert night["1-0:2.7.0"]["value"] == 0 and night["1-0:1.7.0"]["value"] > 0
    assert records[-1]["values"]["1-0:2.8.0"]["value"] > records[0]["values"]["1-0:2.8.0"]["value"] + 10


def check_dst_spring(records, stream):
    stamps = [(at(r).strftime("%H:%M:%S"), status) for r, status in zip(of_list(records, "list2"),
                                                                          list2_status(stream))]
    assert stamps[:4] == [("00:00:05", 0x00), ("01:00:05", 0x00), ("03:00:05", 0x80), ("04:00:05", 0x80)]


def check_dst_autumn(records, stream):
    stamps = [(at(r).strftime("%H:%M:%S"), status) for r, status in zip(of_list(records, "list2"),
                                                                          list2_status(stream))]
    assert stamps[:5] == [("00:00:05", 0x80), ("01:00:05", 0x80), ("02:00:05", 0x80), ("02:00:05", 0x00),
                          ("03:00:05", 0x00)]


def list2_status(stream):
    """The clock status byte of each list 2, read by the independent decoder."""
    out = []
    for frame in split_hdlc_stream(stream):
        note = decode_notification(decode_hdlc(frame).information[3:])
        if len(note.body) == 35:
            out.append(note.date_time[11])
    return out


def check_outage_and_port_cut(records, stream):
    list1 = [at(r) for r in of_list(records, "list1")]
    day = list1[0].replace(hour=0, minute=0, second=0)

    def hhmm(h, m, s=0):
        return day + datetime.timedelta(hours=h, minutes=m, seconds=s)
    assert not [t for t in list1 if hhmm(8, 0) <= t < hhmm(8, 20)], "frames during the outage"
    assert not [t for t in list1 if hhmm(9, 0) <= t < hhmm(9, 10)], "frames during the port cut"
    assert hhmm(8, 20) in list1 and hhmm(9, 10) in list1 and hhmm(7, 59, 50) in list1
    a_plus = {at(r).hour: r["values"]["1-1:1.8.0.255"] for r in of_list(records, "list2")}
    assert 8 not in a_plus and 9 not in a_plus  # both hourly lists fell in silent time
    # 3 kW: the 20 silent minutes of the outage used nothing; the port cut's 10 minutes did.
    assert abs((a_plus[10] - a_plus[7]) - 800) <= 2, a_plus


def check_no_it_grid(records, stream):
    for r in of_list(records, "list1"):
        volts = [r["values"][k] for k in ("1-1:32.7.0.255", "1-1:52.7.0.255", "1-1:72.7.0.255")]
        assert all(215 <= v <= 245 for v in volts), volts  # line-to-line on 3 x 230 V, not 400 V
    assert of_list(records, "list1")[0]["values"]["1-1:96.1.1.255"][5] == "2"


def check_se_p1_every_meter(records, stream):
    assert len(records) == 7 * 6  # seven meters, a telegram every 10 s for a minute
    idents = [r["ident"] for r in records]
    for start in ("KAM5", "ELL5", "LGF5E360", "XXX5A300", "XXX5S34U18"):
        assert sum(i.startswith(start) for i in idents) == 6, (start, set(idents))
    # Both Kaifas show the one Kaifa ident seen in public (`hansim profiles` says so).
    assert idents.count("KFM5KAIFA-METER") == 12


def check_dk_key_change(records, stream):
    """Decoded independently: which keys open each frame, by the meter's time."""
    old, new = read_keys(EXAMPLE_KEYS), read_keys(NEW_KEYS)
    seen, counters = [], []
    for frame in split_hdlc_stream(stream):
        apdu = decode_hdlc(frame).information[3:]
        if apdu[0] == 0x0F:
            opened, how = apdu, "plain"
        else:
            counters.append(int.from_bytes(apdu[2 + apdu[1] + 4:2 + apdu[1] + 8], "big"))
            try:
                opened, how = glo_decrypt(apdu, *old), "old"
            except Exception:
                opened, how = glo_decrypt(apdu, *new), "new"
        minute = decode_notification(opened).date_time[6]
        seen.append((minute // 10, how))
    assert {(m, how) for m, how in seen} == {(0, "old"), (1, "new"), (2, "plain"), (3, "new")}, sorted(set(seen))
    assert counters == sorted(set(counters))  # one counter across the key change, never repeated


CHECKS = {
    "default.yaml": ("1h", ["--start", "2024-01-15T00:00:00Z"], check_default),
    "many-meters.yaml": ("10m", [], check_many_meters),
    "se-p1.yaml": ("10m", [], check_se_p1),
    "dk-encrypted-push1.yaml": ("10m", [], check_dk_encrypted_push1),
    "no-house-day.yaml": ("1d", [], check_no_house_day),
    "se-p1-solar.yaml": ("1d", [], check_se_p1_solar),
    "dk-key-change.yaml": ("40m", [], check_dk_key_change),
    "dst-spring.yaml": ("5h", [], check_dst_spring),
    "dst-autumn.yaml": ("5h", [], check_dst_autumn),
    "outage-and-port-cut.yaml": ("5h", [], check_outage_and_port_cut),
    "no-it-grid.yaml": ("10m", [], check_no_it_grid),
    "se-p1-every-meter.yaml": ("1m", [], check_se_p1_every_meter),
}


def repo_scenarios():
    return sorted((str(p.relative_to(REPO)), p.stat().st_mtime_ns) for p in SCENARIOS.rglob("*"))


def test_every_shipped_scenario_has_a_check_and_a_header():
    assert sorted(CHECKS) == SHIPPED, "a scenario in scenarios/ without a check here (or a check without a file)"
    for name in SHIPPED:
        text = (SCENARIOS / name).read_text()
        assert text.startswith("# ") and len(text.split("\n# ")) >= 3, f"{name}: no comment header saying what it shows"


def test_the_files_scenarios_name_are_shipped_and_tracked():
    """A fresh clone has every file a scenario reads (keys, events' files); the keys are
    marked as examples."""
    tracked = subprocess.run(["git", "ls-files", "scenarios"], cwd=REPO, capture_output=True, text=True)
    for name in SHIPPED:
        for meter in yaml.safe_load((SCENARIOS / name).read_text())["meters"]:
            files = [meter["key_file"]] if "key_file" in meter else []
            files += [e["key_change"] for e in meter.get("events", []) if "key_change" in e]
            for f in files:
                assert (SCENARIOS / f).exists(), (name, f)
                assert "EXAMPLE KEYS" in (SCENARIOS / f).read_text(), (name, f)
                if tracked.returncode == 0 and tracked.stdout:
                    assert f"scenarios/{f}" in tracked.stdout.split(), f"{f} is not in git: a clone would lack it"


@pytest.mark.parametrize("name", SHIPPED)
def test_generate_runs_the_example_as_shipped(hansim_bin, tmp_path, name):
    duration, extra, check = CHECKS[name]
    before = repo_scenarios()
    stream = hansim(hansim_bin, "generate", "--scenario", SCENARIOS / name, "--duration", duration, "--format", "raw",
                    *extra, tmp_path=tmp_path).stdout
    records = decode(hansim_bin, stream, tmp_path) if name != "dk-key-change.yaml" else []
    check(records, stream)
    assert repo_scenarios() == before, f"{name}: generate wrote into scenarios/"


def seconds(duration):
    return {"m": 60, "h": 3600, "d": 86400}[duration[-1]] * int(duration[:-1])


@pytest.mark.parametrize("name", SHIPPED)
def test_run_runs_the_example_as_shipped(hansim_bin, tmp_path, name):
    """`hansim run` of each example, fast, on files (its ports replaced), over the same period
    as generate: decoded, it shows the same thing. A second short run continues the
    invocation counters from the state folder."""
    duration, extra, check = CHECKS[name]
    before = repo_scenarios()
    out = tmp_path / "out"
    out.mkdir()
    counters = []
    for round_, length in ((1, duration), (2, "1m")):
        speed = max(600, seconds(length) // 2)  # about two seconds of wall time at most
        proc = hansim(hansim_bin, "run", "--scenario", SCENARIOS / name, "--port", f"file:{out}/r{round_}-{{n}}.bin",
                      "--duration", length, "--speed", speed, "--fast", "--quiet", *extra, tmp_path=tmp_path)
        assert b"sent" in proc.stdout + proc.stderr
        files = sorted(out.glob(f"r{round_}-*.bin"))
        meters = len(yaml.safe_load((SCENARIOS / name).read_text())["meters"])
        assert len(files) == (meters if meters > 1 else 1)
        if round_ == 1 and name == "dk-key-change.yaml":
            check([], files[0].read_bytes())
            continue
        records = [r for f in files for r in decode(hansim_bin, f.read_bytes(), tmp_path)]
        if round_ == 1:
            check(records, b"".join(f.read_bytes() for f in files))
        assert len(records) >= 6 * meters, (name, len(records))
        counters += [r["invocation_counter"] for r in records if "invocation_counter" in r]
    assert len(counters) == len(set(counters)), f"{name}: an invocation counter repeated"
    if name in ("dk-encrypted-push1.yaml", "dk-key-change.yaml"):
        assert counters and (tmp_path / f"hansim-state-{os.getuid()}").is_dir()
    assert repo_scenarios() == before, f"{name}: run wrote into scenarios/"
