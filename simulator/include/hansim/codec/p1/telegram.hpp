#pragma once
/// @file
/// The P1 telegram as data (PROTOCOLS.md §6.1): a header ident and data lines, each an OBIS
/// text and one or more parenthesised value groups. Every value keeps the exact form it was
/// written in (digit layout, unit spelling, timestamp flag), so a parsed telegram re-emits
/// byte for byte and a built one says precisely what goes on the wire.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hansim/codec/obis.hpp"

namespace hansim::codec::p1 {

/// A decimal number as written, e.g. `00123456.789*kWh`, `230.1*V`, `002*A`, `0.758`.
/// The digits are kept as one exact integer plus the layout that prints them again.
struct number {
    /// More digits than this are not a number but text (an int64 holds 18 decimal digits).
    static constexpr std::size_t max_digits = 18;

    std::uint64_t magnitude = 0;      ///< every digit with the point removed: "0001.234" -> 1234
    bool negative = false;            ///< a leading '-' was written (kept even for zero)
    std::uint8_t integer_digits = 1;  ///< digits before the point; a minimum, zero padded
    std::uint8_t decimals = 0;        ///< digits after the point; 0 means no point is written
    std::string unit;                 ///< text after '*' (letters/digits); empty: no '*' at all

    /// The exact value times 10^decimals, with the sign: "0001.234" -> 1234.
    std::int64_t scaled() const;
    /// The value as a double, e.g. 1.234 (exact for anything a meter sends).
    double value() const;
    /// The group content as it is written: "0001.234*kW".
    std::string to_text() const;

    friend bool operator==(const number&, const number&) = default;
};

/// Builds a number from an exact scaled integer: make_number(1234, 4, 3, "kW") is
/// `0001.234*kW`. Integer digits are a minimum width (more are written when needed, as
/// printf does). Throws std::invalid_argument when more than number::max_digits digits would
/// result or the unit is not letters/digits.
number make_number(std::int64_t scaled, unsigned integer_digits, unsigned decimals, std::string unit = {});

/// A P1 timestamp `YYMMDDhhmmssX`, X = 'S' (daylight saving active) or 'W' (not).
struct timestamp {
    std::uint8_t year = 0;  ///< two digits as sent, 0..99 (meaning 2000..2099)
    std::uint8_t month = 1;
    std::uint8_t day = 1;
    std::uint8_t hour = 0;
    std::uint8_t minute = 0;
    std::uint8_t second = 0;
    bool daylight_saving = false;  ///< 'S' when true, 'W' when false

    int full_year() const { return 2000 + year; }
    /// "240115134520W"
    std::string to_text() const;
    /// True when every field is in range (month 1..12, day 1..31, hour < 24, minute and
    /// second < 60, year < 100); only valid timestamps are written or recognised.
    bool valid() const;

    friend bool operator==(const timestamp&, const timestamp&) = default;
};

/// Anything else between the parentheses, kept verbatim (may be empty: `0-0:96.13.0()`).
struct text {
    std::string content;
    friend bool operator==(const text&, const text&) = default;
};

/// One parenthesised value group.
using value = std::variant<number, timestamp, text>;

/// Classifies the content between '(' and ')': a valid `YYMMDDhhmmss[WS]` is a timestamp;
/// `[-]digits[.digits][*unit]` with at most number::max_digits digits and an alphanumeric
/// unit is a number; everything else (including "") is text. Re-emitting the result with
/// to_text() gives `content` back exactly.
value classify_value(std::string_view content);

/// The group content as written (without the parentheses).
std::string to_text(const value& v);

/// One data line: `<obis>(<value>)[(<value>)…]`.
struct data_line {
    /// OBIS as written, "1-0:1.8.0" (DSMR omits group F); empty for a line that starts
    /// directly with '(' (a continuation line of old DSMR gas records).
    std::string obis;
    std::vector<value> values;  ///< one or more groups, in order

    /// The OBIS text as a code (F = 255 when not written); nullopt when empty or malformed.
    std::optional<codec::obis_code> parsed_obis() const;

    /// Typed access to group `index`; nullptr when absent or of another kind.
    const number* number_at(std::size_t index = 0) const;
    const timestamp* timestamp_at(std::size_t index = 0) const;
    const text* text_at(std::size_t index = 0) const;

    friend bool operator==(const data_line&, const data_line&) = default;
};

/// A whole telegram: `/<ident>` CR LF CR LF, lines, then `!` and the CRC (added by the writer).
struct telegram {
    std::string ident;  ///< the header after '/', e.g. "KAM5", "ELL5\\253833635_A"
    std::vector<data_line> lines;

    /// First line whose OBIS text equals `obis` ("1-0:1.8.0"); nullptr when none.
    const data_line* find(std::string_view obis) const;
    /// Shorthands for the first group of that line.
    const number* number_of(std::string_view obis) const;
    const timestamp* timestamp_of(std::string_view obis) const;
    /// The 3-letter FLAG manufacturer id ("KAM"), empty when the ident is shorter.
    std::string manufacturer() const;

    friend bool operator==(const telegram&, const telegram&) = default;
};

/// Checks OBIS text in P1 form: `A-B:C.D.E` or `A-B:C.D.E.F`, each group 0..255 written with
/// one to three digits. Returns the code (F = 255 when omitted) or nullopt.
std::optional<codec::obis_code> parse_p1_obis(std::string_view text);

}  // namespace hansim::codec::p1
