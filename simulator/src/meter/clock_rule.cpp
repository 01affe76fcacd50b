#include "hansim/meter/clock_rule.hpp"

#include <stdexcept>
#include <string>

namespace hansim::meter {

using namespace std::chrono;

std::string_view to_string(clock_rule rule) {
    switch (rule) {
        case clock_rule::cet_fixed: return "cet_fixed";
        case clock_rule::local_dst: return "local_dst";
        case clock_rule::utc: return "utc";
    }
    return "?";
}

clock_rule parse_clock_rule(std::string_view text) {
    std::string name(text);
    for (char& ch : name)
        if (ch == '-') ch = '_';
    if (name == "cet_fixed") return clock_rule::cet_fixed;
    if (name == "local_dst") return clock_rule::local_dst;
    if (name == "utc") return clock_rule::utc;
    throw std::invalid_argument("unknown clock rule '" + std::string(text) + "' (expected cet_fixed, local_dst or utc)");
}

year_month_day last_sunday(year y, month m) {
    return year_month_day{sys_days{y / m / Sunday[last]}};
}

bool eu_summer_time(sys_seconds utc) {
    // The year's two change instants, kept per thread for the last year asked (the model
    // asks every integration step; the calendar arithmetic is the cost).
    struct year_changes {
        sys_seconds from{sys_seconds::max()}, to{sys_seconds::min()};  // the year, [from, to)
        sys_seconds begins{}, ends{};
    };
    thread_local year_changes cached;
    if (utc < cached.from || utc >= cached.to) {
        const year y = year_month_day{floor<days>(utc)}.year();
        cached.from = sys_days{y / January / 1};
        cached.to = sys_days{(y + years{1}) / January / 1};
        cached.begins = sys_days{last_sunday(y, March)} + 1h;
        cached.ends = sys_days{last_sunday(y, October)} + 1h;
    }
    return utc >= cached.begins && utc < cached.ends;
}

wall_time to_wall_time(sys_seconds utc, clock_rule rule) {
    wall_time wall;
    switch (rule) {
        case clock_rule::utc: wall.utc_offset = 0min; break;
        case clock_rule::cet_fixed: wall.utc_offset = 60min; break;
        case clock_rule::local_dst:
            wall.daylight_saving = eu_summer_time(utc);
            wall.utc_offset = wall.daylight_saving ? 120min : 60min;
            break;
    }
    wall.local = local_seconds{utc.time_since_epoch() + wall.utc_offset};
    return wall;
}

codec::cosem_date_time meter_date_time(sys_seconds utc, clock_rule rule, bool clock_unset) {
    const wall_time wall = to_wall_time(utc, clock_unset ? clock_rule::utc : rule);
    const local_days day = floor<days>(wall.local);
    const year_month_day ymd{day};
    const hh_mm_ss tod{wall.local - day};
    codec::cosem_date_time dt;
    dt.year = static_cast<std::uint16_t>(static_cast<int>(ymd.year()));
    dt.month = static_cast<std::uint8_t>(static_cast<unsigned>(ymd.month()));
    dt.day = static_cast<std::uint8_t>(static_cast<unsigned>(ymd.day()));
    dt.day_of_week = static_cast<std::uint8_t>(weekday{day}.iso_encoding());
    dt.hour = static_cast<std::uint8_t>(tod.hours().count());
    dt.minute = static_cast<std::uint8_t>(tod.minutes().count());
    dt.second = static_cast<std::uint8_t>(tod.seconds().count());
    dt.hundredths = codec::cosem_date_time::not_specified;
    dt.deviation = codec::cosem_date_time::deviation_not_specified;
    if (clock_unset)
        dt.clock_status = codec::cosem_date_time::status_invalid;
    else
        dt.clock_status = wall.daylight_saving ? codec::cosem_date_time::status_daylight_saving : 0x00;
    return dt;
}

}  // namespace hansim::meter
