#pragma once
/// @file
/// Turns a P1 telegram into the exact bytes of the wire (PROTOCOLS.md §6.1, §6.2):
/// `/ident` CR LF CR LF, one line per data line ending CR LF, `!`, four upper-case hex
/// digits of CRC-16/ARC over everything from '/' to '!' inclusive, CR LF.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "hansim/codec/bytes.hpp"
#include "hansim/codec/p1/telegram.hpp"

namespace hansim::codec::p1 {

/// Zero-padded fixed-point text of an exact scaled integer, like printf's `%0W.Df` but
/// without floating point: format_fixed(123456789, 8, 3) == "00123456.789",
/// format_fixed(2301, 3, 1) == "230.1", format_fixed(56, 3, 1) == "005.6",
/// format_fixed(2, 3, 0) == "002". `integer_digits` is a minimum (wider values are written in
/// full); a negative value gets a leading '-' in front of the padded digits.
std::string format_fixed(std::int64_t scaled, unsigned integer_digits, unsigned decimals);

/// Room for the longest number write_number() writes: '-', number::max_digits digits, '.'.
inline constexpr std::size_t max_number_size = number::max_digits + 2;

/// The value text of append_number_line() written at `at`: format_fixed(scaled,
/// integer_digits, decimals). Returns the end of what it wrote, or nullptr (nothing written)
/// for more than number::max_digits digits, which append_number_line() refuses. All
/// max_number_size chars at `at` are used: what follows the end is overwritten.
char* write_number(char* at, std::int64_t scaled, unsigned integer_digits, unsigned decimals);

/// The length of a timestamp's text, `YYMMDDhhmmssX`.
inline constexpr std::size_t timestamp_size = 13;

/// to_text(t) written at `at` (room for timestamp_size chars); returns the end.
char* write_timestamp(char* at, const timestamp& t);

/// The CRC-16/ARC a telegram carries, over `from_slash_to_bang` ('/' … '!' inclusive).
std::uint16_t telegram_crc(byte_view from_slash_to_bang);

/// The whole telegram as bytes. Throws std::invalid_argument naming the line and field when
/// something cannot be written without breaking the framing: CR, LF, '/', '!' in the ident;
/// ')', '/', '!', CR or LF in a text value; a malformed OBIS text; a line without values;
/// an out-of-range timestamp.
bytes write_telegram(const telegram& t);

/// Same as write_telegram, as a std::string (for logs and tests).
std::string write_telegram_text(const telegram& t);

/// write_telegram_text() in pieces, for a builder that writes a telegram straight from its
/// source without a `telegram` in between (meter/p1_telegram.hpp): the header, each data
/// line (`index` counts from 0, for the messages), then the end with the CRC. The same checks
/// and the same bytes; append_telegram_end() takes the whole text from '/' on.
void append_telegram_header(std::string& out, std::string_view ident);
void append_telegram_line(std::string& out, std::size_t index, std::string_view obis, std::span<const value> values);
void append_telegram_end(std::string& out);
/// append_telegram_line() of the one value make_number(scaled, integer_digits, decimals,
/// unit), without making it: the same bytes; it throws where either would (its own message).
void append_number_line(std::string& out, std::size_t index, std::string_view obis, std::int64_t scaled,
                        unsigned integer_digits, unsigned decimals, std::string_view unit);

/// Appends to_text(v), the group content as written.
void append_value_text(std::string& out, const value& v);

}  // namespace hansim::codec::p1
