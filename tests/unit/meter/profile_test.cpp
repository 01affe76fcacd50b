#include "hansim/meter/profile.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "hansim/meter/clock_rule.hpp"
#include "test_data.hpp"

using namespace hansim::meter;

TEST(profile, table_is_complete_and_valid) {
    const auto& all = meter_profiles();
    ASSERT_FALSE(all.empty());
    EXPECT_EQ(all.front().name, default_profile_name);
    std::set<std::string> names;
    for (const auto& p : all) {
        SCOPED_TRACE(p.name);
        EXPECT_TRUE(names.insert(p.name).second);
        EXPECT_EQ(p.defaults.profile, p.name);
        EXPECT_FALSE(p.description.empty());
        EXPECT_EQ(p.description.find('\n'), std::string::npos);
        EXPECT_NO_THROW(validate(p.defaults));
        EXPECT_EQ(effective_meter_type(p.defaults).size(), 18u);
    }
    for (const char* wanted :
         {"kamstrup-no-3p", "kamstrup-no-3p-it", "kamstrup-no-1p", "kamstrup-se-3p", "kamstrup-dk-3p", "kamstrup-dk-1p",
          "kamstrup-dk-3p-ct", "kamstrup-ch-3p", "kamstrup-p1", "sagemcom-t211", "landisgyr-e360", "kaifa-ma304h4e",
          "kaifa-cl109", "itron-a300", "sanxing-sx631"})
        EXPECT_TRUE(names.count(wanted)) << wanted;
}

TEST(profile, defaults_follow_the_protocol_notes) {
    const meter_config no = profile_config("kamstrup-no-3p");
    EXPECT_EQ(no.clock, clock_rule::cet_fixed);
    EXPECT_EQ(no.list.energy, energy_resolution::ten_wh);
    EXPECT_EQ(no.security, hansim::security::security_policy::none);
    EXPECT_EQ(no.lists, (std::vector<push_kind>{push_kind::list1, push_kind::list2}));
    EXPECT_EQ(profile_config("kamstrup-se-3p").list.energy, energy_resolution::one_wh);
    const meter_config dk = profile_config("kamstrup-dk-3p");
    EXPECT_EQ(dk.clock, clock_rule::local_dst);
    EXPECT_EQ(dk.security, hansim::security::security_policy::encrypt_authenticate);
    EXPECT_EQ(dk.lists, std::vector<push_kind>{push_kind::push1});
    const meter_config ct = profile_config("kamstrup-dk-3p-ct");
    EXPECT_TRUE(ct.current_transformer);
    EXPECT_EQ(ct.list.current, current_resolution::milli_ampere);
    EXPECT_EQ(profile_config("kamstrup-no-3p-it").wires, wiring::three_phase_3wire);
    const meter_config p1 = profile_config("sagemcom-t211");
    EXPECT_EQ(p1.baud_rate, 115200u);
    EXPECT_EQ(p1.lists, std::vector<push_kind>{push_kind::p1});
    EXPECT_EQ(p1.p1_profile, "sagemcom-t211");
    EXPECT_EQ(find_profile("nope"), nullptr);
    try {
        profile_config("nope");
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("kamstrup-no-3p"), std::string::npos);
    }
}

// The Swiss profile's clock rule, checked against the only Swiss capture: its date-time
// (2022-10-31 11:27:00, Monday, hundredths FF, deviation 8000, status 00) is exactly what
// the profile sends at 10:27:00 UTC; and in summer the profile stays on CET with status 00,
// the assumption its caveat states.
TEST(profile, swiss_clock_rule_matches_the_swiss_capture_and_is_stated) {
    const auto apdu = hansim::test::read_hex(hansim::test::data_dir() / "reference-frames" /
                                             "kamstrup_ch_3p_dlmspush_apdu_plaintext_amsreader-gh350-2.hex");
    ASSERT_GE(apdu.size(), 18u);
    ASSERT_EQ(apdu[5], 0x0C);  // data-notification: tag, invoke id (4), then the 12-byte date-time
    const hansim::codec::bytes captured(apdu.begin() + 6, apdu.begin() + 18);

    const meter_profile* ch = find_profile("kamstrup-ch-3p");
    ASSERT_NE(ch, nullptr);
    using namespace std::chrono;
    const sys_seconds capture_utc = sys_days{year{2022} / 10 / 31} + 10h + 27min;
    EXPECT_EQ(meter_date_time(capture_utc, ch->defaults.clock).to_bytes(), captured);

    const sys_seconds summer_utc = sys_days{year{2022} / 7 / 4} + 10h + 27min;
    const auto summer = meter_date_time(summer_utc, ch->defaults.clock);
    EXPECT_EQ(summer.hour, 11);  // CET, not CEST
    EXPECT_EQ(summer.clock_status, 0x00);
    EXPECT_NE(ch->caveats.find("clock"), std::string::npos) << "the profile must say its clock rule is assumed";
}

TEST(profile, profiles_with_unseen_idents_carry_caveats) {
    for (const char* name : {"kaifa-cl109", "itron-a300", "sanxing-sx631", "kaifa-ma304h4e"}) {
        const meter_profile* p = find_profile(name);
        ASSERT_NE(p, nullptr) << name;
        EXPECT_FALSE(p->caveats.empty()) << name;
    }
    for (const char* name : {"kamstrup-no-3p", "kamstrup-p1", "landisgyr-e360"}) {
        EXPECT_TRUE(find_profile(name)->caveats.empty()) << name;
    }
}
