// Byte-for-byte checks against the worked vectors (PROTOCOLS.md §5.4, §6.7) and the real
// Danish capture: decrypt to the published plaintext, re-encrypt with the same IC to the same
// bytes.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "hansim/codec/apdu/llc.hpp"
#include "hansim/security/glo_cipher.hpp"
#include "hansim/security/p1_cipher.hpp"
#include "test_data.hpp"

using namespace hansim;
using namespace hansim::security;
using hansim::test::data_dir;
using hansim::test::read_hex;
using hansim::test::read_text;

namespace {

aes_key key(const std::string& hex) { return parse_key_hex(hex, "test key"); }

system_title title(const std::string& hex) {
    const auto b = codec::from_hex(hex);
    system_title t{};
    std::copy(b.begin(), b.end(), t.begin());
    return t;
}

const security_keys vector_keys{key("000102030405060708090A0B0C0D0E0F"), key("D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF")};
const system_title vector_title = title("4B414D4500BC614E");
const codec::bytes small_apdu =
    codec::from_hex("0F000000000C07E8010F010D2D14FF800000020209060101010700FF0600000000");

/// The APDU inside a single unsegmented HDLC frame with 1-byte addresses:
/// 7E | format(2) | dest | src | ctrl | HCS(2) | LLC E6 E7 00 | APDU | FCS(2) | 7E.
codec::bytes apdu_of_hdlc_frame(const codec::bytes& frame) {
    EXPECT_GE(frame.size(), 14u);
    EXPECT_EQ(frame.front(), 0x7E);
    EXPECT_EQ(frame.back(), 0x7E);
    const codec::byte_view information = codec::byte_view(frame).subspan(8, frame.size() - 8 - 3);
    const auto apdu = codec::apdu::strip_llc(information, 8);
    EXPECT_TRUE(apdu.ok()) << apdu.error().message;
    return codec::bytes(apdu->begin(), apdu->end());
}

void expect_vector(const char* file, std::uint32_t ic, std::uint8_t sc) {
    SCOPED_TRACE(file);
    const auto expected = read_hex(data_dir() / "vectors" / file);
    EXPECT_EQ(codec::to_hex(glo_protect(small_apdu, vector_keys, vector_title, ic, sc)), codec::to_hex(expected));

    const auto opened = glo_unprotect(expected, vector_keys);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    EXPECT_EQ(opened->apdu, small_apdu);
    EXPECT_EQ(opened->invocation_counter, ic);
    EXPECT_EQ(opened->security_control, sc);
    EXPECT_EQ(opened->title, vector_title);
    EXPECT_EQ(opened->tag, 0xDB);
    EXPECT_EQ(opened->length_form, codec::axdr::length_form::forced_82);
}

}  // namespace

TEST(glo_vectors, small_apdu_encrypt_authenticate_0x30) { expect_vector("small_glo_apdu.hex", 0x00012346, 0x30); }
TEST(glo_vectors, small_apdu_encrypt_only_0x20) { expect_vector("small_glo_enc_only.hex", 0x00012347, 0x20); }
TEST(glo_vectors, small_apdu_authenticate_only_0x10) { expect_vector("small_glo_auth_only.hex", 0x00012348, 0x10); }

TEST(glo_vectors, nve_list1_in_hdlc_0x30) {
    const auto plain_frame = read_hex(data_dir() / "vectors" / "nve_list1_3ph.hex");
    const auto glo_frame = read_hex(data_dir() / "vectors" / "nve_list1_3ph_glo_0x30.hex");
    const auto plaintext = apdu_of_hdlc_frame(plain_frame);
    const auto ciphered = apdu_of_hdlc_frame(glo_frame);
    ASSERT_EQ(plaintext.size(), 214u);

    const auto opened = glo_unprotect(ciphered, vector_keys, 11);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    EXPECT_EQ(opened->apdu, plaintext);
    EXPECT_EQ(opened->invocation_counter, 0x00012345u);
    EXPECT_EQ(codec::to_hex(glo_protect(plaintext, vector_keys, vector_title, 0x00012345, 0x30)),
              codec::to_hex(ciphered));
}

