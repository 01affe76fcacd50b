#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "hansim/codec/cosem_date_time.hpp"
#include "hansim/codec/obis.hpp"

using namespace hansim::codec;

namespace {
cosem_date_time kamstrup_time(std::uint16_t year, std::uint8_t month, std::uint8_t day, std::uint8_t hour,
                              std::uint8_t minute, std::uint8_t second) {
    cosem_date_time dt;
    dt.year = year;
    dt.month = month;
    dt.day = day;
    dt.day_of_week = cosem_date_time::weekday_of(year, month, day);
    dt.hour = hour;
    dt.minute = minute;
    dt.second = second;
    return dt;
}
}  // namespace

TEST(cosem_date_time, worked_example_bytes) {
    const auto dt = kamstrup_time(2024, 1, 15, 13, 45, 20);
    EXPECT_EQ(to_spaced_hex(dt.to_bytes()), "07 E8 01 0F 01 0D 2D 14 FF 80 00 00");
    EXPECT_EQ(cosem_date_time::from_bytes(dt.to_bytes()), dt);
    EXPECT_EQ(dt.to_iso8601(), "2024-01-15T13:45:20");
}

TEST(cosem_date_time, every_field_round_trips) {
    cosem_date_time dt;
    dt.year = 0x1234;
    dt.month = 0xFE;
    dt.day = 0xFD;
    dt.day_of_week = 7;
    dt.hour = 23;
    dt.minute = 59;
    dt.second = 58;
    dt.hundredths = 99;
    dt.deviation = -120;
    dt.clock_status = 0x81;
    const auto wire = dt.to_bytes();
    ASSERT_EQ(wire.size(), cosem_date_time::wire_size);
    EXPECT_EQ(to_spaced_hex(wire), "12 34 FE FD 07 17 3B 3A 63 FF 88 81");
    EXPECT_EQ(cosem_date_time::from_bytes(wire), dt);
}

TEST(cosem_date_time, short_input_is_rejected) {
    EXPECT_FALSE(cosem_date_time::from_bytes(from_hex("07 E8 01 0F 01 0D 2D 14 FF 80 00")).has_value());
}

TEST(cosem_date_time, not_specified_fields_all_ff) {
    const cosem_date_time unspecified{.clock_status = 0xFF};
    EXPECT_EQ(to_spaced_hex(unspecified.to_bytes()), "FF FF FF FF FF FF FF FF FF 80 00 FF");
    EXPECT_EQ(unspecified.to_iso8601(), "????" "-" "??" "-" "??T??:??:??");  // split: no trigraphs
}

TEST(cosem_date_time, iso_text_with_hundredths_and_deviation) {
    auto dt = kamstrup_time(2023, 4, 6, 13, 49, 50);
    dt.hundredths = 5;
    dt.deviation = -120;  // CEST: UTC = local - 2 h
    EXPECT_EQ(dt.to_iso8601(), "2023-04-06T13:49:50.05+02:00");
    dt.deviation = 330;
    EXPECT_EQ(dt.to_iso8601(), "2023-04-06T13:49:50.05-05:30");
    dt.deviation = 0;
    EXPECT_EQ(dt.to_iso8601(), "2023-04-06T13:49:50.05+00:00");
}

TEST(cosem_date_time, weekday_of) {
    EXPECT_EQ(cosem_date_time::weekday_of(2024, 1, 15), 1);   // Monday
    EXPECT_EQ(cosem_date_time::weekday_of(2017, 10, 20), 5);  // Friday (xibriz capture)
    EXPECT_EQ(cosem_date_time::weekday_of(2022, 2, 5), 6);    // Saturday
    EXPECT_EQ(cosem_date_time::weekday_of(2000, 1, 1), 6);
    EXPECT_EQ(cosem_date_time::weekday_of(2024, 2, 29), 4);
    EXPECT_EQ(cosem_date_time::weekday_of(1970, 1, 1), 4);
    EXPECT_EQ(cosem_date_time::weekday_of(2100, 3, 1), 1);
}

TEST(obis, text_forms) {
    const auto code = obis(1, 1, 1, 7, 0);
    EXPECT_EQ(code.to_string(), "1-1:1.7.0.255");
    EXPECT_EQ(code.to_dotted(), "1.1.1.7.0.255");
    EXPECT_EQ(code.to_p1_string(), "1-1:1.7.0");
}

