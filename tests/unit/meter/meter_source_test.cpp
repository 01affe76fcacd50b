#include "hansim/meter/meter_source.hpp"

#include <gtest/gtest.h>

#include "hansim/meter/meter_model.hpp"
#include "hansim/meter/profile.hpp"
#include "hansim/security/glo_cipher.hpp"

using namespace hansim::meter;
using namespace std::chrono;
using instant = sys_time<milliseconds>;

namespace {
instant at(int y, unsigned m, unsigned d, int h, int min = 0, int s = 0) {
    return instant{sys_days{year{y} / month{m} / day{d}} + hours{h} + minutes{min} + seconds{s}};
}
hansim::security::security_keys test_keys() {
    hansim::security::security_keys k;
    for (std::size_t i = 0; i < k.encryption_key.size(); ++i) {
        k.encryption_key[i] = static_cast<std::uint8_t>(i);
        k.authentication_key[i] = static_cast<std::uint8_t>(0xD0 + i);
    }
    return k;
}
}  // namespace

TEST(meter_source, norwegian_meter_pushes_list1_and_list2_in_send_order) {
    meter_config c = profile_config("kamstrup-no-3p");
    c.start = at(2024, 1, 15, 10, 59);
    c.jitter.distribution = jitter_distribution::uniform;
    auto source = make_push_source(c, nullptr, nullptr);
    EXPECT_EQ(source->baud_rate(), 2400u);
    EXPECT_EQ(source->bits_per_character(), 10u);
    instant previous_end{};
    int list2 = 0;
    for (std::uint64_t i = 0; i < 300; ++i) {
        const push_frame f = source->next();
        EXPECT_EQ(f.sequence, i);
        EXPECT_EQ(f.meter, "meter1");
        EXPECT_GE(f.send_utc(), previous_end) << "frames overlap on the line at " << i;
        previous_end = f.send_utc() + transmission_time(f.wire.size(), 2400, 10);
        EXPECT_GE(f.start_offset, 0ms);
        EXPECT_LE(f.start_offset, 1000ms);
        ASSERT_FALSE(f.wire.empty());
        EXPECT_EQ(f.wire.front(), 0x7E);
        EXPECT_EQ(f.wire.back(), 0x7E);
        EXPECT_FALSE(f.invocation_counter.has_value());
        if (f.list == "list1") {
            EXPECT_EQ(f.wire.size(), 228u);  // §7.4
        } else {
            ASSERT_EQ(f.list, "list2");
            ++list2;
            EXPECT_EQ(f.wire.size(), 302u);
            // Energies as of xx:00:00, stamped with the send slot.
            EXPECT_EQ(f.values.clock.second, 5);
            meter_model reference(c);
            const instant hour = floor<hours>(f.trigger_utc);
            const snapshot at_hour = reference.take_snapshot(hour);
            EXPECT_EQ(f.values.energy, at_hour.energy);
            EXPECT_NE(f.values.energy, reference.take_snapshot(f.trigger_utc).energy);
        }
    }
    EXPECT_EQ(list2, 1);
}

TEST(meter_source, same_seed_same_frames) {
    meter_config c = profile_config("kamstrup-se-3p");
    c.start = at(2024, 6, 1, 12);
    c.jitter.distribution = jitter_distribution::normal;
    auto a = make_push_source(c, nullptr, nullptr);
    auto b = make_push_source(c, nullptr, nullptr);
    c.seed = 2;
    auto other = make_push_source(c, nullptr, nullptr);
    int differ = 0;
    for (int i = 0; i < 50; ++i) {
        const auto fa = a->next();
        const auto fb = b->next();
        const auto fo = other->next();
        EXPECT_EQ(fa.wire, fb.wire);
        EXPECT_EQ(fa.start_offset, fb.start_offset);
        differ += fa.start_offset != fo.start_offset;
    }
    EXPECT_GT(differ, 25);
}

