#include "hansim/meter/meter_model.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "hansim/meter/meter_source.hpp"
#include "hansim/meter/profile.hpp"

using namespace hansim::meter;
using namespace std::chrono;
using instant = sys_time<milliseconds>;

namespace {
instant at(int y, unsigned m, unsigned d, int h, int min = 0, int s = 0) {
    return instant{sys_days{year{y} / month{m} / day{d}} + hours{h} + minutes{min} + seconds{s}};
}

// Independent reference: exact Σ P·Δt in mW·ms with 128-bit sums, floored to mWh at the end.
struct exact_register {
    __extension__ typedef __int128 wide;
    wide mw_ms = 0;
    std::int64_t read(std::int64_t initial_mwh) const {
        return initial_mwh + static_cast<std::int64_t>(mw_ms / 3'600'000);
    }
};


// Runs a meter for `length` with power changing every `step` and compares every register
// with an independent 128-bit sum of P·Δt at ~irregular instants.
void check_exact_integral(milliseconds step, milliseconds length) {
    meter_config c = profile_config("kamstrup-no-3p");
    c.load.shape = load_shape::solar;  // imports at night, exports around noon: all four registers move
    c.load.solar_peak_w = 9000;
    c.load.noise = 0.3;
    c.load.capacitive = false;
    c.integration_step = step;
    c.initial_energy = {123'456'789, 1'000, 2'000, 3'000};
    c.initial_phase_energy = std::array<energy_registers, 3>{};
    (*c.initial_phase_energy)[1] = {5, 6, 7, 8};
    c.start = at(2023, 6, 1, 0) + 3500ms;
    meter_model model(c);

    exact_register a_plus, a_minus, r_plus, r_minus;
    std::array<exact_register, 3> phase_plus, phase_minus;
    const instant end = c.start + length;
    instant t = c.start;
    std::int64_t irregular = 0;
    int checks = 0;
    while (t < end) {
        // Reference: one step-cell (or part of it) at a time, using the model's power samples.
        const instant cell_end = instant{(t.time_since_epoch() / c.integration_step + 1) * c.integration_step};
        const instant next = std::min(cell_end, end);
        const power_sample s = model.sample_at(t);
        const auto dt = static_cast<exact_register::wide>((next - t).count());
        const std::int64_t net_p = s.active_mw[0] + s.active_mw[1] + s.active_mw[2];
        const std::int64_t net_q = s.reactive_mvar[0] + s.reactive_mvar[1] + s.reactive_mvar[2];
        (net_p >= 0 ? a_plus : a_minus).mw_ms += dt * (net_p >= 0 ? net_p : -net_p);
        (net_q >= 0 ? r_plus : r_minus).mw_ms += dt * (net_q >= 0 ? net_q : -net_q);
        for (std::size_t i = 0; i < 3; ++i) {
            const auto p = s.active_mw[i];
            (p >= 0 ? phase_plus[i] : phase_minus[i]).mw_ms += dt * (p >= 0 ? p : -p);
        }
        t = next;
        // Advance the model in irregular chunks (like list pushes with jitter) and compare.
        if (++irregular % 997 == 0 || t == end) {
            const snapshot snap = model.take_snapshot(t);
            ++checks;
            ASSERT_EQ(snap.energy.active_import_mwh, a_plus.read(c.initial_energy.active_import_mwh));
            ASSERT_EQ(snap.energy.active_export_mwh, a_minus.read(c.initial_energy.active_export_mwh));
            ASSERT_EQ(snap.energy.reactive_import_mvarh, r_plus.read(c.initial_energy.reactive_import_mvarh));
            ASSERT_EQ(snap.energy.reactive_export_mvarh, r_minus.read(c.initial_energy.reactive_export_mvarh));
            for (std::size_t i = 0; i < 3; ++i) {
                ASSERT_EQ(snap.phases[i].energy.active_import_mwh,
                          phase_plus[i].read((*c.initial_phase_energy)[i].active_import_mwh));
                ASSERT_EQ(snap.phases[i].energy.active_export_mwh,
                          phase_minus[i].read((*c.initial_phase_energy)[i].active_export_mwh));
            }
        }
    }
    EXPECT_GT(checks, 250);
    const auto final_energy = model.total_energy();
    EXPECT_GT(final_energy.active_export_mwh, c.initial_energy.active_export_mwh + 1'000'000);  // the sun did export
    EXPECT_GT(final_energy.active_import_mwh, c.initial_energy.active_import_mwh + 1'000'000);
}
}  // namespace

TEST(meter_model, a_simulated_year_keeps_every_register_equal_to_the_exact_integral) {
    check_exact_integral(10s, days(365));  // power changes every 10 s (the list period)
}

TEST(meter_model, three_days_at_one_second_steps_stay_exact) {
    check_exact_integral(1s, days(3));
}

TEST(meter_model, snapshot_quantities_agree_with_each_other) {
    meter_config c = profile_config("kamstrup-no-3p");
    c.start = at(2024, 1, 15, 17);
    meter_model model(c);
    const snapshot s = model.take_snapshot(c.start + 5min);
    double p = 0;
    for (const auto& ph : s.phases) {
        const double active = ph.active_import_w - ph.active_export_w;
        const double reactive = ph.reactive_import_var - ph.reactive_export_var;
        const double apparent = std::hypot(active, reactive);
        EXPECT_NEAR(apparent, ph.voltage_v * ph.current_a, 0.01);
        EXPECT_NEAR(std::abs(active), apparent * ph.power_factor, 0.01);
        EXPECT_GT(ph.voltage_v, 220);
        p += active;
    }
    EXPECT_NEAR(s.active_import_w - s.active_export_w, p, 1e-6);
    EXPECT_GT(s.active_import_w, 1000);  // evening peak
    EXPECT_EQ(s.identity.gs1_id, "5706567123456784");
    EXPECT_EQ(s.identity.meter_type, "6841131BN243101040");
    EXPECT_EQ(s.clock.hour, 18);  // cet_fixed
    EXPECT_EQ(s.clock.minute, 5);
    EXPECT_EQ(s.utc, c.start + 5min);
}

TEST(meter_model, fixed_phases_win_over_the_load_profile) {
    meter_config c = profile_config("kamstrup-no-3p");
    c.start = at(2024, 1, 15, 12);
    phase_setpoint l1;
    l1.voltage_v = 231, l1.current_a = 10, l1.power_factor = 0.9;
    phase_setpoint l2;
    l2.active_power_w = -2000, l2.power_factor = 1;  // solar on L2
    c.fixed_phases = {l1, l2, phase_setpoint{}};
    c.initial_energy = {};
    meter_model model(c);
    const snapshot s = model.take_snapshot(c.start + 1h);
    EXPECT_NEAR(s.phases[0].active_import_w, 2079, 0.001);
    EXPECT_NEAR(s.phases[0].current_a, 10, 1e-9);
    EXPECT_NEAR(s.phases[1].active_export_w, 2000, 1e-9);
    EXPECT_EQ(s.phases[2].current_a, 0);
    EXPECT_NEAR(s.active_import_w, 79, 0.001);  // vector summation: net import
    EXPECT_EQ(s.active_export_w, 0);
    EXPECT_EQ(s.energy.active_import_mwh, 79'000);
    EXPECT_EQ(s.phases[1].energy.active_export_mwh, 2'000'000);
}

TEST(meter_model, three_wire_meters_list_line_to_line_voltages) {
    meter_config c = profile_config("kamstrup-no-3p-it");
    c.start = at(2024, 1, 15, 12);
    c.load.voltage_spread_v = 0;
    meter_model model(c);
    const snapshot s = model.take_snapshot(c.start);
    for (const auto& ph : s.phases) EXPECT_NEAR(ph.voltage_v, 230, 1e-9);
    EXPECT_EQ(s.identity.meter_type.substr(0, 7), "6841121");
}

TEST(meter_model, single_phase_uses_l1_only_and_time_never_goes_back) {
    meter_config c = profile_config("kamstrup-no-1p");
    c.start = at(2024, 1, 15, 12);
    meter_model model(c);
    const snapshot s = model.take_snapshot(c.start + 1h);
    EXPECT_GT(s.phases[0].current_a, 0);
    EXPECT_EQ(s.phases[1].current_a, 0);
    EXPECT_EQ(s.phases[2].voltage_v, 0);
    EXPECT_THROW(model.advance_to(c.start), std::logic_error);
}

TEST(meter_model, unset_clock_and_offset) {
    meter_config c = profile_config("kamstrup-no-3p");
    c.start = at(2024, 5, 5, 10, 0, 0);
    c.clock_unset = true;
    meter_model model(c);
    const snapshot s = model.take_snapshot(c.start + 90s);
    EXPECT_EQ(s.clock.year, 2000);
    EXPECT_EQ(s.clock.month, 1);
    EXPECT_EQ(s.clock.minute, 1);
    EXPECT_EQ(s.clock.second, 30);
    EXPECT_EQ(s.clock.clock_status, 0x01);
    c.clock_unset = false;
    c.clock_offset = -30s;
    meter_model late(c);
    EXPECT_EQ(late.take_snapshot(c.start).clock.minute, 59);
}

TEST(meter_model, invalid_configs_name_the_field) {
    meter_config c = profile_config("kamstrup-no-3p");
    c.serial = 123456789;
    try {
        meter_model m(c);
        FAIL() << "no exception";
    } catch (const std::invalid_argument& e) {
        EXPECT_EQ(std::string(e.what()).rfind("serial: ", 0), 0u) << e.what();
    }
    c = profile_config("kamstrup-no-3p");
    c.list2_delay_steps = 9;  // a push setting: the push source checks it; the model never sees it
    EXPECT_THROW(make_push_source(c, nullptr, nullptr), std::invalid_argument);
    EXPECT_NO_THROW(meter_model{c});
    c = profile_config("kamstrup-no-3p");
    c.integration_step = 0ms;  // physics: the model checks it itself
    EXPECT_THROW(meter_model{c}, std::invalid_argument);
}

TEST(meter_model, per_phase_registers_start_as_a_split_of_the_totals) {
    for (const char* profile : {"kamstrup-dk-3p", "kamstrup-dk-1p", "kamstrup-ch-3p", "kamstrup-no-3p-it"}) {
        SCOPED_TRACE(profile);
        meter_config c = profile_config(profile);
        c.start = at(2024, 1, 1, 0);
        meter_model model(c);
        const snapshot snap = model.take_snapshot(c.start);
        energy_registers sum{};
        for (const auto& p : snap.phases) {
            sum.active_import_mwh += p.energy.active_import_mwh;
            sum.active_export_mwh += p.energy.active_export_mwh;
            sum.reactive_import_mvarh += p.energy.reactive_import_mvarh;
            sum.reactive_export_mvarh += p.energy.reactive_export_mvarh;
        }
        EXPECT_EQ(sum, snap.energy);
        EXPECT_GT(snap.phases[0].energy.active_import_mwh, 0);
        if (c.wires == wiring::single_phase) {
            EXPECT_EQ(snap.phases[1].energy, energy_registers{});
            EXPECT_EQ(snap.phases[2].energy, energy_registers{});
        } else {
            // By default the load's phase shares (0.45, 0.33, 0.22): L1 carries the most.
            EXPECT_GT(snap.phases[0].energy.active_import_mwh, snap.phases[1].energy.active_import_mwh);
            EXPECT_GT(snap.phases[1].energy.active_import_mwh, snap.phases[2].energy.active_import_mwh);
        }
    }
}

TEST(meter_model, the_split_is_settable_and_given_phases_are_kept) {
    meter_config c = profile_config("kamstrup-dk-3p");
    c.start = at(2024, 1, 1, 0);
    c.initial_energy = {30'000'000, 0, 0, 0};
    c.initial_phase_split = std::array<double, 3>{1, 1, 1};
    EXPECT_EQ(initial_phase_energy_of(c)[2].active_import_mwh, 10'000'000);
    c.initial_phase_split = std::array<double, 3>{0, 0, 0};
    EXPECT_THROW(meter_model{c}, std::invalid_argument);
    c.initial_phase_split.reset();
    c.initial_phase_energy = std::array<energy_registers, 3>{energy_registers{1, 2, 3, 4}, {}, {}};
    meter_model model(c);
    EXPECT_EQ(model.phase_energy(0), (energy_registers{1, 2, 3, 4}));
}
