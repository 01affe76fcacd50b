#include <gtest/gtest.h>

#include <vector>

#include "hansim/security/aes_gcm.hpp"

using namespace hansim;
using namespace hansim::security;

namespace {
aes_key key_from(const char* hex) {
    const auto b = codec::from_hex(hex);
    aes_key k{};
    std::copy(b.begin(), b.end(), k.begin());
    return k;
}
gcm_iv iv_from(const char* hex) {
    const auto b = codec::from_hex(hex);
    gcm_iv iv{};
    std::copy(b.begin(), b.end(), iv.begin());
    return iv;
}
}  // namespace

// NIST GCM test case 4 (McGrew & Viega), truncated to AES-128 with 60-byte plaintext and AAD.
TEST(aes_gcm, nist_test_case_4) {
    const auto key = key_from("feffe9928665731c6d6a8f9467308308");
    const auto iv = iv_from("cafebabefacedbaddecaf888");
    const auto plaintext = codec::from_hex(
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
    const auto aad = codec::from_hex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
    const auto sealed = aes128_gcm_seal(key, iv, aad, plaintext);
    EXPECT_EQ(codec::to_hex(sealed.ciphertext),
              "42831EC2217774244B7221B784D0D49CE3AA212F2C02A4E035C17E2329ACA12E21D514B25466931C7D8F6A5AAC84AA051BA30B396A0AAC973D58E091");
    EXPECT_EQ(codec::to_hex(sealed.tag), "5BC94FBC3221A5DB94FAE95AE7121A47");

    const auto opened = aes128_gcm_open(key, iv, aad, sealed.ciphertext, codec::byte_view(sealed.tag).first(12));
    ASSERT_TRUE(opened.has_value());
    EXPECT_EQ(*opened, plaintext);
}

TEST(aes_gcm, open_rejects_any_flipped_bit_of_tag_ciphertext_or_aad) {
    const auto key = key_from("000102030405060708090A0B0C0D0E0F");
    const auto iv = iv_from("4B414D4500BC614E00012345");
    const codec::bytes aad{0x30, 0xD0, 0xD1};
    const codec::bytes plaintext{1, 2, 3, 4, 5, 6, 7, 8};
    const auto sealed = aes128_gcm_seal(key, iv, aad, plaintext);
    const codec::bytes tag(sealed.tag.begin(), sealed.tag.begin() + 12);
    for (std::size_t bit = 0; bit < tag.size() * 8; ++bit) {
        auto bad = tag;
        bad[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
        EXPECT_FALSE(aes128_gcm_open(key, iv, aad, sealed.ciphertext, bad)) << "tag bit " << bit;
    }
    for (std::size_t bit = 0; bit < plaintext.size() * 8; ++bit) {
        auto bad = sealed.ciphertext;
        bad[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
        EXPECT_FALSE(aes128_gcm_open(key, iv, aad, bad, tag)) << "ciphertext bit " << bit;
    }
    auto bad_aad = aad;
    bad_aad[0] = 0x20;
    EXPECT_FALSE(aes128_gcm_open(key, iv, bad_aad, sealed.ciphertext, tag));
}

TEST(aes_gcm, tag_length_outside_4_to_16_is_rejected) {
    const aes_key key{};
    const gcm_iv iv{};
    const codec::bytes three(3), seventeen(17);
    EXPECT_THROW((void)aes128_gcm_open(key, iv, {}, {}, three), std::invalid_argument);
    EXPECT_THROW((void)aes128_gcm_open(key, iv, {}, {}, seventeen), std::invalid_argument);
}

TEST(aes_gcm, keystream_equals_gcm_ciphertext_and_is_its_own_inverse) {
    const auto key = key_from("000102030405060708090A0B0C0D0E0F");
    const auto iv = iv_from("4B414D4500BC614E00012347");
    codec::bytes plaintext(100);
    for (std::size_t i = 0; i < plaintext.size(); ++i) plaintext[i] = static_cast<std::uint8_t>(i * 7);
    const auto ct = aes128_gcm_keystream_xor(key, iv, plaintext);
    EXPECT_EQ(ct, aes128_gcm_seal(key, iv, {}, plaintext).ciphertext);
    EXPECT_EQ(aes128_gcm_keystream_xor(key, iv, ct), plaintext);
}

TEST(aes_gcm, iv_is_system_title_then_big_endian_counter) {
    const std::array<std::uint8_t, 8> title{0x4B, 0x41, 0x4D, 0x45, 0x00, 0xBC, 0x61, 0x4E};
    EXPECT_EQ(codec::to_hex(make_gcm_iv(title, 0x00012345)), "4B414D4500BC614E00012345");
}

// Contexts are kept set up per key and direction (a few per thread) and restarted with each
// IV: any mix of keys, more than are kept, directions, failed opens and keystream calls
// gives what a fresh context gives: the NIST vector again, and each key's own result.
TEST(aes_gcm, reused_contexts_give_what_fresh_ones_give) {
    const auto nist_key = key_from("feffe9928665731c6d6a8f9467308308");
    const auto nist_iv = iv_from("cafebabefacedbaddecaf888");
    const auto plaintext = codec::from_hex(
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
    const auto aad = codec::from_hex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
    std::vector<aes_key> keys;
    for (int k = 0; k < 7; ++k) {
        aes_key key = nist_key;
        key[0] = static_cast<std::uint8_t>(key[0] + k);  // k == 0: the NIST key itself
        keys.push_back(key);
    }
    std::vector<gcm_sealed> first;
    for (const auto& key : keys) first.push_back(aes128_gcm_seal(key, nist_iv, aad, plaintext));
    EXPECT_EQ(codec::to_hex(first[0].tag), "5BC94FBC3221A5DB94FAE95AE7121A47");
    for (int round = 0; round < 5; ++round) {
        for (std::size_t k = 0; k < keys.size(); ++k) {
            const std::size_t i = (k * 3 + static_cast<std::size_t>(round)) % keys.size();
            gcm_tag bad = first[i].tag;
            bad[0] ^= 1;
            EXPECT_FALSE(aes128_gcm_open(keys[i], nist_iv, aad, first[i].ciphertext, codec::byte_view(bad).first(12)));
            const auto sealed = aes128_gcm_seal(keys[i], nist_iv, aad, plaintext);
            EXPECT_EQ(sealed.ciphertext, first[i].ciphertext);
            EXPECT_EQ(sealed.tag, first[i].tag);
            EXPECT_EQ(aes128_gcm_keystream_xor(keys[i], nist_iv, plaintext), first[i].ciphertext);
            const auto opened = aes128_gcm_open(keys[i], nist_iv, aad, first[i].ciphertext, codec::byte_view(first[i].tag).first(12));
            ASSERT_TRUE(opened.has_value());
            EXPECT_EQ(*opened, plaintext);
            // A GMAC (no plaintext) in between, as authenticate-only sealing makes.
            EXPECT_TRUE(aes128_gcm_seal(keys[i], nist_iv, aad, {}).ciphertext.empty());
        }
    }
}
