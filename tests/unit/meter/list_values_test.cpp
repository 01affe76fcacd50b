// Scaling of snapshot values to wire integers: rounding boundaries, floor for energies,
// saturation, and the inverse.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "hansim/meter/list_values.hpp"

using namespace hansim::meter;

TEST(list_values_energy, floors_never_rounds_up) {
    EXPECT_EQ(energy_to_wire(0, energy_resolution::ten_wh), 0U);
    EXPECT_EQ(energy_to_wire(9'999, energy_resolution::ten_wh), 0U);
    EXPECT_EQ(energy_to_wire(10'000, energy_resolution::ten_wh), 1U);
    EXPECT_EQ(energy_to_wire(19'999, energy_resolution::ten_wh), 1U);
    EXPECT_EQ(energy_to_wire(123'456'789'999, energy_resolution::ten_wh), 12'345'678U);
    EXPECT_EQ(energy_to_wire(999, energy_resolution::one_wh), 0U);
    EXPECT_EQ(energy_to_wire(1'000, energy_resolution::one_wh), 1U);
    EXPECT_EQ(energy_to_wire(1'999, energy_resolution::one_wh), 1U);
    EXPECT_EQ(energy_to_wire(32'014'158'999, energy_resolution::one_wh), 32'014'158U);
}

TEST(list_values_energy, negative_is_zero_and_overflow_wraps_like_a_counter) {
    EXPECT_EQ(energy_to_wire(-1, energy_resolution::ten_wh), 0U);
    EXPECT_EQ(energy_to_wire(-10'000'000, energy_resolution::one_wh), 0U);
    // 2^32 Wh + 5 Wh at 1 Wh resolution rolls over to 5.
    EXPECT_EQ(energy_to_wire((4'294'967'296LL + 5) * 1'000, energy_resolution::one_wh), 5U);
    EXPECT_EQ(energy_to_wire(4'294'967'295LL * 1'000, energy_resolution::one_wh), 4'294'967'295U);
}

TEST(list_values_energy, inverse_is_exact) {
    for (std::uint32_t units : {0U, 1U, 427'244U, 4'294'967'295U}) {
        EXPECT_EQ(energy_to_wire(energy_from_wire(units, energy_resolution::ten_wh), energy_resolution::ten_wh), units);
        EXPECT_EQ(energy_to_wire(energy_from_wire(units, energy_resolution::one_wh), energy_resolution::one_wh), units);
    }
    EXPECT_EQ(energy_from_wire(12'345'678, energy_resolution::ten_wh), 123'456'780'000LL);
}

TEST(list_values_current, rounds_to_nearest_at_both_resolutions) {
    EXPECT_EQ(current_to_wire(5.67, current_resolution::centi_ampere), 567U);
    EXPECT_EQ(current_to_wire(5.674999, current_resolution::centi_ampere), 567U);
    EXPECT_EQ(current_to_wire(5.675001, current_resolution::centi_ampere), 568U);
    EXPECT_EQ(current_to_wire(0.004, current_resolution::centi_ampere), 0U);
    EXPECT_EQ(current_to_wire(0.006, current_resolution::centi_ampere), 1U);
    EXPECT_EQ(current_to_wire(90.999, current_resolution::milli_ampere), 90'999U);
    EXPECT_EQ(current_to_wire(0.0004, current_resolution::milli_ampere), 0U);
    EXPECT_EQ(current_to_wire(0.0006, current_resolution::milli_ampere), 1U);
}

TEST(list_values_current, saturates_instead_of_wrapping) {
    EXPECT_EQ(current_to_wire(-3.2, current_resolution::centi_ampere), 0U);
    EXPECT_EQ(current_to_wire(std::nan(""), current_resolution::centi_ampere), 0U);
    EXPECT_EQ(current_to_wire(1e12, current_resolution::milli_ampere), 4'294'967'295U);
    EXPECT_EQ(current_to_wire(std::numeric_limits<double>::infinity(), current_resolution::milli_ampere),
              4'294'967'295U);
}

TEST(list_values_voltage, rounds_and_saturates_at_16_bits) {
    EXPECT_EQ(voltage_to_wire(229.49, voltage_resolution::volt), 229U);
    EXPECT_EQ(voltage_to_wire(229.51, voltage_resolution::volt), 230U);
    EXPECT_EQ(voltage_to_wire(221.99, voltage_resolution::centi_volt), 22'199U);
    EXPECT_EQ(voltage_to_wire(655.35, voltage_resolution::centi_volt), 65'535U);
    EXPECT_EQ(voltage_to_wire(700.0, voltage_resolution::centi_volt), 65'535U);
    EXPECT_EQ(voltage_to_wire(-1.0, voltage_resolution::volt), 0U);
}

TEST(list_values_power, rounds_then_multiplies) {
    EXPECT_EQ(power_to_wire(1234.4, 1), 1234U);
    EXPECT_EQ(power_to_wire(1234.5, 1), 1235U);  // llround: half away from zero
    EXPECT_EQ(power_to_wire(1234.5, 10), 12'350U);
    EXPECT_EQ(power_to_wire(0.49, 10), 0U);
    EXPECT_EQ(power_to_wire(-5, 1), 0U);
    EXPECT_EQ(power_to_wire(4e9, 10), 4'294'967'295U);  // saturates after the multiplier too
    EXPECT_EQ(power_to_wire(7, 0), 7U);                  // 0 behaves as 1
    EXPECT_DOUBLE_EQ(power_from_wire(12'350, 10), 1235.0);
}

TEST(list_values_power_factor, hundredths) {
    EXPECT_EQ(power_factor_to_wire(0.942), 94U);
    EXPECT_EQ(power_factor_to_wire(0.9451), 95U);
    EXPECT_EQ(power_factor_to_wire(0.041), 4U);
    EXPECT_EQ(power_factor_to_wire(1.0), 100U);
    EXPECT_EQ(power_factor_to_wire(-0.3), 0U);
    EXPECT_DOUBLE_EQ(power_factor_from_wire(97), 0.97);
}

TEST(list_values_inverse, doubles_reencode_to_the_same_integer) {
    for (std::uint32_t u = 0; u < 200'000; u += 7) {
        ASSERT_EQ(current_to_wire(current_from_wire(u, current_resolution::centi_ampere), current_resolution::centi_ampere), u);
        ASSERT_EQ(current_to_wire(current_from_wire(u, current_resolution::milli_ampere), current_resolution::milli_ampere), u);
    }
    for (std::uint32_t u = 0; u <= 65'535; ++u) {
        const auto v = static_cast<std::uint16_t>(u);
        ASSERT_EQ(voltage_to_wire(voltage_from_wire(v, voltage_resolution::centi_volt), voltage_resolution::centi_volt), v);
        ASSERT_EQ(power_factor_to_wire(power_factor_from_wire(v)), v);
    }
}

TEST(list_values_layout, follows_wiring_and_single_phase_option) {
    list_options o;
    EXPECT_EQ(layout_for(wiring::three_phase_4wire, o), list_layout::three_phase);
    EXPECT_EQ(layout_for(wiring::three_phase_3wire, o), list_layout::three_phase);
    EXPECT_EQ(layout_for(wiring::single_phase, o), list_layout::single_phase);
    o.single_phase = single_phase_form::compact;
    EXPECT_EQ(layout_for(wiring::single_phase, o), list_layout::single_phase_compact);
    EXPECT_EQ(layout_for(wiring::three_phase_4wire, o), list_layout::three_phase);
}
