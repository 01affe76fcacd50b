"""DLMS push 1 per-phase energy registers (issue 8, "fix on the way"): the phases start as a
split of the configured totals and add up to them from the first frame, as in the real
Danish capture; the split is a setting. Checked on the wire with the independent decoder
(ciphered frames opened with python3-cryptography) and with `hansim decode`."""
import json
import os
import pathlib
import subprocess

import pytest

from independent_decoder import decode_hdlc, decode_notification, glo_decrypt, split_hdlc_stream

REPO = pathlib.Path(__file__).resolve().parents[2]
FRAMES = REPO / "tests" / "data" / "reference-frames"
EK = bytes(range(16))
AK = bytes(range(0xD0, 0xE0))
KEY_ENV = {"HANSIM_ENCRYPTION_KEY": EK.hex(), "HANSIM_AUTHENTICATION_KEY": AK.hex()}

TOTAL = {"+": "1-1:1.8.0.255", "-": "1-1:2.8.0.255"}
PHASES = {"+": ("1-1:21.8.0.255", "1-1:41.8.0.255", "1-1:61.8.0.255"),
          "-": ("1-1:22.8.0.255", "1-1:42.8.0.255", "1-1:62.8.0.255")}


def registers(values):
    """(A+, A-, [A+ L1..L3], [A- L1..L3]) of decoded push 1 values; absent phases count 0."""
    return (values[TOTAL["+"]], values[TOTAL["-"]],
            [values.get(k, 0) for k in PHASES["+"]], [values.get(k, 0) for k in PHASES["-"]])


def generate(hansim_bin, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HANSIM_")}
    env.update(KEY_ENV)
    proc = subprocess.run([str(hansim_bin), "generate", "--format", "raw", *map(str, args)], capture_output=True,
                          timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stdout


def decoded(stream):
    """Every push 1 frame's values, by the independent decoder (deciphering when ciphered)."""
    out = []
    for frame in split_hdlc_stream(stream):
        apdu = decode_hdlc(frame).information[3:]  # after the LLC header E6 E7 00
        if apdu[0] == 0xDB:
            apdu = glo_decrypt(apdu, EK, AK)
        out.append(decode_notification(apdu).values)
    return out


def test_the_real_captures_keep_phases_and_total_together():
    """The evidence: in every three-phase push 1 capture the per-phase registers net to the
    total (A+ - A-) within the read-out of three registers; the Danish household meter's
    A+ phases add up to its A+ within one step."""
    for name in ("kamstrup_dk_3p_dlmspush_encrypted_gpk_20200107T144720.plaintext_apdu.hex",
                 "kamstrup_ch_3p_dlmspush_apdu_plaintext_amsreader-gh350-2.hex"):
        apdu = bytes.fromhex((FRAMES / name).read_text())
        plus, minus, phase_plus, phase_minus = registers(decode_notification(apdu).values)
        assert abs((sum(phase_plus) - sum(phase_minus)) - (plus - minus)) <= 2, name
    dk = decode_notification(bytes.fromhex(
        (FRAMES / "kamstrup_dk_3p_dlmspush_encrypted_gpk_20200107T144720.plaintext_apdu.hex").read_text())).values
    plus, _, phase_plus, _ = registers(dk)
    assert 0 <= plus - sum(phase_plus) <= 2 and min(phase_plus) > 0.3 * plus  # 866636 vs 288932+288652+289051


@pytest.mark.parametrize("profile", ["kamstrup-dk-3p", "kamstrup-dk-1p", "kamstrup-ch-3p", "kamstrup-dk-3p-ct"])
def test_phases_add_up_to_the_total_from_the_first_frame(hansim_bin, profile):
    # Three hours around noon with panels that export: all four active registers move.
    frames = decoded(generate(hansim_bin, "--meter", profile, "--start", "2024-06-01T09:30:00Z", "--duration", "3h",
                              "--load", "solar:300:1500:9000", "--set", "initial_energy=12345675:2000500"))
    assert len(frames) == 3 * 360
    plus, minus, phase_plus, phase_minus = registers(frames[0])
    assert (plus, minus) == (1234567, 200050)  # 10 Wh registers
    assert (sum(phase_plus), sum(phase_minus)) == (plus, minus)  # exactly, at the very first frame
    if profile == "kamstrup-dk-1p":
        assert "1-1:41.8.0.255" not in frames[0]
    else:
        assert min(phase_plus) > 0 and min(phase_minus) > 0
    for values in frames:
        plus, minus, phase_plus, phase_minus = registers(values)
        # Each register floors its own energy: three phases may read up to two steps apart.
        assert abs((sum(phase_plus) - sum(phase_minus)) - (plus - minus)) <= 2, values
    assert registers(frames[-1])[1] > 200050 + 100  # the panels did export (more than 1 kWh)


def test_the_split_is_a_setting(hansim_bin, tmp_path):
    stream = generate(hansim_bin, "--meter", "kamstrup-dk-3p", "--duration", "10s", "--set", "initial_energy=600000",
                      "--set", "initial_phase_split=1:2:3")
    plus, _, phase_plus, _ = registers(decoded(stream)[0])
    assert plus == 60000 and phase_plus == [10000, 20000, 30000]
    equal = generate(hansim_bin, "--meter", "kamstrup-dk-3p", "--duration", "10s", "--initial-phase-split", "equal")
    plus, _, phase_plus, _ = registers(decoded(equal)[0])
    assert sum(phase_plus) == plus and max(phase_plus) - min(phase_plus) <= 1

    # Given per phase in a scenario: taken as written (a meter whose history is known).
    (tmp_path / "s.yaml").write_text(
        "start: 2024-01-07T14:47:20Z\nmeters:\n  - name: dk\n    profile: kamstrup-dk-3p\n    security: none\n"
        "    initial_energy: { active_import_wh: 8666360 }\n    initial_phase_energy:\n"
        "      - { active_import_wh: 2889320 }\n      - { active_import_wh: 2886520 }\n"
        "      - { active_import_wh: 2890510 }\n")
    proc = subprocess.run(f"'{hansim_bin}' generate --scenario s.yaml --duration 10s --format raw | '{hansim_bin}' decode",
                          shell=True, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    values = json.loads(proc.stdout.splitlines()[0])["values"]
    assert [values[k] for k in PHASES["+"]] == [288932, 288652, 289051]
    assert values[TOTAL["+"]] == 866636


def test_a_bad_split_names_the_setting(bad_input, tmp_path):
    bad_input.cli("generate", "--meter", "kamstrup-dk-3p", "--set", "initial_phase_split=1:2", "--duration", "10s",
                  expect=["initial_phase_split", "W1:W2:W3"], code=2)
