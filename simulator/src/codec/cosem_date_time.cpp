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

/// Appends two digits when `value` lies in [low, high], otherwise "??".
char* two_digits(char* at, unsigned value, unsigned low, unsigned high) {
    if (value < low || value > high) {
        at[0] = at[1] = '?';
    } else {
        at[0] = static_cast<char>('0' + value / 10);
        at[1] = static_cast<char>('0' + value % 10);
    }
    return at + 2;
}

}  // namespace

std::string cosem_date_time::to_iso8601() const {
    // Written into one buffer (a record or a decoded frame has several): "YYYY-MM-DDThh:mm:ss",
    // ".hh" when hundredths are given, "±hh:mm" when the deviation is.
    char text[48];
    char* at = text;
    if (year == year_not_specified) {
        for (int i = 0; i < 4; ++i) *at++ = '?';
    } else if (year <= 9999) {
        const unsigned y = year;
        *at++ = static_cast<char>('0' + y / 1000);
        *at++ = static_cast<char>('0' + y / 100 % 10);
        *at++ = static_cast<char>('0' + y / 10 % 10);
        *at++ = static_cast<char>('0' + y % 10);
    } else {
        at += std::snprintf(at, 8, "%04u", static_cast<unsigned>(year));
    }
    *at++ = '-';
    at = two_digits(at, month, 1, 12);
    *at++ = '-';
    at = two_digits(at, day, 1, 31);
    *at++ = 'T';
    at = two_digits(at, hour, 0, 23);
    *at++ = ':';
    at = two_digits(at, minute, 0, 59);
    *at++ = ':';
    at = two_digits(at, second, 0, 59);
    if (hundredths != not_specified) {
        *at++ = '.';
        at = two_digits(at, hundredths, 0, 99);
    }
    if (deviation != deviation_not_specified) {
        // UTC = local + deviation, so the ISO offset (local - UTC) is -deviation.
        const int offset = -static_cast<int>(deviation);
        const int magnitude = offset < 0 ? -offset : offset;
        at += std::snprintf(at, 16, "%c%02d:%02d", offset < 0 ? '-' : '+', magnitude / 60, magnitude % 60);
    }
    return std::string(text, at);
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
