#include "hansim/codec/cosem_date_time.hpp"

#include <cstdio>

namespace hansim::codec {

bytes cosem_date_time::to_bytes() const {
    bytes out;
    out.reserve(wire_size);
    append_to(out);
    return out;
}

void cosem_date_time::append_to(bytes& out) const {
    put_be(out, year, 2);
    out.push_back(month);
    out.push_back(day);
    out.push_back(day_of_week);
    out.push_back(hour);
    out.push_back(minute);
    out.push_back(second);
    out.push_back(hundredths);
    put_be(out, static_cast<std::uint16_t>(deviation), 2);
    out.push_back(clock_status);
}

std::optional<cosem_date_time> cosem_date_time::from_bytes(byte_view in) {
    if (in.size() < wire_size) return std::nullopt;
    cosem_date_time dt;
    dt.year = static_cast<std::uint16_t>(get_be(in.subspan(0, 2), 2));
    dt.month = in[2];
    dt.day = in[3];
    dt.day_of_week = in[4];
    dt.hour = in[5];
    dt.minute = in[6];
    dt.second = in[7];
    dt.hundredths = in[8];
    dt.deviation = static_cast<std::int16_t>(static_cast<std::uint16_t>(get_be(in.subspan(9, 2), 2)));
    dt.clock_status = in[11];
    return dt;
}

namespace {

/// Two digits when `value` lies in [low, high], otherwise "??".
std::string two_digits(unsigned value, unsigned low, unsigned high) {
    if (value < low || value > high) return "??";
    char text[3];
    std::snprintf(text, sizeof text, "%02u", value);
    return text;
}

}  // namespace

std::string cosem_date_time::to_iso8601() const {
    std::string text;
    if (year == year_not_specified) {
        text = "????";
    } else {
        char digits[8];
        std::snprintf(digits, sizeof digits, "%04u", static_cast<unsigned>(year));
        text = digits;
    }
    text += "-" + two_digits(month, 1, 12) + "-" + two_digits(day, 1, 31);
    text += "T" + two_digits(hour, 0, 23) + ":" + two_digits(minute, 0, 59) + ":" + two_digits(second, 0, 59);
    if (hundredths != not_specified) text += "." + two_digits(hundredths, 0, 99);
    if (deviation != deviation_not_specified) {
        // UTC = local + deviation, so the ISO offset (local - UTC) is -deviation.
        const int offset = -static_cast<int>(deviation);
        const int magnitude = offset < 0 ? -offset : offset;
        char zone[16];
        std::snprintf(zone, sizeof zone, "%c%02d:%02d", offset < 0 ? '-' : '+', magnitude / 60, magnitude % 60);
        text += zone;
    }
    return text;
}

std::uint8_t cosem_date_time::weekday_of(int year, unsigned month, unsigned day) {
    // Days since 1970-01-01 (a Thursday) by the civil-from-days inverse (H. Hinnant).
    const int y = year - (month <= 2 ? 1 : 0);
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned mp = month > 2 ? month - 3 : month + 9;
    const unsigned doy = (153 * mp + 2) / 5 + day - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    const long long days = static_cast<long long>(era) * 146097 + static_cast<long long>(doe) - 719468;
    // 1970-01-01 was weekday 4 (Thursday) with Monday = 1.
    long long weekday = (days + 3) % 7;
    if (weekday < 0) weekday += 7;
    return static_cast<std::uint8_t>(weekday + 1);
}

}  // namespace hansim::codec