TEST(meter_source, danish_push1_is_ciphered_with_consecutive_counters) {
    meter_config c = profile_config("kamstrup-dk-3p");
    c.start = at(2024, 7, 1, 12);
    c.initial_invocation_counter = 0x788E1;
    EXPECT_THROW(make_push_source(c, nullptr, nullptr), std::invalid_argument);
    const auto keys = test_keys();
    auto source = make_push_source(c, &keys, nullptr);
    for (std::uint32_t i = 0; i < 5; ++i) {
        const push_frame f = source->next();
        EXPECT_EQ(f.list, "push1");
        ASSERT_TRUE(f.invocation_counter.has_value());
        EXPECT_EQ(*f.invocation_counter, 0x788E1 + i);
        EXPECT_EQ(f.wire.size(), 491u);  // §7.4 encrypted push 1
        EXPECT_EQ(f.wire[3], 0x41);
        EXPECT_EQ(f.wire[4], 0x03);
        EXPECT_EQ(f.values.clock.clock_status, 0x80);  // CEST in July
        EXPECT_EQ(f.values.clock.hour, 14);
    }
}

TEST(meter_source, single_phase_and_ct_frame_sizes) {
    meter_config one = profile_config("kamstrup-no-1p");
    one.start = at(2024, 1, 1, 0);
    auto s1 = make_push_source(one, nullptr, nullptr);
    EXPECT_EQ(s1->next().wire.size(), 188u);  // list 1
    EXPECT_EQ(s1->next().wire.size(), 262u);  // list 2 at 00:00:05
    meter_config ct = profile_config("kamstrup-dk-3p-ct");
    ct.start = at(2024, 1, 1, 0);
    auto s2 = make_push_source(ct, nullptr, nullptr);
    const auto f = s2->next();
    EXPECT_EQ(f.wire.size(), 461u);
    EXPECT_EQ(f.values.identity.meter_type.substr(0, 3), "685");
}

TEST(meter_source, p1_meters_send_telegrams_at_their_own_cadence) {
    for (const char* name : {"kamstrup-p1", "sagemcom-t211", "landisgyr-e360", "kaifa-ma304h4e", "kaifa-cl109",
                             "itron-a300", "sanxing-sx631"}) {
        SCOPED_TRACE(name);
        meter_config c = profile_config(name);
        c.start = at(2024, 4, 10, 8);
        auto source = make_push_source(c, nullptr, nullptr);
        EXPECT_EQ(source->baud_rate(), 115200u);
        const push_frame a = source->next();
        const push_frame b = source->next();
        EXPECT_EQ(a.list, "p1");
        const std::string text(a.wire.begin(), a.wire.end());
        ASSERT_FALSE(text.empty());
        EXPECT_EQ(text.front(), '/');
        EXPECT_EQ(text.substr(text.size() - 2), "\r\n");
        EXPECT_EQ(b.trigger_utc - a.trigger_utc, c.p1_period);
        if (std::string(name) == "kamstrup-p1") {
            EXPECT_EQ(text.substr(0, 7), "/KAM5\r\n");
            EXPECT_EQ(a.trigger_utc, c.start + 4s);  // not aligned to x0
            EXPECT_NE(text.find("S)"), std::string::npos);  // CEST in April, local_dst
        }
    }
    meter_config bad = profile_config("kamstrup-p1");
    bad.p1_profile = "nope";
    EXPECT_THROW(make_push_source(bad, nullptr, nullptr), std::invalid_argument);
}

TEST(meter_source, unset_clock_counts_from_2000_and_keeps_the_schedule) {
    meter_config c = profile_config("kamstrup-no-3p");
    c.start = at(2024, 6, 1, 12, 0, 3) + 400ms;
    c.clock_unset = true;
    auto source = make_push_source(c, nullptr, nullptr);
    const push_frame first = source->next();
    EXPECT_EQ(first.values.clock.year, 2000);
    EXPECT_EQ(first.values.clock.clock_status, 0x01);
    EXPECT_EQ(first.values.clock.second, 10);  // x0 of the meter's own clock
    EXPECT_EQ(first.trigger_utc, c.start + 9600ms);  // the meter clock started at 00:00:00.400
}
