#pragma once
/// @file
/// The general-glo-ciphering ENVELOPE (tag 0xDB; general-ded-ciphering 0xDC has the same
/// layout), PROTOCOLS.md §5.1. Bytes only, no cryptography (that is hansim_security's job):
///
/// `DB | len sys-title | system-title | length(SC..end) | SC | IC (4, BE) | payload`
///
/// `payload` is ciphertext ‖ 12-byte tag (SC 0x30), plaintext ‖ tag (SC 0x10) or ciphertext
/// only (SC 0x20); this header does not interpret it.

#include <cstdint>

#include "hansim/codec/axdr/length.hpp"
#include "hansim/codec/bytes.hpp"
#include "hansim/codec/result.hpp"

namespace hansim::codec::apdu {

inline constexpr std::uint8_t general_glo_ciphering_tag = 0xDB;
inline constexpr std::uint8_t general_ded_ciphering_tag = 0xDC;

struct glo_envelope {
    std::uint8_t tag = general_glo_ciphering_tag;  ///< 0xDB or 0xDC
    bytes system_title;                             ///< length-prefixed on the wire, usually 8 bytes
    /// Form of the ciphered-content length; Kamstrup always writes `82 hh ll`.
    axdr::length_form length_form = axdr::length_form::forced_82;
    std::uint8_t security_control = 0x30;
    std::uint32_t invocation_counter = 0;
    bytes payload;

    /// Value of the ciphered-content length field: SC + IC + payload.
    std::size_t content_length() const { return 1 + 4 + payload.size(); }

    /// The whole envelope. Throws std::invalid_argument for a tag other than 0xDB/0xDC or a
    /// system title longer than 127 bytes, std::length_error when the content length does not
    /// fit `length_form`.
    bytes to_bytes() const;

    /// Parses an envelope that fills `in` exactly. A declared content length that disagrees
    /// with the bytes present is an error at the offset of the length field, naming both
    /// numbers ("glo-ciphering: ciphered-content length field at offset 10 declares 231 bytes
    /// but 232 follow"), so a length off by one in either direction is recognised.
    static result<glo_envelope> from_bytes(byte_view in, std::size_t base_offset = 0);

    friend bool operator==(const glo_envelope&, const glo_envelope&) = default;
};

}  // namespace hansim::codec::apdu
