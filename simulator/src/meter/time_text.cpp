#include "hansim/meter/time_text.hpp"

#include "../common/value_text.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <stdexcept>

namespace hansim::meter {

using namespace std::chrono;
using utc_ms = sys_time<milliseconds>;

namespace {

using detail::bad;
using detail::lower;
using detail::parse_unsigned;

}  // namespace

milliseconds parse_duration(std::string_view text) {
    const std::string expected = "a duration like 90s, 1h30m, 2d or 500ms";
    // Longer than any run or offset makes sense for, and far from where milliseconds overflow.
    constexpr std::int64_t limit_ms = std::int64_t{max_duration_days} * 86'400'000;
    std::string_view rest = text;
    bool negative = false;
    if (!rest.empty() && (rest.front() == '-' || rest.front() == '+')) {
        negative = rest.front() == '-';
        rest.remove_prefix(1);
    }
    if (rest.empty()) bad(expected, text);
    std::int64_t total = 0;
    while (!rest.empty()) {
        std::size_t digits = 0;
        while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) ++digits;
        if (digits == 0) bad(expected, text);
        const std::string_view number_text = rest.substr(0, digits);
        rest.remove_prefix(digits);
        std::size_t unit_len = 0;
        while (unit_len < rest.size() && std::isalpha(static_cast<unsigned char>(rest[unit_len]))) ++unit_len;
        const std::string unit = lower(rest.substr(0, unit_len));
        rest.remove_prefix(unit_len);
        std::int64_t unit_ms = 0;
        if (unit == "ms") unit_ms = 1;
        else if (unit == "s" || (unit.empty() && rest.empty() && total == 0)) unit_ms = 1000;
        else if (unit == "m" || unit == "min") unit_ms = 60'000;
        else if (unit == "h") unit_ms = 3'600'000;
        else if (unit == "d") unit_ms = 86'400'000;
        else bad(expected, text);
        std::uint64_t number = 0;
        const auto [end, ec] = std::from_chars(number_text.data(), number_text.data() + number_text.size(), number);
        if (ec != std::errc{} || number > static_cast<std::uint64_t>(limit_ms / unit_ms) ||
            total + static_cast<std::int64_t>(number) * unit_ms > limit_ms)
            throw std::invalid_argument("expected a duration of at most " + std::to_string(max_duration_days) +
                                        "d, got '" + std::string(text) + "'");
        total += static_cast<std::int64_t>(number) * unit_ms;
    }
    return milliseconds(negative ? -total : total);
}

utc_ms parse_utc_time(std::string_view text) {
    const std::string expected = "an ISO 8601 time like 2024-01-15T12:00:00Z";
    std::string s(text);
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, consumed = 0;
    // Fixed width digits: sscanf alone would also take signs and blanks ("2024-01-15T-1:00").
    constexpr std::string_view form = "dddd-dd-ddTdd:dd";
    if (s.size() < form.size()) bad(expected, text);
    for (std::size_t i = 0; i < form.size(); ++i) {
        const char c = s[i];
        const bool fits = form[i] == 'd' ? std::isdigit(static_cast<unsigned char>(c)) != 0
                          : form[i] == 'T' ? (c == 'T' || c == ' ')
                                           : c == form[i];
        if (!fits) bad(expected, text);
    }
    if (std::sscanf(s.c_str(), "%4d-%2d-%2d%*1[T ]%2d:%2d%n", &y, &mo, &d, &h, &mi, &consumed) != 5) bad(expected, text);
    std::string_view rest = std::string_view(s).substr(static_cast<std::size_t>(consumed));
    milliseconds fraction{0};
    if (!rest.empty() && rest.front() == ':') {
        if (rest.size() < 3 || !std::isdigit(static_cast<unsigned char>(rest[1])) ||
            !std::isdigit(static_cast<unsigned char>(rest[2])))
            bad(expected, text);
        sec = (rest[1] - '0') * 10 + (rest[2] - '0');
        rest.remove_prefix(3);
        if (!rest.empty() && rest.front() == '.') {
            rest.remove_prefix(1);
            int scale = 100, digits = 0;
            while (!rest.empty() && std::isdigit(static_cast<unsigned char>(rest.front()))) {
                if (digits++ < 3) fraction += milliseconds((rest.front() - '0') * scale), scale /= 10;
                rest.remove_prefix(1);
            }
            if (digits == 0) bad(expected, text);
        }
    }
    minutes offset{0};
    if (rest == "Z" || rest == "z" || rest.empty()) {
    } else if ((rest.front() == '+' || rest.front() == '-') && rest.size() == 6 && rest[3] == ':') {
        const int oh = static_cast<int>(parse_unsigned(rest.substr(1, 2), 23, expected));
        const int om = static_cast<int>(parse_unsigned(rest.substr(4, 2), 59, expected));
        offset = minutes(oh * 60 + om) * (rest.front() == '-' ? -1 : 1);
    } else {
        bad(expected, text);
    }
    const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok() || h > 23 || mi > 59 || sec > 59) bad(expected, text);
    return utc_ms{sys_days{ymd}} + hours(h) + minutes(mi) + seconds(sec) + fraction - offset;
}

std::string format_utc_time(utc_ms time) {
    const auto day = floor<days>(time);
    const year_month_day ymd{day};
    const hh_mm_ss tod{time - day};
    char buffer[48];
    const auto ms = tod.subseconds().count();
    if (ms != 0)
        std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                      static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                      static_cast<int>(tod.seconds().count()), static_cast<int>(ms));
    else
        std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                      static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                      static_cast<int>(tod.seconds().count()));
    return buffer;
}

}  // namespace hansim::meter
