#pragma once
/// @file
/// The one time grammar of hansim: durations (`90s`, `1h30m`, `500ms`, `+2d`) and UTC times
/// (ISO 8601), as scenarios, options and Python spell them. The timeline (event `at`/`for`),
/// the fault selection `@time:T` / `@time:T1..T2` (fault_plan.hpp), `--start` and
/// `--duration` all read time with these functions, so a time means the same everywhere.
/// A point on the timeline is `+DURATION` after the run's start, or an absolute ISO 8601 time.
///
/// Durations: an integer with unit ms, s, m (or min), h or d, or several ("1h30m"); a bare
/// number is seconds; a leading + or - sign. Times: "2024-01-15T12:00:00Z",
/// "2024-01-15T13:00:00+01:00", "2024-01-15 12:00:00.250Z", or without offset (UTC),
/// seconds optional.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace hansim::meter {

/// The longest duration parse_duration accepts (about 273 years), either sign.
inline constexpr std::int64_t max_duration_days = 100'000;

/// "90s", "1h30m", "2d", "500ms", "-30s", "15" (seconds); at most max_duration_days in
/// total. Throws std::invalid_argument (never overflows).
std::chrono::milliseconds parse_duration(std::string_view text);

/// ISO 8601 as described above. Throws std::invalid_argument.
std::chrono::sys_time<std::chrono::milliseconds> parse_utc_time(std::string_view text);

/// "2024-01-15T12:00:00.250Z" (milliseconds only when not zero).
std::string format_utc_time(std::chrono::sys_time<std::chrono::milliseconds> time);

}  // namespace hansim::meter
