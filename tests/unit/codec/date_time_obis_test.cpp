#include <gtest/gtest.h>

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
