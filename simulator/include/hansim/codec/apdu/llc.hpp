#pragma once
/// @file
/// The LLC header in front of every DLMS APDU carried in HDLC (PROTOCOLS.md §1.5):
/// destination LSAP 0xE6, source LSAP 0xE7 (server → client; 0xE6 from a client), quality 0x00.

#include <array>
#include <cstdint>

#include "hansim/codec/bytes.hpp"
#include "hansim/codec/result.hpp"

namespace hansim::codec::apdu {

/// What a meter sends: E6 E7 00.
inline constexpr std::array<std::uint8_t, 3> llc_response_header{0xE6, 0xE7, 0x00};

/// `E6 E7 00` followed by `apdu`.
bytes wrap_llc(byte_view apdu);

/// The APDU behind the LLC header (a view into `in`). Accepts source LSAP E7 (response) and
/// E6 (command); anything else, a non-zero quality byte or fewer than 3 bytes is an error
/// naming the offending byte and its offset (plus `base_offset`).
result<byte_view> strip_llc(byte_view in, std::size_t base_offset = 0);

}  // namespace hansim::codec::apdu
