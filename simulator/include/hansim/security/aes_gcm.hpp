#pragma once
/// @file
/// AES-128-GCM as DLMS security suite 0 uses it, on top of OpenSSL EVP.
///
/// These are the raw primitives: no DLMS framing, no key handling policy. The
/// general-glo-ciphering layer (glo_cipher.hpp) builds IV and AAD from the APDU header and
/// calls these.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "hansim/codec/bytes.hpp"

namespace hansim::security {

/// A 128-bit AES key. Key material is never printed: there is deliberately no operator<<.
using aes_key = std::array<std::uint8_t, 16>;

/// The 12-byte GCM initialisation vector: system title (8) followed by invocation counter (4, BE).
using gcm_iv = std::array<std::uint8_t, 12>;

/// A full 16-byte GCM tag; DLMS transmits its first 12 bytes.
using gcm_tag = std::array<std::uint8_t, 16>;

/// Bytes of the GCM tag that DLMS suite 0 transmits.
inline constexpr std::size_t dlms_tag_size = 12;

/// Ciphertext (same length as the plaintext) and the full 16-byte tag.
struct gcm_sealed {
    codec::bytes ciphertext;
    gcm_tag tag{};
};

/// Encrypts `plaintext` with AES-128-GCM under `key` and `iv`, authenticating `aad` as well.
/// An empty `plaintext` is allowed (GMAC over `aad`). Throws std::runtime_error if OpenSSL fails.
gcm_sealed aes128_gcm_seal(const aes_key& key, const gcm_iv& iv, codec::byte_view aad,
                           codec::byte_view plaintext);

/// Decrypts `ciphertext` and checks `tag` (its length 4..16 bytes, DLMS uses 12) over `aad`
/// and the ciphertext. Returns nullopt if the tag does not verify. Throws
/// std::invalid_argument for a tag length outside 4..16 and std::runtime_error if OpenSSL fails.
std::optional<codec::bytes> aes128_gcm_open(const aes_key& key, const gcm_iv& iv, codec::byte_view aad,
                                            codec::byte_view ciphertext, codec::byte_view tag);

/// The GCM keystream applied without any tag: encrypting and decrypting are the same
/// operation (AES-CTR starting at counter block IV || 00000002). This is what SC 0x20
/// (encryption without authentication) puts on the wire. Throws std::runtime_error if OpenSSL fails.
codec::bytes aes128_gcm_keystream_xor(const aes_key& key, const gcm_iv& iv, codec::byte_view data);

/// Builds the IV from a system title (exactly 8 bytes) and an invocation counter.
gcm_iv make_gcm_iv(const std::array<std::uint8_t, 8>& system_title, std::uint32_t invocation_counter);

}  // namespace hansim::security
