#pragma once
/// @file
/// Byte buffers shared by every codec: builders return `bytes`, parsers read `byte_view`.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hansim::codec {

/// An owned run of octets, in transmission order.
using bytes = std::vector<std::uint8_t>;

/// A read-only window onto octets owned elsewhere.
using byte_view = std::span<const std::uint8_t>;

/// Upper-case hex without separators ("7EA0E2...").
std::string to_hex(byte_view data);
/// to_hex(data) written at `at` (room for 2 × data.size() chars); returns the end. For
/// writers that build a line in place (`generate --format hex`, the jsonl records).
char* write_hex(char* at, byte_view data);

/// Upper-case hex with one space between bytes ("7E A0 E2 ..."), as the captures are written.
std::string to_spaced_hex(byte_view data);

/// Parses hex text; whitespace (spaces, tabs, CR, LF) between digit pairs is ignored.
/// Throws std::invalid_argument naming the offset of the first bad character or an odd count.
bytes from_hex(std::string_view text);

/// Appends an unsigned big-endian integer of `width` bytes (1..8).
void put_be(bytes& out, std::uint64_t value, std::size_t width);

/// Reads an unsigned big-endian integer of `width` bytes; the caller checks the length.
std::uint64_t get_be(byte_view in, std::size_t width);

}  // namespace hansim::codec
