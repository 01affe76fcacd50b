#include <gtest/gtest.h>

#include <string>

#include "hansim/meter/meter_config.hpp"
#include "hansim/meter/meter_source.hpp"
#include "hansim/meter/profile.hpp"
#include "hansim/scenario/meter_settings.hpp"

using namespace hansim;

TEST(p1_ident, unconfirmed_idents_are_configurable_per_meter) {
    auto config = meter::profile_config("itron-a300");
    scenario::apply_meter_setting(config, "p1_ident", "ITR5A300");
    const auto frame = meter::make_push_source(config, nullptr, nullptr)->next();
    const std::string text(frame.wire.begin(), frame.wire.end());
    EXPECT_EQ(text.rfind("/ITR5A300\r\n\r\n", 0), 0u) << text.substr(0, 20);
}

TEST(p1_ident, default_is_the_profile_ident) {
    const auto config = meter::profile_config("sagemcom-t211");
    EXPECT_EQ(meter::p1_profile_of(config).ident, meter::find_p1_profile("sagemcom-t211")->ident);
}

TEST(p1_ident, framing_characters_are_refused_naming_the_field) {
    auto config = meter::profile_config("kamstrup-p1");
    config.p1_ident = "KAM5!";
    try {
        meter::validate(config);
        FAIL() << "an ident with '!' was accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("p1_ident"), std::string::npos) << e.what();
    }
}
