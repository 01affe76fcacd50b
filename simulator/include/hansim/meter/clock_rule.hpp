#pragma once
/// @file
/// The meter's wall clock. A meter keeps UTC inside; what it puts on the wire (the COSEM
/// date-time in every list, the P1 timestamp) is derived by a clock rule (PROTOCOLS.md §8.5):
///
/// | rule        | wall clock                                   | status byte        | used by default for |
/// |-------------|----------------------------------------------|--------------------|---------------------|
/// | cet_fixed   | UTC+1 all year                               | 0x00               | Norway (all NO captures), Switzerland |
/// | local_dst   | CET (UTC+1) / CEST (UTC+2), EU rules          | 0x80 while CEST    | Denmark (NVE wording, DK captures), Sweden |
/// | utc         | UTC                                          | 0x00               | nothing; receiver tests |
///
/// EU rules: summer time runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on the
/// last Sunday of October, so local days are 23 and 25 hours long on those Sundays.
/// Sweden: Kamstrup P1 and HAN captures from 2024/2025 carry the DST flag in summer (§6.4),
/// so Swedish profiles default to local_dst; cet_fixed reproduces the "standard time all
/// year" reading of the Swedish recommendation.
/// Every date-time carries deviation 0x8000 (not specified), hundredths 0xFF and the weekday.

#include <chrono>
#include <cstdint>
#include <string_view>

#include "hansim/codec/cosem_date_time.hpp"

namespace hansim::meter {

enum class clock_rule { cet_fixed, local_dst, utc };

/// "cet_fixed", "local_dst", "utc".
std::string_view to_string(clock_rule rule);
/// Inverse of to_string() (also accepts '-' for '_'); throws std::invalid_argument listing
/// the accepted names.
clock_rule parse_clock_rule(std::string_view text);

/// EU summer time: true from 01:00 UTC on the last Sunday of March until 01:00 UTC on the
/// last Sunday of October.
bool eu_summer_time(std::chrono::sys_seconds utc);

/// The wall clock at one instant under a rule.
struct wall_time {
    std::chrono::local_seconds local{};  ///< local date and time
    std::chrono::minutes utc_offset{0};  ///< local − UTC
    bool daylight_saving = false;        ///< CEST in effect (local_dst only)
};

/// UTC -> wall clock.
wall_time to_wall_time(std::chrono::sys_seconds utc, clock_rule rule);

/// The COSEM date-time a meter puts on the wire for instant `utc`: local fields, weekday,
/// hundredths 0xFF, deviation 0x8000, status 0x80 under CEST with local_dst, else 0x00.
/// `clock_unset` emits what a meter with a lost clock sends: status 0x01 (invalid), the
/// date counted from 2000-01-01 (the caller passes a `utc` that already runs from there).
codec::cosem_date_time meter_date_time(std::chrono::sys_seconds utc, clock_rule rule, bool clock_unset = false);

/// The last Sunday of a month (DST switch days).
std::chrono::year_month_day last_sunday(std::chrono::year y, std::chrono::month m);

}  // namespace hansim::meter
