#include "hansim/meter/energy_integrator.hpp"

#include <gtest/gtest.h>

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
