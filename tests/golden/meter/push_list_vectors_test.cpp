// Building from hand-written snapshots (the made-up values of PROTOCOLS.md §3.6-3.8 and §4.3)
// must give the worked-example vectors byte for byte, framed with plain_push_addressing().
#include <gtest/gtest.h>

#include "hansim/codec/bytes.hpp"
#include "hansim/meter/hdlc_push.hpp"
#include "hansim/meter/nve_list1.hpp"
#include "hansim/meter/nve_list2.hpp"
#include "hansim/meter/push1.hpp"
#include "test_data.hpp"

using namespace hansim;
using namespace hansim::meter;

namespace {

std::string vector_hex(const char* name) { return codec::to_hex(test::read_hex(test::data_dir() / "vectors" / name)); }

std::string framed(const codec::bytes& apdu) { return codec::to_hex(frame_push_apdu(apdu, plain_push_addressing())); }

codec::cosem_date_time kamstrup_time(int hour, int minute, int second) {
    codec::cosem_date_time t;
    t.year = 2024;
    t.month = 1;
    t.day = 15;
    t.day_of_week = 1;  // Monday
    t.hour = static_cast<std::uint8_t>(hour);
    t.minute = static_cast<std::uint8_t>(minute);
    t.second = static_cast<std::uint8_t>(second);
    return t;  // hundredths FF, deviation 8000, status 00 by default
}

/// Serial 12345678, 2024-01-15 13:45:20, P+ 1234 W, Q- 321 var, I 5.67/2.34/0.89 A,
/// U 230/231/229 V, A+ 12345678 (10 Wh), R+ 123456, R- 987654 (PROTOCOLS.md §3.6, §3.7).
snapshot example(wiring wires) {
    snapshot s;
    s.wires = wires;
    s.identity.serial = 12345678;
    s.identity.gs1_id = "5706567123456784";
    s.identity.meter_type = wires == wiring::single_phase ? "6861111BN242101040" : "6841131BN243101040";
    s.identity.meter_number = 12345678;
    s.clock = kamstrup_time(13, 45, 20);
    s.active_import_w = 1234;
    s.reactive_export_var = 321;
    s.power_factor = 0.97;
    // Deliberately not whole units: the encoders must floor energies and round the rest.
    s.energy.active_import_mwh = 123'456'789'999;  // 123 456.78 kWh + 9.999 Wh -> 12345678
    s.energy.reactive_import_mvarh = 1'234'560'000;
    s.energy.reactive_export_mvarh = 9'876'540'000 + 9'999;
    const double currents[] = {5.67, 2.34, 0.89};
    const double voltages[] = {230.2, 230.8, 229.0};
    const double p_plus[] = {1100, 114, 20};
    const double pf[] = {0.98, 0.95, 1.00};
    const std::int64_t a_plus[] = {40'000'000'000, 50'000'000'000, 33'456'780'000};
    for (int i = 0; i < 3; ++i) {
        auto& p = s.phases[static_cast<std::size_t>(i)];
        p.current_a = currents[i];
        p.voltage_v = voltages[i];
        p.active_import_w = p_plus[i];
        p.power_factor = pf[i];
        p.energy.active_import_mwh = a_plus[i];
    }
    if (wires == wiring::single_phase) s.phases[1] = s.phases[2] = phase_reading{};
    return s;
}

}  // namespace

TEST(push_list_vectors, nve_list1_three_phase) {
    EXPECT_EQ(framed(build_nve_list1_apdu(example(wiring::three_phase_4wire), {})), vector_hex("nve_list1_3ph.hex"));
}

TEST(push_list_vectors, nve_list1_three_wire_sends_the_same_elements) {
    auto s = example(wiring::three_phase_3wire);
    EXPECT_EQ(framed(build_nve_list1_apdu(s, {})), vector_hex("nve_list1_3ph.hex"));
}

TEST(push_list_vectors, nve_list1_single_phase_with_null_placeholders) {
    EXPECT_EQ(framed(build_nve_list1_apdu(example(wiring::single_phase), {})), vector_hex("nve_list1_1ph.hex"));
}

TEST(push_list_vectors, nve_list2_three_phase) {
    auto s = example(wiring::three_phase_4wire);
    s.clock = kamstrup_time(14, 0, 5);
    EXPECT_EQ(framed(build_nve_list2_apdu(s, {})), vector_hex("nve_list2_3ph.hex"));
}

TEST(push_list_vectors, nve_list2_single_phase) {
    auto s = example(wiring::single_phase);
    s.clock = kamstrup_time(14, 0, 5);
    EXPECT_EQ(framed(build_nve_list2_apdu(s, {})), vector_hex("nve_list2_1ph.hex"));
}

TEST(push_list_vectors, push1_three_phase) {
    EXPECT_EQ(framed(build_push1_apdu(example(wiring::three_phase_4wire), {})), vector_hex("push1_3ph.hex"));
}

TEST(push_list_vectors, push1_single_phase_omits_l2_l3) {
    EXPECT_EQ(framed(build_push1_apdu(example(wiring::single_phase), {})), vector_hex("push1_1ph.hex"));
}

TEST(push_list_vectors, frame_sizes_match_protocols_table) {
    const auto three = example(wiring::three_phase_4wire);
    const auto one = example(wiring::single_phase);
    EXPECT_EQ(frame_push_apdu(build_nve_list1_apdu(three, {}), plain_push_addressing()).size(), 228U);
    EXPECT_EQ(frame_push_apdu(build_nve_list2_apdu(three, {}), plain_push_addressing()).size(), 302U);
    EXPECT_EQ(frame_push_apdu(build_nve_list1_apdu(one, {}), plain_push_addressing()).size(), 188U);
    EXPECT_EQ(frame_push_apdu(build_nve_list2_apdu(one, {}), plain_push_addressing()).size(), 262U);
    EXPECT_EQ(frame_push_apdu(build_push1_apdu(three, {}), plain_push_addressing()).size(), 461U);
    EXPECT_EQ(frame_push_apdu(build_push1_apdu(one, {}), plain_push_addressing()).size(), 287U);
    list_options legacy;
    legacy.date_time = date_time_form::legacy_09;
    EXPECT_EQ(frame_push_apdu(build_nve_list1_apdu(three, legacy), plain_push_addressing()).size(), 229U);
}
