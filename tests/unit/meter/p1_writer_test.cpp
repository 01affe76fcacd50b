// The P1 writer that checks a profile once (p1_telegram_writer, and build_push_wire through
// the built-in writers) against the telegram model written by the codec
// (write_telegram_text(build_p1_telegram_model(...))): byte for byte for every built-in
// profile, every wiring and hand-made snapshots at the edges (zero, negative, exporting,
// energies wider than their lines, the end of the century), and the same errors.
#include <gtest/gtest.h>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "hansim/codec/p1/writer.hpp"
#include "hansim/meter/meter_model.hpp"
#include "hansim/meter/meter_source.hpp"
#include "hansim/meter/p1_telegram.hpp"
#include "hansim/meter/profile.hpp"

using namespace hansim;
using namespace hansim::meter;
using namespace std::chrono;

namespace {

// The text, or "error: " and the message of the std::invalid_argument it threw.
std::string outcome(const std::function<std::string()>& build) {
    try {
        return build();
    } catch (const std::invalid_argument& e) {
        return std::string("error: ") + e.what();
    }
}

std::string by_model(const snapshot& values, p1_profile profile, std::string_view ident) {
    profile.ident = std::string(ident);
    return codec::p1::write_telegram_text(build_p1_telegram_model(values, profile));
}

snapshot at_clock(int year, int month, int day, int hour, int minute, int second, bool dst) {
    snapshot s;
    s.clock.year = static_cast<std::uint16_t>(year);
    s.clock.month = static_cast<std::uint8_t>(month);
    s.clock.day = static_cast<std::uint8_t>(day);
    s.clock.hour = static_cast<std::uint8_t>(hour);
    s.clock.minute = static_cast<std::uint8_t>(minute);
    s.clock.second = static_cast<std::uint8_t>(second);
    s.daylight_saving = dst;
    return s;
}

// Every value of `s` set from one base, with halves where rounding to nearest decides.
void set_values(snapshot& s, double w, std::int64_t mwh) {
    s.active_import_w = w;
    s.active_export_w = w / 3;
    s.reactive_import_var = w / 7 + 0.5;
    s.reactive_export_var = w / 11;
    s.power_factor = 0.9995;
    s.energy = {mwh, mwh / 2 + 499, mwh / 3 + 500, mwh / 5 + 999};
    for (std::size_t i = 0; i < 3; ++i) {
        auto& p = s.phases[i];
        p.voltage_v = 229.95 + static_cast<double>(i);
        p.current_a = w / 230.0 + 0.05 * static_cast<double>(i);
        p.active_import_w = w / 3 + 0.5;
        p.active_export_w = w / 5 - 0.5;
        p.reactive_import_var = w / 13;
        p.reactive_export_var = w / 17 + 411.5;
        p.power_factor = 0.25 * static_cast<double>(i + 1);
    }
}

std::vector<snapshot> edge_snapshots() {
    std::vector<snapshot> out;
    out.push_back(at_clock(2024, 1, 1, 0, 0, 0, false));  // every value zero
    snapshot typical = at_clock(2024, 1, 15, 13, 45, 20, false);
    set_values(typical, 1234.5, 123'456'789'012);
    out.push_back(typical);
    snapshot exporting = at_clock(2024, 6, 30, 23, 59, 59, true);
    set_values(exporting, 8'765.4321, 5'000'001);
    exporting.active_import_w = 0;
    exporting.reactive_import_var = 321;
    out.push_back(exporting);
    snapshot negative = at_clock(2025, 10, 26, 2, 30, 0, true);  // signs a meter never sends
    set_values(negative, -4'321.5, -1'234'567);
    negative.energy.reactive_export_mvarh = -1;  // rounds down to -0.001
    negative.power_factor = -0.5;
    out.push_back(negative);
    snapshot large = at_clock(2099, 12, 31, 23, 59, 59, false);
    set_values(large, 98'765'432.1, 987'654'321'987'654'321);  // energies wider than 8.3
    out.push_back(large);
    snapshot widest = at_clock(2000, 2, 29, 12, 0, 0, false);  // the most digits a line takes
    set_values(widest, 1.0, INT64_MAX);                        // 16 digits of kWh
    widest.active_import_w = 9.87654321e17;                    // 18 digits of kW
    widest.phases[1].active_export_w = 9.87654321e17;
    out.push_back(widest);
    return out;
}

// Snapshots of the meter model over a day of sun (import, export, every quadrant).
std::vector<snapshot> model_snapshots() {
    std::vector<snapshot> out;
    for (const char* base : {"kamstrup-p1", "kamstrup-no-1p"}) {
        meter_config c = profile_config(base);
        c.load.shape = load_shape::solar;
        c.load.solar_peak_w = 12'000;
        c.load.noise = 0.4;
        c.initial_energy = {987'654'321'012, 5'000'001, 123'456'789, 42};
        c.start = sys_time<milliseconds>{sys_days{year{2024} / 3 / 31} + 1h + 1234ms};  // across the DST change
        meter_model model(c);
        for (int i = 0; i < 24; ++i) out.push_back(model.take_snapshot(c.start + minutes(61) * i));
    }
    return out;
}

}  // namespace

TEST(p1_writer, every_built_in_profile_writes_the_model_bytes) {
    std::vector<snapshot> snapshots = edge_snapshots();
    for (const auto& s : model_snapshots()) snapshots.push_back(s);
    std::size_t compared = 0;
    for (const auto& profile : p1_profiles()) {
        const p1_telegram_writer* writer = find_p1_telegram_writer(profile.name);
        ASSERT_NE(writer, nullptr) << profile.name;
        EXPECT_EQ(&writer->profile(), &profile);
        for (const wiring wires : {wiring::single_phase, wiring::three_phase_4wire, wiring::three_phase_3wire}) {
            for (std::size_t i = 0; i < snapshots.size(); ++i) {
                snapshot s = snapshots[i];
                s.wires = wires;
                for (const std::string& ident : {profile.ident, std::string("XYZ5\\2ABC_x")}) {
                    const std::string expected = by_model(s, profile, ident);
                    const auto direct = writer->try_build(s, ident);  // not by way of the model
                    ASSERT_TRUE(direct.has_value()) << profile.name << " snapshot " << i;
                    ASSERT_EQ(*direct, expected) << profile.name << " snapshot " << i;
                    ASSERT_EQ(writer->build(s, ident), expected) << profile.name << " snapshot " << i;
                    ASSERT_EQ(build_p1_telegram(s, profile, ident), expected) << profile.name << " snapshot " << i;
                    ++compared;
                }
                // build_push_wire, as a running meter sends it (the profile's ident).
                meter_config c = profile_config("kamstrup-p1");
                c.p1_profile = profile.name;
                const auto wire = build_push_wire(push_kind::p1, s, c, nullptr, 0);
                ASSERT_EQ(std::string(wire.begin(), wire.end()), by_model(s, profile, profile.ident)) << profile.name;
            }
        }
    }
    EXPECT_GT(compared, 1000u);
}

TEST(p1_writer, values_that_do_not_fit_fail_as_the_model_does) {
    const p1_telegram_writer& writer = *find_p1_telegram_writer("kamstrup-p1");
    const p1_profile& profile = writer.profile();
    snapshot s = edge_snapshots()[1];
    const auto same = [&](const snapshot& bad) {
        const std::string fast = outcome([&] { return writer.build(bad, profile.ident); });
        EXPECT_EQ(fast.rfind("error: ", 0), 0u) << fast;
        EXPECT_FALSE(writer.try_build(bad, profile.ident).has_value());
        EXPECT_EQ(fast, outcome([&] { return by_model(bad, profile, profile.ident); }));
        return fast;
    };
    snapshot too_wide = s;
    too_wide.phases[1].active_export_w = 1e18;  // 19 digits of kW
    EXPECT_EQ(same(too_wide), "error: P1 number 1000000000000000000 with 3 decimals needs more than 18 digits");
    snapshot huge = s;
    huge.phases[2].current_a = 1e300;
    EXPECT_EQ(same(huge).rfind("error: P1 value 1", 0), 0u);
    snapshot no_clock = s;
    no_clock.clock.month = 13;
    EXPECT_EQ(same(no_clock), "error: P1 writer: line 1 (0-0:1.0.0) has an out-of-range timestamp 241315134520W");
}

TEST(p1_writer, a_bad_profile_fails_as_before) {
    const snapshot s = edge_snapshots()[1];
    const p1_profile& good = *find_p1_profile("kamstrup-p1");
    // The writer's text or error, checked against the model path's and build_p1_telegram's.
    const auto outcome_of = [&](const p1_profile& p, std::string_view ident, wiring wires) {
        snapshot w = s;
        w.wires = wires;
        const p1_telegram_writer writer(p);
        const std::string fast = outcome([&] { return writer.build(w, ident); });
        EXPECT_EQ(writer.try_build(w, ident).has_value(), fast.rfind("error: ", 0) != 0) << fast;
        EXPECT_EQ(fast, outcome([&] { return by_model(w, p, ident); })) << fast;
        EXPECT_EQ(fast, outcome([&] { return build_p1_telegram(w, p, ident); }));
        return fast;
    };
    const auto three = wiring::three_phase_4wire, single = wiring::single_phase;

    p1_profile bad_obis = good;
    bad_obis.lines[3].obis = "1-0:1.8";
    EXPECT_EQ(outcome_of(bad_obis, good.ident, three), "error: P1 writer: line 4 (1-0:1.8) has malformed OBIS text '1-0:1.8'");
    EXPECT_EQ(outcome_of(bad_obis, good.ident, single), "error: P1 writer: line 4 (1-0:1.8) has malformed OBIS text '1-0:1.8'");

    p1_profile bad_unit = good;
    bad_unit.lines[4].unit = "k W";
    EXPECT_EQ(outcome_of(bad_unit, good.ident, three), "error: P1 number unit 'k W' must be letters and digits only");

    p1_profile bad_clock_obis = good;
    bad_clock_obis.lines[0].obis = "0-0:1.0.0.256";
    EXPECT_EQ(outcome_of(bad_clock_obis, good.ident, three),
              "error: P1 writer: line 1 (0-0:1.0.0.256) has malformed OBIS text '0-0:1.0.0.256'");

    // A bad L2 line: a single-phase telegram leaves it out and is written; three-phase fails.
    p1_profile bad_l2 = good;
    std::size_t l2 = 0;
    while (!bad_l2.lines[l2].belongs_to_l2_or_l3()) ++l2;
    bad_l2.lines[l2].unit = "kW!";
    EXPECT_EQ(outcome_of(bad_l2, good.ident, three), "error: P1 number unit 'kW!' must be letters and digits only");
    snapshot single_phase = s;
    single_phase.wires = single;
    EXPECT_EQ(outcome_of(bad_l2, good.ident, single), by_model(single_phase, good, good.ident));

    p1_profile bad_phase = good;
    bad_phase.lines[5].phase = 3;
    EXPECT_EQ(outcome_of(bad_phase, good.ident, three), "error: P1 profile line 1-0:1.7.0 names phase 4");

    p1_profile no_value = good;
    no_value.lines[2].quantity = p1_quantity::fixed;
    no_value.lines[2].fixed.reset();
    EXPECT_EQ(outcome_of(no_value, "KAM!5", three), "error: P1 profile line 1-0:2.8.0 is fixed but has no value");

    p1_profile bad_text = good;
    bad_text.lines[1].quantity = p1_quantity::fixed;
    bad_text.lines[1].fixed = codec::p1::text{"a)b"};
    EXPECT_EQ(outcome_of(bad_text, good.ident, three),
              "error: P1 writer: line 2 (1-0:1.8.0) text value contains ')', which would break the telegram framing");

    p1_profile too_many_digits = good;
    too_many_digits.lines[6].integer_digits = 16;  // 16 + 3 decimals
    EXPECT_EQ(outcome_of(too_many_digits, good.ident, three),
              "error: P1 number 412 with 3 decimals needs more than 18 digits");

    // An energy line of 6 or more decimals scales mWh up: a large register no longer fits
    // int64 and is named, rather than wrapping (undefined) into a wrong number.
    p1_profile many_decimals = good;
    std::size_t energy = 0;
    while (many_decimals.lines[energy].quantity != p1_quantity::active_import_energy) ++energy;
    many_decimals.lines[energy].integer_digits = 2;
    many_decimals.lines[energy].decimals = 16;
    EXPECT_EQ(outcome_of(many_decimals, good.ident, three),
              "error: P1 energy of 123456789012 m-units with 16 decimals does not fit the line");
    snapshot small = s;
    small.energy.active_import_mwh = 12'345;  // 0.012345 kWh: fits, exactly scaled up
    const std::string written = p1_telegram_writer(many_decimals).build(small, good.ident);
    EXPECT_NE(written.find("1-0:1.8.0(00.0123450000000000*kWh)"), std::string::npos) << written;

    EXPECT_EQ(outcome_of(good, "KAM\r\n5", three),
              "error: P1 writer: header ident contains 'CR', which would break the telegram framing");
}
