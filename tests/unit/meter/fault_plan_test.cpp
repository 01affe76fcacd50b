#include "hansim/meter/fault_plan.hpp"

#include "hansim/faults/catalogue.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "hansim/meter/meter_config.hpp"
#include "hansim/meter/profile.hpp"
#include "hansim/scenario/meter_settings.hpp"

using namespace hansim::meter;
using hansim::security::cipher_fault;
using hansim::security::security_policy;

namespace {

using hansim::faults::parse_fault_plan;

/// The ciphering fault the plan puts on push `sequence` (sequence rules only: no time).
std::optional<cipher_fault> fault_for(const fault_plan& plan, std::uint64_t sequence) {
    fault_selector selector(plan, 1, {});
    const auto index = selector.select(sequence, {}, [](const fault_rule& r) { return r.cipher.has_value(); });
    return index ? plan[*index].cipher : std::nullopt;
}

std::string error_of(std::string_view text) {
    try {
        (void)parse_fault_plan(text);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(no error)";
}

std::string validation_error(const fault_plan& plan, security_policy policy) {
    try {
        validate(plan, policy);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST(fault_plan, parses_single_range_and_every_rules) {
    const fault_plan plan = parse_fault_plan("corrupted_tag@3, counter_jump@10-12 ,sc_mismatch@every:5");
    ASSERT_EQ(plan.size(), 3u);
    EXPECT_EQ(plan[0].cipher, cipher_fault::corrupted_tag);
    EXPECT_EQ(plan[0].selection, frame_selection::single);
    EXPECT_EQ(plan[0].first, 3u);
    EXPECT_EQ(plan[1].cipher, cipher_fault::counter_jump);
    EXPECT_EQ(plan[1].selection, frame_selection::range);
    EXPECT_EQ(plan[1].first, 10u);
    EXPECT_EQ(plan[1].last, 12u);
    EXPECT_EQ(plan[1].param("by"), 1000);  // the default, filled in
    EXPECT_EQ(plan[2].selection, frame_selection::every);
    EXPECT_EQ(plan[2].period, 5u);
    EXPECT_EQ(to_string(plan), "corrupted_tag@3,counter_jump:by=1000@10-12,sc_mismatch@every:5");
    EXPECT_EQ(parse_fault_plan(to_string(plan)), plan);
}

TEST(fault_plan, every_fault_name_round_trips) {
    for (const auto fault : hansim::security::all_cipher_faults()) {
        const std::string text = std::string(hansim::security::to_string(fault)) + "@7";
        const fault_plan plan = parse_fault_plan(text);
        ASSERT_EQ(plan.size(), 1u);
        EXPECT_EQ(plan[0].cipher, fault);
        EXPECT_EQ(parse_fault_plan(to_string(plan)), plan);
    }
}

TEST(fault_plan, empty_text_is_no_faults) {
    EXPECT_TRUE(parse_fault_plan("").empty());
    EXPECT_TRUE(parse_fault_plan("  ").empty());
    EXPECT_EQ(to_string(fault_plan{}), "");
}

TEST(fault_plan, selection_by_sequence) {
    const fault_plan plan = parse_fault_plan("corrupted_tag@3,counter_jump@10-12,sc_mismatch@every:5,length_off_by_one@3");
    EXPECT_FALSE(fault_for(plan, 0));  // every:5 never selects frame 0
    EXPECT_FALSE(fault_for(plan, 2));
    EXPECT_EQ(fault_for(plan, 3), cipher_fault::corrupted_tag);  // the first matching rule wins
    EXPECT_EQ(fault_for(plan, 5), cipher_fault::sc_mismatch);
    EXPECT_EQ(fault_for(plan, 10), cipher_fault::counter_jump);  // range before every:5
    EXPECT_EQ(fault_for(plan, 11), cipher_fault::counter_jump);
    EXPECT_EQ(fault_for(plan, 12), cipher_fault::counter_jump);
    EXPECT_FALSE(fault_for(plan, 13));
    EXPECT_EQ(fault_for(plan, 15), cipher_fault::sc_mismatch);
    EXPECT_EQ(fault_for(parse_fault_plan("corrupted_tag@every:1"), 1), cipher_fault::corrupted_tag);
    EXPECT_FALSE(fault_for(parse_fault_plan("corrupted_tag@every:1"), 0));
}

TEST(fault_plan, errors_name_the_entry_and_the_known_faults) {
    const std::string unknown = error_of("corrupted_tag@2,corrupted_tg@3");
    EXPECT_NE(unknown.find("fault 2 'corrupted_tg@3'"), std::string::npos) << unknown;
    EXPECT_NE(unknown.find("did you mean corrupted_tag?"), std::string::npos) << unknown;
    EXPECT_NE(unknown.find("`hansim faults` lists all"), std::string::npos) << unknown;

    EXPECT_NE(error_of("corrupted_tag").find("fault 1 'corrupted_tag': expected FAULT[:PARAM=VALUE]@N"), std::string::npos);
    EXPECT_NE(error_of("counter_jump@12-10").find("range end 10 is before its start 12"), std::string::npos);
    EXPECT_NE(error_of("sc_mismatch@every:0").find("K must be at least 1"), std::string::npos);
    EXPECT_NE(error_of("sc_mismatch@every:x").find("period 'x'"), std::string::npos);
    EXPECT_NE(error_of("corrupted_tag@three").find("push 'three'"), std::string::npos);
    EXPECT_NE(error_of("corrupted_tag@-3").find("range start ''"), std::string::npos);
    EXPECT_NE(error_of("corrupted_tag@3,").find("fault 2 '': empty rule"), std::string::npos);
}

TEST(fault_plan, validation_against_the_security_policy) {
    EXPECT_EQ(validation_error(parse_fault_plan("corrupted_tag@3"), security_policy::encrypt_authenticate), "(no error)");
    EXPECT_NE(validation_error(parse_fault_plan("corrupted_tag@3"), security_policy::none).find("security is none"),
              std::string::npos);
    EXPECT_NE(validation_error(parse_fault_plan("sc_mismatch@1,corrupted_tag@3"), security_policy::encrypt)
                  .find("fault 2 'corrupted_tag@3': has no effect with security encrypt"),
              std::string::npos);
    EXPECT_NE(validation_error(parse_fault_plan("wrong_authentication_key@3"), security_policy::encrypt).find("SC 0x20"),
              std::string::npos);
    EXPECT_EQ(validation_error(parse_fault_plan("wrong_encryption_key@3"), security_policy::encrypt), "(no error)");
    EXPECT_NE(validation_error(parse_fault_plan("counter_stuck@0"), security_policy::authenticate).find("frame 0"),
              std::string::npos);
    EXPECT_NE(validation_error(parse_fault_plan("counter_backwards@0-4"), security_policy::authenticate).find("frame 0"),
              std::string::npos);
    EXPECT_EQ(validation_error(parse_fault_plan("counter_stuck@every:1"), security_policy::authenticate), "(no error)");
}

TEST(fault_plan, meter_setting_and_config_validation_name_the_field) {
    meter_config c = profile_config("kamstrup-dk-3p");
    hansim::scenario::apply_meter_setting(c, "faults", "corrupted_tag@3,counter_backwards@4");
    EXPECT_EQ(to_string(c.faults), "corrupted_tag@3,counter_backwards@4");
    EXPECT_NO_THROW(validate(c));
    EXPECT_FALSE(hansim::scenario::meter_setting_help("faults").empty());

    try {
        hansim::scenario::apply_meter_setting(c, "faults", "tag_corrupted@3");
        FAIL() << "unknown fault accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("'tag_corrupted'"), std::string::npos) << e.what();
    }

    c.security = security_policy::none;
    try {
        validate(c);
        FAIL() << "faults on a plain meter accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_EQ(std::string(e.what()).rfind("faults: fault 1 'corrupted_tag@3'", 0), 0u) << e.what();
    }
    c.faults.clear();
    EXPECT_NO_THROW(validate(c));
}
