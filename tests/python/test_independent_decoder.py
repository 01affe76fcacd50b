"""The independent decoder itself must agree with the worked vectors, or it checks nothing."""
from independent_decoder import crc16_arc, crc16_x25, decode_hdlc, decode_notification, decode_p1, glo_decrypt

EK = bytes.fromhex("000102030405060708090A0B0C0D0E0F")
AK = bytes.fromhex("D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF")


def test_check_values():
    assert crc16_x25(b"123456789") == 0x906E
    assert crc16_arc(b"123456789") == 0xBB3D


def test_vector_list1(data_dir):
    frame = bytes.fromhex((data_dir / "vectors" / "nve_list1_3ph.hex").read_text())
    hdlc = decode_hdlc(frame)
    assert hdlc.information[:3] == b"\xE6\xE7\x00"
    note = decode_notification(hdlc.information[3:])
    assert note.values["1-1:1.7.0.255"] == 1234
    assert note.values["1-1:0.0.5.255"] == "5706567123456784"


def test_vector_glo(data_dir):
    frame = bytes.fromhex((data_dir / "vectors" / "nve_list1_3ph_glo_0x30.hex").read_text())
    plain = glo_decrypt(decode_hdlc(frame).information[3:], EK, AK)
    assert decode_notification(plain).values["1-1:31.7.0.255"] == 567


def test_vector_p1(data_dir):
    ident, values = decode_p1((data_dir / "vectors" / "p1_kam5_example.txt").read_bytes())
    assert ident == "KAM5"
    assert values["1-0:1.8.0"] == "00123456.789*kWh"
