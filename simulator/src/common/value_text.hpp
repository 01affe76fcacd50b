#pragma once
// Private to the simulator's sources: the small pieces of value-text parsing that the time
// grammar (meter/time_text.cpp) and the settings table (scenario/meter_settings.cpp) share,
// so a bad number reads the same in both ("expected ..., got '...'").

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace hansim::detail {

[[noreturn]] inline void bad(const std::string& expected, std::string_view got) {
    throw std::invalid_argument("expected " + expected + ", got '" + std::string(got) + "'");
}

inline std::string lower(std::string_view text) {
    std::string s(text);
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

inline std::uint64_t parse_unsigned(std::string_view text, std::uint64_t max, const std::string& expected) {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value > max) bad(expected, text);
    return value;
}

}  // namespace hansim::detail
