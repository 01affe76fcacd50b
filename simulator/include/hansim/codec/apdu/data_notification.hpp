#pragma once
/// @file
/// The DLMS data-notification APDU (tag 0x0F, PROTOCOLS.md §2.1):
/// `0F | long-invoke-id-and-priority (4, BE) | date-time field | body (one A-XDR Data value)`.

#include <cstdint>
#include <optional>

#include "hansim/codec/axdr/data.hpp"
#include "hansim/codec/bytes.hpp"
#include "hansim/codec/cosem_date_time.hpp"
#include "hansim/codec/result.hpp"

namespace hansim::codec::apdu {

inline constexpr std::uint8_t data_notification_tag = 0x0F;

/// How the optional date-time travels in the APDU header.
enum class date_time_encoding : std::uint8_t {
    absent,     ///< `00`
    standard,   ///< `0C` + 12 bytes (current Kamstrup firmware)
    legacy_09,  ///< `09 0C` + 12 bytes (Kamstrup firmware before HAN-NVE rev 3.0, 2017 captures)
};

struct data_notification {
    /// Bit 31 priority, 30 confirmed, 29 break-on-error, 28 self-descriptive, 23..0 invoke id.
    /// Kamstrup: always 0.
    std::uint32_t long_invoke_id_and_priority = 0;
    date_time_encoding dt_encoding = date_time_encoding::standard;
    /// Written when dt_encoding is not `absent` (required then); ignored otherwise.
    std::optional<cosem_date_time> date_time;
    /// The notification body; Kamstrup sends one flat structure (see notification_elements.hpp).
    axdr::data body;

    /// The complete APDU, starting with 0x0F. Throws std::invalid_argument when dt_encoding
    /// asks for a date-time that is not set.
    bytes to_bytes() const;

    /// Parses a complete APDU; the body must end exactly at the end of `in` (trailing bytes
    /// are an error). Error offsets are relative to the 0x0F tag plus `base_offset`.
    static result<data_notification> from_bytes(byte_view in, std::size_t base_offset = 0);

    friend bool operator==(const data_notification&, const data_notification&) = default;
};

}  // namespace hansim::codec::apdu
