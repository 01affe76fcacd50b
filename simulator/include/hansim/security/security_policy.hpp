#pragma once
/// @file
/// What protection a push gets, and the DLMS security control (SC) byte that says so.
///
/// SC bits (Green Book, suite 0): 3..0 suite id, 4 = A (authenticated), 5 = E (encrypted),
/// 6 = broadcast key, 7 = compression. hansim emits suite 0 with the unicast key only.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hansim::security {

/// The protection applied to an APDU.
enum class security_policy {
    none,                  ///< plaintext APDU, no 0xDB envelope
    encrypt,               ///< SC 0x20: ciphertext only, no tag
    authenticate,          ///< SC 0x10: APDU in clear followed by a 12-byte tag
    encrypt_authenticate,  ///< SC 0x30: ciphertext and tag (what Kamstrup sends)
};

/// "none", "encrypt", "authenticate" or "encrypt+authenticate".
std::string_view to_string(security_policy policy);

/// Inverse of to_string(); throws std::invalid_argument listing the accepted spellings.
security_policy parse_security_policy(std::string_view text);

/// Security control byte, suite 0, unicast key: 0x20, 0x10 or 0x30. Throws
/// std::invalid_argument for security_policy::none (a plaintext APDU has no SC byte).
std::uint8_t security_control_for(security_policy policy);

/// The policy an SC byte describes, or nullopt if hansim cannot process it (suite other than
/// 0, broadcast key, compression, or neither A nor E set).
std::optional<security_policy> policy_from_security_control(std::uint8_t security_control);

/// Security control bit masks.
namespace security_control_bits {
inline constexpr std::uint8_t suite_mask = 0x0F;
inline constexpr std::uint8_t authentication = 0x10;
inline constexpr std::uint8_t encryption = 0x20;
inline constexpr std::uint8_t broadcast_key = 0x40;
inline constexpr std::uint8_t compression = 0x80;
}  // namespace security_control_bits

}  // namespace hansim::security
