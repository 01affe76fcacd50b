#include "hansim/meter/phase.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace hansim::meter;

namespace {
void expect_consistent(const phase_state& s) {
    EXPECT_NEAR(s.apparent_power_va, s.voltage_v * s.current_a, 1e-6);
    EXPECT_NEAR(std::abs(s.active_power_w), s.apparent_power_va * s.power_factor, 1e-6);
    EXPECT_NEAR(s.apparent_power_va * s.apparent_power_va,
                s.active_power_w * s.active_power_w + s.reactive_power_var * s.reactive_power_var, 1e-4);
}
}  // namespace

TEST(phase, every_pair_of_inputs_gives_the_same_state) {
    // Reference: 230 V, P = 1840 W, PF 0.8 -> S = 2300 VA, I = 10 A, Q = 1380 var.
    const double u = 230;
    std::vector<phase_setpoint> sets(6);
    sets[0].active_power_w = 1840, sets[0].power_factor = 0.8;
    sets[1].active_power_w = 1840, sets[1].reactive_power_var = 1380;
    sets[2].active_power_w = 1840, sets[2].current_a = 10;
    sets[3].current_a = 10, sets[3].power_factor = 0.8;
    sets[4].current_a = 10, sets[4].reactive_power_var = 1380;
    sets[5].reactive_power_var = 1380, sets[5].power_factor = 0.8;
    for (const auto& set : sets) {
        const phase_state s = derive_phase(set, u);
        expect_consistent(s);
        EXPECT_NEAR(s.active_power_w, 1840, 1e-6);
        EXPECT_NEAR(s.reactive_power_var, 1380, 1e-6);
        EXPECT_NEAR(s.current_a, 10, 1e-9);
        EXPECT_NEAR(s.power_factor, 0.8, 1e-12);
        EXPECT_EQ(s.quadrant(), 1);
    }
}

TEST(phase, export_and_capacitive_signs_pick_the_quadrant) {
    phase_setpoint solar;
    solar.active_power_w = -3000, solar.power_factor = 0.95;
    EXPECT_EQ(derive_phase(solar, 230).quadrant(), 3);  // exporting, Q follows P's sign
    solar.capacitive = true;
    EXPECT_EQ(derive_phase(solar, 230).quadrant(), 2);
    phase_setpoint cap;
    cap.current_a = 5, cap.power_factor = 0.9, cap.capacitive = true;
    const auto s = derive_phase(cap, 230);
    EXPECT_EQ(s.quadrant(), 4);
    expect_consistent(s);
    const auto r = to_reading(s);
    EXPECT_GT(r.active_import_w, 0);
    EXPECT_EQ(r.active_export_w, 0);
    EXPECT_EQ(r.reactive_import_var, 0);
    EXPECT_GT(r.reactive_export_var, 0);
    phase_setpoint exp;
    exp.current_a = 5, exp.power_factor = 1, exp.exporting = true;
    EXPECT_NEAR(derive_phase(exp, 230).active_power_w, -1150, 1e-9);
}

TEST(phase, single_values_and_idle) {
    phase_setpoint p;
    p.active_power_w = 460;
    auto s = derive_phase(p, 230);
    EXPECT_NEAR(s.current_a, 2, 1e-12);
    EXPECT_EQ(s.power_factor, 1);
    EXPECT_EQ(s.reactive_power_var, 0);
    s = derive_phase(phase_setpoint{}, 230);
    EXPECT_EQ(s.current_a, 0);
    EXPECT_EQ(s.active_power_w, 0);
    EXPECT_EQ(s.voltage_v, 230);
}

TEST(phase, impossible_or_overdetermined_inputs_are_rejected) {
    phase_setpoint too_much;
    too_much.active_power_w = 1000, too_much.current_a = 1;  // 230 VA < 1000 W
    EXPECT_THROW(derive_phase(too_much, 230), std::invalid_argument);
    phase_setpoint three;
    three.active_power_w = 1000, three.current_a = 5, three.power_factor = 0.9;
    EXPECT_THROW(derive_phase(three, 230), std::invalid_argument);
    phase_setpoint bad_pf;
    bad_pf.power_factor = 1.2;
    EXPECT_THROW(derive_phase(bad_pf, 230), std::invalid_argument);
}
