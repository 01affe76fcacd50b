"""Independent check of hansim's suite-0 ciphering against python3-cryptography.

Our C++ (OpenSSL EVP) protects, cryptography opens and verifies; cryptography protects, our
C++ opens. Covers SC 0x30 (encrypt+authenticate), 0x10 (authenticate only: GMAC over
SC||AK||APDU) and 0x20 (encrypt only: AES-CTR from counter block IV||00000002, no tag).
"""
import random

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hansim import _hansim as native

EK = bytes.fromhex("000102030405060708090A0B0C0D0E0F")
AK = bytes.fromhex("D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF")
TITLE = bytes.fromhex("4B414D4500BC614E")
SMALL_APDU = bytes.fromhex("0F000000000C07E8010F010D2D14FF800000020209060101010700FF0600000000")


def split_envelope(wire: bytes):
    """(system title, SC, IC, payload) of a DB envelope with an 8-byte title and any length form."""
    assert wire[0] == 0xDB and wire[1] == 8
    title = wire[2:10]
    first = wire[10]
    if first < 0x80:
        length, at = first, 11
    else:
        n = first & 0x7F
        length, at = int.from_bytes(wire[11:11 + n], "big"), 11 + n
    content = wire[at:]
    assert len(content) == length
    return title, content[0], int.from_bytes(content[1:5], "big"), content[5:]


def envelope(title: bytes, sc: int, ic: int, payload: bytes) -> bytes:
    """Kamstrup form: DB 08 <title> 82 hh ll SC IC payload, written here without hansim."""
    content = bytes([sc]) + ic.to_bytes(4, "big") + payload
    return b"\xDB\x08" + title + b"\x82" + len(content).to_bytes(2, "big") + content


def gcm_open(key: bytes, iv: bytes, aad: bytes, ciphertext: bytes, tag12: bytes) -> bytes:
    decryptor = Cipher(algorithms.AES(key), modes.GCM(iv, tag12, min_tag_length=12)).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(ciphertext) + decryptor.finalize()


def ctr_from_block_2(key: bytes, iv: bytes, data: bytes) -> bytes:
    return Cipher(algorithms.AES(key), modes.CTR(iv + b"\x00\x00\x00\x02")).encryptor().update(data)


def random_cases(count: int):
    rng = random.Random(61)
    for _ in range(count):
        yield (rng.randbytes(16), rng.randbytes(16), rng.randbytes(8), rng.getrandbits(32),
               rng.randbytes(rng.choice([0, 1, 12, 16, 33, 214, 447])))


@pytest.mark.parametrize("case", list(random_cases(20)))
def test_sc_0x30_ours_verified_by_cryptography(case):
    ek, ak, title, ic, apdu = case
    wire = native.glo_protect(apdu, ek, ak, title, ic, 0x30)
    got_title, sc, got_ic, payload = split_envelope(wire)
    assert (got_title, sc, got_ic) == (title, 0x30, ic)
    iv = title + ic.to_bytes(4, "big")
    assert gcm_open(ek, iv, bytes([0x30]) + ak, payload[:-12], payload[-12:]) == apdu
    # The same bytes as cryptography's own encryption, tag truncated to 12.
    sealed = AESGCM(ek).encrypt(iv, apdu, bytes([0x30]) + ak)
    assert payload == sealed[:-16] + sealed[-16:-4]
    # A different AK must not verify.
    with pytest.raises(InvalidTag):
        gcm_open(ek, iv, bytes([0x30]) + bytes(16), payload[:-12], payload[-12:])


@pytest.mark.parametrize("case", list(random_cases(10)))
def test_sc_0x10_ours_verified_by_cryptography(case):
    ek, ak, title, ic, apdu = case
    wire = native.glo_protect(apdu, ek, ak, title, ic, 0x10)
    _, sc, _, payload = split_envelope(wire)
    assert sc == 0x10
    assert payload[:-12] == apdu  # sent in clear
    iv = title + ic.to_bytes(4, "big")
    assert gcm_open(ek, iv, bytes([0x10]) + ak + apdu, b"", payload[-12:]) == b""


@pytest.mark.parametrize("case", list(random_cases(10)))
def test_sc_0x20_ours_decrypted_with_aes_ctr(case):
    ek, ak, title, ic, apdu = case
    wire = native.glo_protect(apdu, ek, ak, title, ic, 0x20)
    _, sc, _, payload = split_envelope(wire)
    assert sc == 0x20 and len(payload) == len(apdu)  # no tag
    assert ctr_from_block_2(ek, title + ic.to_bytes(4, "big"), payload) == apdu