TEST(obis, parse_accepts_the_three_forms) {
    EXPECT_EQ(obis_code::parse("1-1:1.7.0.255"), obis(1, 1, 1, 7, 0));
    EXPECT_EQ(obis_code::parse("1.1.1.7.0.255"), obis(1, 1, 1, 7, 0));
    EXPECT_EQ(obis_code::parse("1-0:1.8.0"), obis(1, 0, 1, 8, 0));
    EXPECT_EQ(obis_code::parse("0-1:1.0.0*255"), obis(0, 1, 1, 0, 0));
    EXPECT_EQ(obis_code::parse("1-1:96.1.1.255"), obis(1, 1, 96, 1, 1));
    EXPECT_EQ(obis_code::parse("0-0:96.13.0.7"), obis(0, 0, 96, 13, 0, 7));
}

TEST(obis, parse_rejects_malformed_text) {
    for (const char* bad : {"", "1-1:1.7", "1.1.1.7.0", "1-1:1.7.0.256", "1-1:1.7.0.255.1", "a-1:1.7.0", "1-1:1.7.0.",
                            "1:1-1.7.0.255", "1-1:1..7.0", "1.1.1.7.0.255 "}) {
        EXPECT_FALSE(obis_code::parse(bad).has_value()) << bad;
    }
}

TEST(obis, round_trips_through_text) {
    for (const auto code : {obis(0, 1, 1, 0, 0), obis(1, 1, 0, 0, 5), obis(255, 255, 255, 255, 255, 0)}) {
        EXPECT_EQ(obis_code::parse(code.to_string()), code);
        EXPECT_EQ(obis_code::parse(code.to_dotted()), code);
    }
}

namespace {
// The text as printf writes it field by field (the former implementation), for comparison.
std::string iso8601_by_printf(const hansim::codec::cosem_date_time& dt) {
    auto two = [](unsigned v, unsigned lo, unsigned hi) -> std::string {
        if (v < lo || v > hi) return "??";
        char t[3];
        std::snprintf(t, sizeof t, "%02u", v);
        return t;
    };
    std::string text;
    if (dt.year == hansim::codec::cosem_date_time::year_not_specified) {
        text = "????";
    } else {
        char digits[8];
        std::snprintf(digits, sizeof digits, "%04u", static_cast<unsigned>(dt.year));
        text = digits;
    }
    text += "-" + two(dt.month, 1, 12) + "-" + two(dt.day, 1, 31);
    text += "T" + two(dt.hour, 0, 23) + ":" + two(dt.minute, 0, 59) + ":" + two(dt.second, 0, 59);
    if (dt.hundredths != hansim::codec::cosem_date_time::not_specified) text += "." + two(dt.hundredths, 0, 99);
    if (dt.deviation != hansim::codec::cosem_date_time::deviation_not_specified) {
        const int offset = -static_cast<int>(dt.deviation);
        const int magnitude = offset < 0 ? -offset : offset;
        char zone[16];
        std::snprintf(zone, sizeof zone, "%c%02d:%02d", offset < 0 ? '-' : '+', magnitude / 60, magnitude % 60);
        text += zone;
    }
    return text;
}
}  // namespace

TEST(cosem_date_time, iso8601_text_matches_printf_for_any_field_values) {
    std::uint64_t state = 0x243F6A8885A308D3ull;
    auto next = [&] {
        state ^= state << 13, state ^= state >> 7, state ^= state << 17;
        return state;
    };
    for (int i = 0; i < 100'000; ++i) {
        hansim::codec::cosem_date_time dt;
        const auto r = next();
        dt.year = static_cast<std::uint16_t>(i % 7 == 0 ? r : 1990 + r % 80);
        if (i % 11 == 0) dt.year = hansim::codec::cosem_date_time::year_not_specified;
        dt.month = static_cast<std::uint8_t>(i % 5 == 0 ? r >> 16 : 1 + (r >> 16) % 12);
        dt.day = static_cast<std::uint8_t>(i % 5 == 1 ? r >> 24 : 1 + (r >> 24) % 31);
        dt.hour = static_cast<std::uint8_t>(i % 5 == 2 ? r >> 32 : (r >> 32) % 24);
        dt.minute = static_cast<std::uint8_t>(i % 5 == 3 ? r >> 40 : (r >> 40) % 60);
        dt.second = static_cast<std::uint8_t>(i % 5 == 4 ? r >> 48 : (r >> 48) % 60);
        dt.hundredths = static_cast<std::uint8_t>(i % 3 == 0 ? hansim::codec::cosem_date_time::not_specified : (r >> 56));
        dt.deviation = static_cast<std::int16_t>(i % 4 == 0 ? hansim::codec::cosem_date_time::deviation_not_specified
                                                           : static_cast<std::int16_t>(next()));
        ASSERT_EQ(dt.to_iso8601(), iso8601_by_printf(dt)) << i;
    }
}
