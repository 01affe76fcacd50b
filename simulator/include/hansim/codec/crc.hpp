#pragma once
/// @file
/// The two 16-bit CRCs of the HAN port, table-driven.
///
/// - CRC-16/X.25 (HDLC HCS and FCS): reflected poly 0x8408, init 0xFFFF, final XOR 0xFFFF,
///   check value 0x906E for "123456789"; sent low byte first.
/// - CRC-16/ARC (P1 telegram): reflected poly 0xA001, init 0, no final XOR, check value
///   0xBB3D; written as four upper-case hex digits.

#include <cstdint>

#include "hansim/codec/bytes.hpp"

namespace hansim::codec {

/// CRC-16/X.25 of `data` (final XOR applied).
std::uint16_t crc16_x25(byte_view data);

/// Continues a CRC-16/X.25 over more data: `previous` is crc16_x25 of everything before
/// `more` (use 0x0000 for an empty prefix, which is crc16_x25 of nothing).
std::uint16_t crc16_x25_update(std::uint16_t previous, byte_view more);

/// CRC-16/ARC of `data`.
std::uint16_t crc16_arc(byte_view data);

/// Continues a CRC-16/ARC; a fresh start is 0.
std::uint16_t crc16_arc_update(std::uint16_t crc, byte_view more);

}  // namespace hansim::codec