@pytest.mark.parametrize("case", list(random_cases(10)))
def test_cryptography_protects_we_open(case):
    ek, ak, title, ic, apdu = case
    iv = title + ic.to_bytes(4, "big")
    sealed = AESGCM(ek).encrypt(iv, apdu, bytes([0x30]) + ak)
    opened = native.glo_unprotect(envelope(title, 0x30, ic, sealed[:-4]), ek, ak)
    assert opened == {"apdu": apdu, "system_title": title, "invocation_counter": ic, "security_control": 0x30,
                      "tag": 0xDB}

    gmac = AESGCM(ek).encrypt(iv, b"", bytes([0x10]) + ak + apdu)
    assert native.glo_unprotect(envelope(title, 0x10, ic, apdu + gmac[:12]), ek, ak)["apdu"] == apdu

    ciphertext = ctr_from_block_2(ek, iv, apdu)
    assert native.glo_unprotect(envelope(title, 0x20, ic, ciphertext), ek, ak)["apdu"] == apdu


def test_worked_vectors_agree(data_dir):
    vectors = data_dir / "vectors"
    for name, sc, ic in [("small_glo_apdu.hex", 0x30, 0x12346), ("small_glo_enc_only.hex", 0x20, 0x12347),
                         ("small_glo_auth_only.hex", 0x10, 0x12348)]:
        wire = bytes.fromhex((vectors / name).read_text())
        assert native.glo_protect(SMALL_APDU, EK, AK, TITLE, ic, sc) == wire, name
        assert native.glo_unprotect(wire, EK, AK)["apdu"] == SMALL_APDU, name
    lux = bytes.fromhex((vectors / "lux_p1_glo.hex").read_text())
    telegram = (vectors / "p1_kam5_minimal.txt").read_bytes()
    assert native.p1_unprotect(lux, EK)["telegram"] == telegram
    assert native.p1_protect(telegram, EK, bytes.fromhex("5341471122334455"), 0xABCD) == lux
    # cryptography agrees on the Luxembourg frame with the public fixed AK
    _, _, ic, payload = split_envelope(lux)
    fixed_ak = bytes.fromhex("00112233445566778899AABBCCDDEEFF")
    assert gcm_open(EK, lux[2:10] + ic.to_bytes(4, "big"), b"\x30" + fixed_ak, payload[:-12], payload[-12:]) == telegram


def test_errors_carry_kind_and_offset():
    wire = bytearray(native.glo_protect(SMALL_APDU, EK, AK, TITLE, 1, 0x30))
    wire[-1] ^= 1
    with pytest.raises(native.UnprotectError) as caught:
        native.glo_unprotect(bytes(wire), EK, AK)
    message, kind, offset = caught.value.args
    assert kind == "authentication_failed" and offset == len(wire) - 12 and "offset" in message
    assert isinstance(caught.value, ValueError)

    with pytest.raises(native.UnprotectError) as caught:
        native.glo_unprotect(bytes(wire[:-1]), EK, AK)
    assert caught.value.args[1:] == ("malformed", 10)

    with pytest.raises(ValueError, match="encryption_key must be 16 bytes, got 3"):
        native.glo_protect(SMALL_APDU, b"abc", AK, TITLE, 1)


def test_faults_from_python_are_recognised():
    assert len(native.CIPHER_FAULTS) == 10
    for fault in ["wrong_encryption_key", "wrong_authentication_key", "corrupted_tag", "foreign_system_title",
                  "sc_mismatch"]:
        wire, ic, description = native.protect_with_fault(fault, SMALL_APDU, EK, AK, TITLE, 101, previous_counter=100)
        assert description.startswith(fault)
        with pytest.raises(native.UnprotectError) as caught:
            native.glo_unprotect(wire, EK, AK)
        assert caught.value.args[1] == "authentication_failed", fault
    wire, ic, _ = native.protect_with_fault("counter_stuck", SMALL_APDU, EK, AK, TITLE, 101, previous_counter=100)
    assert ic == 100 and native.glo_unprotect(wire, EK, AK)["invocation_counter"] == 100
    with pytest.raises(ValueError, match="previous frame"):
        native.protect_with_fault("counter_stuck", SMALL_APDU, EK, AK, TITLE, 101)
