#pragma once
/// @file
/// UART line settings (baud, data bits, parity, stop bits) and the time one character
/// occupies on the wire. PROTOCOLS.md §7.4: 10 bits per byte for 8N1, 11 for 8E1.

#include <chrono>
#include <string>
#include <string_view>

#include "hansim/meter/push_frame.hpp"

namespace hansim::io {

enum class parity { none, even, odd };

struct line_settings {
    unsigned baud = 2400;
    unsigned data_bits = 8;    ///< 5..8
    io::parity parity = io::parity::none;
    unsigned stop_bits = 1;    ///< 1 or 2

    /// Start bit + data bits + parity bit (if any) + stop bits.
    unsigned bits_per_character() const;

    /// "2400 8N1", for people
    std::string to_string() const;
    /// "2400:8N1", what parse_line_settings reads (port specs, capture headers)
    std::string spec() const;

    friend bool operator==(const line_settings&, const line_settings&) = default;
};

/// Parses "BAUD:DPS" (e.g. "2400:8N1", "115200:8E1", "9600:7O2"). Throws
/// std::invalid_argument naming the offending part when the text is not of that form,
/// the baud rate is 0, data bits are outside 5..8, parity is not N/E/O or stop bits not 1/2.
line_settings parse_line_settings(std::string_view text);

/// The line a meter's port uses: 8 data bits at the source's baud rate, even parity when the
/// source says 11 bits per character (8E1, other NVE meters), else none (8N1).
line_settings line_for(const meter::push_source& source);

/// The line a push with a line fault goes out on (meter::line_condition): `base` with the
/// other parity (none -> even, even -> odd, odd -> even) or another baud rate; `base` itself
/// for a break (the break comes before the push, the push keeps the line).
line_settings line_under(const line_settings& base, const meter::line_condition& condition);

}  // namespace hansim::io
