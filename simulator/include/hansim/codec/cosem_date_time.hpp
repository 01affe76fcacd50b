#pragma once
/// @file
/// The 12-byte COSEM date-time (Blue Book class 8 "date-time"), field by field, with the
/// "not specified" sentinels kept as they travel on the wire (PROTOCOLS.md §2.2).

#include <cstdint>
#include <optional>
#include <string>

#include "hansim/codec/bytes.hpp"

namespace hansim::codec {

struct cosem_date_time {
    static constexpr std::uint16_t year_not_specified = 0xFFFF;
    static constexpr std::uint8_t not_specified = 0xFF;
    static constexpr std::int16_t deviation_not_specified = static_cast<std::int16_t>(0x8000);
    static constexpr std::uint8_t status_invalid = 0x01;
    static constexpr std::uint8_t status_daylight_saving = 0x80;

    std::uint16_t year = year_not_specified;
    std::uint8_t month = not_specified;         ///< 1..12, 0xFD/0xFE DST end/begin, 0xFF
    std::uint8_t day = not_specified;           ///< 1..31, 0xFD/0xFE, 0xFF
    std::uint8_t day_of_week = not_specified;   ///< 1 = Monday .. 7 = Sunday, 0xFF
    std::uint8_t hour = not_specified;
    std::uint8_t minute = not_specified;
    std::uint8_t second = not_specified;
    std::uint8_t hundredths = not_specified;    ///< Kamstrup: always 0xFF
    std::int16_t deviation = deviation_not_specified;  ///< minutes, UTC = local + deviation
    std::uint8_t clock_status = 0x00;           ///< bit 7 = daylight saving active

    static constexpr std::size_t wire_size = 12;

    /// The 12 bytes, no tag and no length.
    bytes to_bytes() const;
    /// Appends the wire_size bytes of to_bytes() to `out`.
    void append_to(bytes& out) const;
    /// Reads exactly 12 bytes; nullopt when `in` is shorter.
    static std::optional<cosem_date_time> from_bytes(byte_view in);

    /// ISO 8601 for people and JSON: "2024-01-15T13:45:20" plus ".nn" when hundredths are
    /// given and "+01:00" style offset when the deviation is given; fields not specified
    /// are written as "??".
    std::string to_iso8601() const;

    /// Day of week (1 = Monday) for a proleptic Gregorian date.
    static std::uint8_t weekday_of(int year, unsigned month, unsigned day);

    friend bool operator==(const cosem_date_time&, const cosem_date_time&) = default;
};

}  // namespace hansim::codec
