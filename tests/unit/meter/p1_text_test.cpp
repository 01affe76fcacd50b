// The P1 telegram written straight from the profile (build_p1_telegram) against the telegram
// model written by the codec (write_telegram_text(build_p1_telegram_model(...))): the same
// bytes for every profile over a varied day, and the same errors.
#include <gtest/gtest.h>

#include <functional>
#include <stdexcept>
#include <string>

#include "hansim/codec/p1/writer.hpp"
#include "hansim/meter/meter_model.hpp"
#include "hansim/meter/p1_telegram.hpp"
#include "hansim/meter/profile.hpp"

using namespace hansim;
using namespace hansim::meter;
using namespace std::chrono;

namespace {
std::string by_model(const snapshot& values, p1_profile profile, const std::string& ident) {
    profile.ident = ident;
    return codec::p1::write_telegram_text(build_p1_telegram_model(values, profile));
}

std::string error_of(const std::function<std::string()>& build) {
    try {
        build();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(no error)";
}
}  // namespace

TEST(p1_text, direct_telegrams_equal_the_written_model) {
    std::size_t compared = 0;
    for (const char* base : {"kamstrup-p1", "kamstrup-no-1p", "kamstrup-no-3p"}) {
        meter_config c = profile_config(base);
        c.load.shape = load_shape::solar;  // import and export, every quadrant over the day
        c.load.solar_peak_w = 12'000;
        c.load.noise = 0.4;
        c.initial_energy = {987'654'321'012, 5'000'001, 123'456'789, 42};
        c.initial_phase_energy.reset();
        c.start = sys_time<milliseconds>{sys_days{year{2024} / 3 / 30} + 22h + 1234ms};  // across the DST change
        meter_model model(c);
        for (int i = 0; i < 300; ++i) {
            const snapshot s = model.take_snapshot(c.start + minutes(7) * i + milliseconds(137 * i));
            for (const auto& profile : p1_profiles()) {
                for (const std::string& ident : {profile.ident, std::string("XYZ5\\2ABC_x")}) {
                    ASSERT_EQ(build_p1_telegram(s, profile, ident), by_model(s, profile, ident))
                        << profile.name << " at " << i;
                    ++compared;
                }
            }
        }
    }
    EXPECT_GT(compared, 5000u);
}

TEST(p1_text, direct_telegrams_fail_as_the_model_does) {
    meter_config c = profile_config("kamstrup-p1");
    meter_model model(c);
    const snapshot s = model.take_snapshot(c.start + 10s);
    p1_profile profile = *find_p1_profile("kamstrup-p1");
    const auto same_error = [&](const p1_profile& p, const std::string& ident) {
        const std::string direct = error_of([&] { return build_p1_telegram(s, p, ident); });
        EXPECT_NE(direct, "(no error)");
        EXPECT_EQ(direct, error_of([&] { return by_model(s, p, ident); }));
    };
    same_error(profile, "KAM!5");  // framing character in the ident
    p1_profile bad_obis = profile;
    bad_obis.lines[3].obis = "1-0:1.8";
    same_error(bad_obis, profile.ident);
    p1_profile no_value = profile;
    no_value.lines[2].quantity = p1_quantity::fixed;
    no_value.lines[2].fixed.reset();
    same_error(no_value, "KAM!5");  // two faults: the model's (the value) is named first
    p1_profile bad_text = profile;
    bad_text.lines[1].quantity = p1_quantity::fixed;
    bad_text.lines[1].fixed = codec::p1::text{"a)b"};
    same_error(bad_text, profile.ident);
    p1_profile bad_unit = profile;
    bad_unit.lines[4].unit = "k W";
    same_error(bad_unit, profile.ident);
    p1_profile bad_phase = profile;
    bad_phase.lines[5].phase = 3;
    same_error(bad_phase, profile.ident);
}
