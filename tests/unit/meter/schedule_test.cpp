#include "hansim/meter/schedule.hpp"

#include <gtest/gtest.h>

#include <map>

#include "hansim/meter/meter_source.hpp"
#include "hansim/meter/profile.hpp"

using namespace hansim::meter;
using namespace std::chrono;
using instant = sys_time<milliseconds>;

namespace {
instant at(int y, unsigned m, unsigned d, int h, int min = 0, int s = 0) {
    return instant{sys_days{year{y} / month{m} / day{d}} + hours{h} + minutes{min} + seconds{s}};
}
}  // namespace

TEST(schedule, transmission_times_of_section_7_4) {
    EXPECT_EQ(transmission_time(228, 2400, 10), 950ms);
    EXPECT_EQ(transmission_time(302, 2400, 10), 1259ms);  // 1258.3 ms rounded up
    EXPECT_EQ(transmission_time(461, 2400, 10), 1921ms);  // 1920.8
    EXPECT_EQ(transmission_time(700, 115200, 10), 61ms);
}

TEST(schedule, list1_on_x0_list2_at_five_past_and_list1_first) {
    schedule_config c;
    c.list2_delay_steps = 2;
    push_schedule s(c, at(2024, 1, 15, 11, 59, 41));
    std::vector<scheduled_push> pushes;
    while (pushes.size() < 20) pushes.push_back(s.next());
    EXPECT_EQ(pushes[0].trigger, at(2024, 1, 15, 11, 59, 50));
    int list2 = 0;
    for (std::size_t i = 0; i < pushes.size(); ++i) {
        const auto& p = pushes[i];
        if (i > 0) {
            EXPECT_GE(p.trigger, pushes[i - 1].trigger);
        }
        const auto second = duration_cast<seconds>(p.trigger.time_since_epoch()).count() % 60;
        if (p.kind == push_kind::list1) {
            EXPECT_EQ(second % 10, 0);
            EXPECT_EQ(p.energy_at, p.trigger);
        } else {
            ++list2;
            EXPECT_EQ(p.trigger, at(2024, 1, 15, 12, 0, 25));
            EXPECT_EQ(p.energy_at, at(2024, 1, 15, 12));
            EXPECT_EQ(pushes[i - 1].kind, push_kind::list1);
            EXPECT_EQ(pushes[i - 1].trigger, at(2024, 1, 15, 12, 0, 20));
        }
    }
    EXPECT_EQ(list2, 1);
}

TEST(schedule, ties_go_to_list1_then_push1_then_p1) {
    schedule_config c;
    c.lists = {push_kind::p1, push_kind::push1, push_kind::list1};
    push_schedule s(c, at(2024, 1, 1, 0));
    EXPECT_EQ(s.next().kind, push_kind::list1);
    EXPECT_EQ(s.next().kind, push_kind::push1);
    EXPECT_EQ(s.next().kind, push_kind::p1);
    EXPECT_EQ(s.next().kind, push_kind::list1);
}

TEST(schedule, p1_period_and_phase) {
    schedule_config c;
    c.lists = {push_kind::p1};
    c.p1_period = 1s;
    c.p1_phase = 250ms;
    push_schedule s(c, at(2024, 1, 1, 0));
    EXPECT_EQ(s.next().trigger, at(2024, 1, 1, 0) + 250ms);
    EXPECT_EQ(s.next().trigger, at(2024, 1, 1, 0) + 1250ms);
    c.p1_phase = 1s;
    EXPECT_THROW(push_schedule(c, at(2024, 1, 1, 0)), std::invalid_argument);
}

TEST(schedule, list2_moves_on_when_it_would_overlap_a_list1) {
    // Long frames and large jitter: slot k would collide, so the rule moves list 2 on.
    schedule_config c;
    c.jitter.distribution = jitter_distribution::uniform;
    c.jitter.min = 0ms;
    c.jitter.max = 4000ms;
    c.list1_duration = 3000ms;
    c.list2_duration = 3000ms;
    push_schedule s(c, at(2024, 1, 1, 0));
    int moved = 0;
    for (int h = 0; h < 200; ++h) {
        const instant hour = at(2024, 1, 1, 0) + hours(h);
        const instant slot = s.list2_slot(hour);
        const auto j = (slot - hour - 5s) / 10s;
        ASSERT_GE(j, 0);
        moved += j > 0;
        if (j >= 360) continue;
        // Check the rule independently with the same jitter draws.
        auto jitter = [&](push_kind k, instant t) {
            return draw_jitter(c.jitter, c.seed, stream_id(to_string(k)), t.time_since_epoch().count());
        };
        const instant x0 = hour + 10s * j;
        const instant start = slot + jitter(push_kind::list2, slot);
        if (slot != hour + 5s) {  // moved: it really fits now
            EXPECT_GE(start, x0 + jitter(push_kind::list1, x0) + c.list1_duration);
            EXPECT_LE(start + c.list2_duration, x0 + 10s + jitter(push_kind::list1, x0 + 10s));
        }
    }
    EXPECT_GT(moved, 0);
    c.list2_delay_steps = 6;
    EXPECT_THROW(validate(c), std::invalid_argument);
}

namespace {
// The list-2 stamps (local hour, clock status) a meter sends during one local day.
std::vector<std::pair<int, int>> list2_stamps(clock_rule rule, instant from, instant to) {
    meter_config c = profile_config("kamstrup-no-3p");
    c.clock = rule;
    c.start = from;
    c.list2_delay_steps = 1;
    auto source = make_push_source(c, nullptr, nullptr);
    std::vector<std::pair<int, int>> stamps;
    for (;;) {
        const push_frame f = source->next();
        if (f.trigger_utc >= to) break;
        if (f.list != "list2") continue;
        EXPECT_EQ(f.values.clock.minute, 0);
        EXPECT_EQ(f.values.clock.second, 15);
        stamps.emplace_back(f.values.clock.hour, f.values.clock.clock_status);
    }
    return stamps;
}
}  // namespace

TEST(schedule, dst_days_have_23_and_25_hourly_lists) {
    // Local day 2024-03-31 (CET midnight = 23:00 UTC the day before) under local_dst.
    auto spring = list2_stamps(clock_rule::local_dst, at(2024, 3, 30, 23), at(2024, 3, 31, 22));
    ASSERT_EQ(spring.size(), 23u);
    EXPECT_EQ(spring[1], std::make_pair(1, 0x00));
    EXPECT_EQ(spring[2], std::make_pair(3, 0x80));
    EXPECT_EQ(spring.back(), std::make_pair(23, 0x80));
    auto autumn = list2_stamps(clock_rule::local_dst, at(2024, 10, 26, 22), at(2024, 10, 27, 23));
    ASSERT_EQ(autumn.size(), 25u);
    EXPECT_EQ(autumn[2], std::make_pair(2, 0x80));
    EXPECT_EQ(autumn[3], std::make_pair(2, 0x00));
    EXPECT_EQ(autumn.back(), std::make_pair(23, 0x00));
    // cet_fixed: 24 lists both days, hours 0..23, status 00.
    for (auto from : {at(2024, 3, 30, 23), at(2024, 10, 26, 23)}) {
        auto fixed = list2_stamps(clock_rule::cet_fixed, from, from + 24h);
        ASSERT_EQ(fixed.size(), 24u);
        for (int h = 0; h < 24; ++h) EXPECT_EQ(fixed[h], std::make_pair(h, 0x00));
    }
}
