#include "hansim/meter/clock_rule.hpp"

#include <gtest/gtest.h>

using namespace hansim::meter;
using namespace std::chrono;

namespace {
sys_seconds at(int y, unsigned m, unsigned d, int h, int min = 0, int s = 0) {
    return sys_days{year{y} / month{m} / day{d}} + hours{h} + minutes{min} + seconds{s};
}
}  // namespace

TEST(clock_rule, eu_switch_instants) {
    EXPECT_EQ(last_sunday(year{2024}, March), year{2024} / March / day{31});
    EXPECT_EQ(last_sunday(year{2024}, October), year{2024} / October / day{27});
    EXPECT_FALSE(eu_summer_time(at(2024, 3, 31, 0, 59, 59)));
    EXPECT_TRUE(eu_summer_time(at(2024, 3, 31, 1)));
    EXPECT_TRUE(eu_summer_time(at(2024, 10, 27, 0, 59, 59)));
    EXPECT_FALSE(eu_summer_time(at(2024, 10, 27, 1)));
}

TEST(clock_rule, local_dst_spring_forward_and_fall_back) {
    auto dt = meter_date_time(at(2024, 3, 31, 0, 59, 50), clock_rule::local_dst);
    EXPECT_EQ(dt.hour, 1);
    EXPECT_EQ(dt.minute, 59);
    EXPECT_EQ(dt.clock_status, 0x00);
    dt = meter_date_time(at(2024, 3, 31, 1), clock_rule::local_dst);
    EXPECT_EQ(dt.hour, 3);  // 02:00 local never happens
    EXPECT_EQ(dt.clock_status, 0x80);
    dt = meter_date_time(at(2024, 10, 27, 0, 30), clock_rule::local_dst);
    EXPECT_EQ(dt.hour, 2);
    EXPECT_EQ(dt.clock_status, 0x80);
    dt = meter_date_time(at(2024, 10, 27, 1, 30), clock_rule::local_dst);
    EXPECT_EQ(dt.hour, 2);  // 02:30 local twice
    EXPECT_EQ(dt.clock_status, 0x00);
}

TEST(clock_rule, fields_sentinels_and_weekday) {
    auto dt = meter_date_time(at(2024, 1, 15, 12, 45, 20), clock_rule::cet_fixed);
    EXPECT_EQ(dt.year, 2024);
    EXPECT_EQ(dt.month, 1);
    EXPECT_EQ(dt.day, 15);
    EXPECT_EQ(dt.day_of_week, 1);  // Monday
    EXPECT_EQ(dt.hour, 13);
    EXPECT_EQ(dt.minute, 45);
    EXPECT_EQ(dt.second, 20);
    EXPECT_EQ(dt.hundredths, 0xFF);
    EXPECT_EQ(dt.deviation, static_cast<std::int16_t>(0x8000));
    EXPECT_EQ(dt.clock_status, 0x00);
    // cet_fixed ignores summer time: UTC+1 and status 00 in July.
    dt = meter_date_time(at(2024, 7, 1, 12), clock_rule::cet_fixed);
    EXPECT_EQ(dt.hour, 13);
    EXPECT_EQ(dt.clock_status, 0x00);
    dt = meter_date_time(at(2024, 7, 1, 12), clock_rule::utc);
    EXPECT_EQ(dt.hour, 12);
    // Sunday at the year boundary in local time.
    dt = meter_date_time(at(2023, 12, 31, 23, 30), clock_rule::cet_fixed);
    EXPECT_EQ(dt.year, 2024);
    EXPECT_EQ(dt.day_of_week, 1);
    dt = meter_date_time(at(2000, 1, 1, 0), clock_rule::local_dst, true);
    EXPECT_EQ(dt.year, 2000);
    EXPECT_EQ(dt.hour, 0);
    EXPECT_EQ(dt.clock_status, 0x01);
}

TEST(clock_rule, names) {
    EXPECT_EQ(parse_clock_rule("local-dst"), clock_rule::local_dst);
    EXPECT_EQ(parse_clock_rule(to_string(clock_rule::cet_fixed)), clock_rule::cet_fixed);
    EXPECT_THROW(parse_clock_rule("cet"), std::invalid_argument);
}
