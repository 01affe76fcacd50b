#pragma once
/// @file
/// OBIS codes (IEC 62056-61): six value groups A-B:C.D.E.F, six raw bytes on the wire.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hansim::codec {

struct obis_code {
    std::array<std::uint8_t, 6> groups{};  ///< A, B, C, D, E, F

    /// DLMS text form "1-1:1.7.0.255".
    std::string to_string() const;
    /// Kamstrup table form "1.1.1.7.0.255".
    std::string to_dotted() const;
    /// P1 / DSMR form without value group F: "1-0:1.7.0".
    std::string to_p1_string() const;

    /// Accepts "A-B:C.D.E.F", "A.B.C.D.E.F" and (F = 255) "A-B:C.D.E"; nullopt if malformed.
    static std::optional<obis_code> parse(std::string_view text);

    friend bool operator==(const obis_code&, const obis_code&) = default;
    friend auto operator<=>(const obis_code&, const obis_code&) = default;
};

/// Shorthand for tables: obis(1, 1, 1, 7, 0) is 1-1:1.7.0.255.
constexpr obis_code obis(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d, std::uint8_t e,
                         std::uint8_t f = 255) {
    return obis_code{{a, b, c, d, e, f}};
}

}  // namespace hansim::codec
