#pragma once
/// @file
/// Encrypted P1 as Luxembourg "smarty" meters (Sagemcom T210-D) send it (PROTOCOLS.md §6.7):
/// the general-glo-ciphering envelope of glo_cipher.hpp, SC 0x30, sent raw on the P1 line (no
/// HDLC, no ASCII framing), carrying a complete ASCII DSMR telegram `/…!CRC\r\n`. The AK is a
/// fixed, public value by default; only the EK is secret. Some variants (Sagemcom T210-D-r)
/// use their own AK, hence the parameter.

#include <cstdint>
#include <string>
#include <string_view>

#include "hansim/security/glo_cipher.hpp"

namespace hansim::security {

/// The publicly known authentication key of Luxembourg smarty meters: 00 11 22 … EE FF.
inline constexpr aes_key luxembourg_authentication_key{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                                       0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF};

/// `DB 08 <title> 82 hh ll 30 <IC> <ciphertext> <tag>` for `telegram` (taken byte for byte).
codec::bytes p1_protect(std::string_view telegram, const aes_key& encryption_key, const system_title& title,
                        std::uint32_t invocation_counter,
                        const aes_key& authentication_key = luxembourg_authentication_key);

/// An opened encrypted P1 frame.
struct unprotected_p1 {
    system_title title{};
    std::uint32_t invocation_counter = 0;
    std::string telegram;  ///< the ASCII telegram, CRLFs and CRC line included (not validated here)
};

/// Opens one encrypted P1 frame (exactly the envelope bytes). Same errors as glo_unprotect();
/// additionally any SC other than 0x30 is reported as unsupported_security_control, since the
/// smarty format is always encrypted and authenticated.
unprotect_outcome<unprotected_p1> p1_unprotect(codec::byte_view frame, const aes_key& encryption_key,
                                               const aes_key& authentication_key = luxembourg_authentication_key);

}  // namespace hansim::security