TEST(glo_vectors, luxembourg_p1_fixed_authentication_key) {
    const auto frame = read_hex(data_dir() / "vectors" / "lux_p1_glo.hex");
    const std::string telegram = read_text(data_dir() / "vectors" / "p1_kam5_minimal.txt");
    const auto lux_title = title("5341471122334455");
    EXPECT_EQ(codec::to_hex(p1_protect(telegram, vector_keys.encryption_key, lux_title, 0x0000ABCD)),
              codec::to_hex(frame));

    const auto opened = p1_unprotect(frame, vector_keys.encryption_key);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    EXPECT_EQ(opened->telegram, telegram);
    EXPECT_EQ(opened->title, lux_title);
    EXPECT_EQ(opened->invocation_counter, 0x0000ABCDu);

    // Same thing through the general API with the fixed AK spelled out.
    const security_keys lux_keys{vector_keys.encryption_key, key("00112233445566778899AABBCCDDEEFF")};
    EXPECT_TRUE(glo_unprotect(frame, lux_keys).ok());
    // A configurable AK (T210-D-r style): the default one no longer verifies.
    const auto other_ak = vector_keys.authentication_key;
    const auto custom = p1_protect(telegram, vector_keys.encryption_key, lux_title, 0x0000ABCE, other_ak);
    EXPECT_TRUE(p1_unprotect(custom, vector_keys.encryption_key, other_ak).ok());
    const auto wrong = p1_unprotect(custom, vector_keys.encryption_key);
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.error().kind, unprotect_error_kind::authentication_failed);
}

TEST(glo_vectors, luxembourg_p1_requires_sc_0x30) {
    const std::string telegram = read_text(data_dir() / "vectors" / "p1_kam5_minimal.txt");
    const codec::byte_view text{reinterpret_cast<const std::uint8_t*>(telegram.data()), telegram.size()};
    const security_keys lux_keys{vector_keys.encryption_key, luxembourg_authentication_key};
    const auto auth_only = glo_protect(text, lux_keys, vector_title, 7, 0x10);
    const auto opened = p1_unprotect(auth_only, vector_keys.encryption_key);
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.error().kind, unprotect_error_kind::unsupported_security_control);
    EXPECT_EQ(opened.error().offset, 13u);
}

TEST(glo_vectors, real_danish_capture_decrypts_and_re_encrypts_identically) {
    const std::string stem = "kamstrup_dk_3p_dlmspush_encrypted_gpk_20200107T144720";
    const auto folder = data_dir() / "reference-frames";
    const auto frame = read_hex(folder / (stem + ".hex"));
    const auto expected_plaintext = read_hex(folder / (stem + ".plaintext_apdu.hex"));

    // The .keys.txt beside the capture is a notes file ("encryption_key (GUEK / gpk60) = <hex>"),
    // not a hansim key file; pick the two values out of it.
    const std::string notes = read_text(folder / (stem + ".keys.txt"));
    std::smatch m;
    ASSERT_TRUE(std::regex_search(notes, m, std::regex(R"(encryption_key[^=]*=\s*([0-9A-Fa-f]{32}))")));
    const aes_key ek = key(m[1]);
    ASSERT_TRUE(std::regex_search(notes, m, std::regex(R"(authentication_key[^=]*=\s*([0-9A-Fa-f]{32}))")));
    const aes_key ak = key(m[1]);
    const security_keys keys{ek, ak};

    const auto ciphered = apdu_of_hdlc_frame(frame);
    const auto opened = glo_unprotect(ciphered, keys, 11);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    EXPECT_EQ(codec::to_hex(opened->apdu), codec::to_hex(expected_plaintext));
    EXPECT_EQ(opened->invocation_counter, 0x000788E1u);
    EXPECT_EQ(opened->title, title("4B414D4501A4DC52"));
    EXPECT_EQ(opened->security_control, 0x30);

    EXPECT_EQ(codec::to_hex(glo_protect(opened->apdu, keys, opened->title, opened->invocation_counter, 0x30)),
              codec::to_hex(ciphered));
}
