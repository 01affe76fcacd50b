#include "hansim/meter/energy_integrator.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace hansim::meter;
using namespace std::chrono_literals;

TEST(energy_integrator, accumulator_is_exact_and_carries_the_remainder) {
    energy_accumulator a;
    for (int i = 0; i < 3600; ++i) a.add(1000, 1s);  // 1 W for an hour in 1 s steps
    EXPECT_EQ(a.mwh(), 1000);
    EXPECT_EQ(a.remainder_mw_ms(), 0);
    energy_accumulator b(5);
    b.add(1, 1ms);  // 1 mW·ms: far below 1 mWh
    EXPECT_EQ(b.mwh(), 5);
    EXPECT_EQ(b.remainder_mw_ms(), 1);
    for (int i = 0; i < 3'599'999; i += 1) b.add(1, 1ms);
    EXPECT_EQ(b.mwh(), 6);
    EXPECT_EQ(b.remainder_mw_ms(), 0);
    energy_accumulator big;
    big.add(1'000'000'000, std::chrono::hours(24 * 366 * 10));  // 1 MW for ten years in one go
    EXPECT_EQ(big.mwh(), 1'000'000'000LL * 24 * 366 * 10);
    EXPECT_THROW(big.add(-1, 1s), std::invalid_argument);
}

TEST(energy_integrator, summation_methods_differ_as_documented) {
    power_sample s;
    s.active_mw = {2'000'000, -500'000, 0};  // L1 imports 2 kW, L2 exports 0.5 kW
    s.reactive_mvar = {100'000, -300'000, 0};
    const std::array<energy_registers, 3> zero{};
    energy_integrator vec(energy_method::vector_summation, {}, zero);
    energy_integrator ind(energy_method::individual_phases, {}, zero);
    energy_integrator tot(energy_method::total_summation, {}, zero);
    for (auto* e : {&vec, &ind, &tot}) e->integrate(s, 1h);
    EXPECT_EQ(vec.total(), (energy_registers{1'500'000, 0, 0, 200'000}));
    EXPECT_EQ(ind.total(), (energy_registers{2'000'000, 500'000, 100'000, 300'000}));
    EXPECT_EQ(tot.total(), (energy_registers{2'500'000, 0, 400'000, 0}));
    for (auto* e : {&vec, &ind, &tot}) {
        EXPECT_EQ(e->phase(0), (energy_registers{2'000'000, 0, 100'000, 0}));
        EXPECT_EQ(e->phase(1), (energy_registers{0, 500'000, 0, 300'000}));
        EXPECT_EQ(e->phase(2), energy_registers{});
    }
    EXPECT_EQ(parse_energy_method("vector-summation"), energy_method::vector_summation);
    EXPECT_THROW(parse_energy_method("sum"), std::invalid_argument);
}

TEST(energy_integrator, initial_readings_are_kept) {
    energy_registers start{10, 20, 30, 40};
    std::array<energy_registers, 3> phases{energy_registers{1, 2, 3, 4}, energy_registers{}, energy_registers{}};
    energy_integrator e(energy_method::vector_summation, start, phases);
    EXPECT_EQ(e.total(), start);
    EXPECT_EQ(e.phase(0), phases[0]);
}

namespace {
std::int64_t read_out(std::int64_t mwh, std::int64_t resolution_mwh) { return mwh / resolution_mwh; }
}  // namespace

TEST(energy_split, phases_add_up_to_the_total_exactly_and_at_both_resolutions) {
    const std::array<std::array<double, 3>, 5> weights{{{1, 1, 1}, {0.45, 0.33, 0.22}, {1, 0, 0}, {0, 2, 1}, {61079, 93156, 19174}}};
    const std::array<std::int64_t, 6> totals{0, 1, 9'999, 12'345'670'000, 8'666'365'432, 900'000'000'000'000'007};
    for (const auto& w : weights)
        for (std::int64_t t : totals) {
            const energy_registers total{t, t / 3, t / 7, 12'345};
            const auto phases = split_energy(total, w);
            auto sum = [&](std::int64_t energy_registers::*reg) {
                return phases[0].*reg + phases[1].*reg + phases[2].*reg;
            };
            for (auto reg : {&energy_registers::active_import_mwh, &energy_registers::active_export_mwh,
                             &energy_registers::reactive_import_mvarh, &energy_registers::reactive_export_mvarh}) {
                EXPECT_EQ(sum(reg), total.*reg);
                for (std::int64_t resolution : {1'000, 10'000}) {  // 1 Wh and 10 Wh registers
                    std::int64_t wire = 0;
                    for (const auto& p : phases) wire += read_out(p.*reg, resolution);
                    EXPECT_EQ(wire, read_out(total.*reg, resolution)) << t << " at " << resolution;
                }
                for (std::size_t i = 0; i < 3; ++i) {
                    if (w[i] == 0) {
                        EXPECT_EQ(phases[i].*reg, 0);
                    }
                    EXPECT_GE(phases[i].*reg, 0);
                }
            }
        }
}

TEST(energy_split, shares_follow_the_weights_to_within_one_register_step) {
    const energy_registers total{8'666'360'000, 0, 0, 0};  // the Danish capture's A+ (866636 × 10 Wh)
    const auto phases = split_energy(total, {288932, 288652, 289051});  // … split as its L1/L2/L3 were
    EXPECT_NEAR(static_cast<double>(phases[0].active_import_mwh), 2'889'320'000.0, 10'000.0);
    EXPECT_NEAR(static_cast<double>(phases[1].active_import_mwh), 2'886'520'000.0, 10'000.0);
    EXPECT_NEAR(static_cast<double>(phases[2].active_import_mwh), 2'890'510'000.0, 10'000.0);
    const auto equal = split_energy({30'000, 0, 0, 0}, {1, 1, 1});
    EXPECT_EQ(equal[0].active_import_mwh, 10'000);
    EXPECT_EQ(equal[1].active_import_mwh, 10'000);
    EXPECT_EQ(equal[2].active_import_mwh, 10'000);
}

TEST(energy_split, refuses_weights_that_share_nothing) {
    EXPECT_THROW(split_energy({}, {0, 0, 0}), std::invalid_argument);
    EXPECT_THROW(split_energy({}, {1, -1, 1}), std::invalid_argument);
    EXPECT_THROW(split_energy({}, {1, std::nan(""), 1}), std::invalid_argument);
}

TEST(energy_integrator, round_half_away_is_llround) {
    const double edges[] = {0.0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994, -0.49999999999999994,
                            1e15 + 0.5, -1e15 - 0.5, 4503599627370495.5, -4503599627370495.5, 0x1p52, -0x1p52,
                            0x1p52 + 1, 0x1p62, -0x1p62, 123456.4999, 999.5000000001, -7.5};
    for (double x : edges) EXPECT_EQ(round_half_away(x), std::llround(x)) << x;
    // Powers as the model makes them: watts times 1000, all fractions.
    std::uint64_t state = 88172645463325252ull;
    for (int i = 0; i < 200'000; ++i) {
        state ^= state << 13, state ^= state >> 7, state ^= state << 17;
        const double unit = static_cast<double>(state >> 11) * 0x1p-53;
        const double x = (unit - 0.5) * std::pow(10.0, i % 16);
        ASSERT_EQ(round_half_away(x), std::llround(x)) << x;
        ASSERT_EQ(round_half_away(std::round(x) + 0.5), std::llround(std::round(x) + 0.5)) << x;
    }
}

TEST(energy_integrator, a_run_of_steps_equals_integrating_each) {
    for (auto method : {energy_method::vector_summation, energy_method::individual_phases, energy_method::total_summation}) {
        const std::array<energy_registers, 3> start{energy_registers{1, 2, 3, 4}, energy_registers{}, energy_registers{9, 9, 9, 9}};
        energy_integrator each(method, {100, 200, 300, 400}, start);
        energy_integrator batched(method, {100, 200, 300, 400}, start);
        std::uint64_t state = 0x9E3779B97F4A7C15ull;
        auto draw = [&](std::int64_t span) {
            state ^= state << 13, state ^= state >> 7, state ^= state << 17;
            return static_cast<std::int64_t>(state % static_cast<std::uint64_t>(2 * span + 1)) - span;
        };
        std::vector<power_sample> run;
        for (int i = 0; i < 5000; ++i) {
            power_sample s;
            // Mostly household powers; now and then one near the accumulator's bound, or past it.
            const std::int64_t span = i % 997 == 0 ? 600'000'000'000 : i % 1999 == 0 ? 2'000'000'000'000 : 20'000'000;
            for (std::size_t k = 0; k < 3; ++k) s.active_mw[k] = draw(span), s.reactive_mvar[k] = draw(span / 3);
            each.integrate(s, 1s);
            run.push_back(s);
            if (i % 61 == 0) {
                batched.integrate_steps(run, 1s);
                run.clear();
                ASSERT_EQ(batched.total(), each.total()) << i;
            }
        }
        batched.integrate_steps(run, 1s);
        EXPECT_EQ(batched.total(), each.total());
        for (std::size_t k = 0; k < 3; ++k) EXPECT_EQ(batched.phase(k), each.phase(k));
    }
}
