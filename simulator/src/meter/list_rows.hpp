#pragma once
// Row constants shared by the Kamstrup list tables (nve_list1/2, push1). Internal.

#include "hansim/meter/list_values.hpp"

namespace hansim::meter::detail {

using codec::obis;
using q = list_quantity;
using t = wire_type;
using s = wire_scaling;

constexpr list_row row_version{{}, t::visible_string, q::list_version};
constexpr list_row row_absent_phase{{}, t::null_pair, q::absent_phase};
constexpr list_row row_gs1{obis(1, 1, 0, 0, 5), t::visible_string, q::gs1_id};
constexpr list_row row_meter_type{obis(1, 1, 96, 1, 1), t::visible_string, q::meter_type};
constexpr list_row row_meter_number{obis(1, 1, 0, 0, 1), t::double_long_unsigned, q::meter_number};
constexpr list_row row_clock{obis(0, 1, 1, 0, 0), t::octet_string, q::clock};

constexpr list_row row_p14{obis(1, 1, 1, 7, 0), t::double_long_unsigned, q::active_import_power, s::power};
constexpr list_row row_p23{obis(1, 1, 2, 7, 0), t::double_long_unsigned, q::active_export_power, s::power};
constexpr list_row row_q12{obis(1, 1, 3, 7, 0), t::double_long_unsigned, q::reactive_import_power, s::power};
constexpr list_row row_q34{obis(1, 1, 4, 7, 0), t::double_long_unsigned, q::reactive_export_power, s::power};
constexpr list_row row_pf{obis(1, 1, 13, 7, 0), t::long_unsigned, q::power_factor, s::power_factor};

constexpr list_row row_a14{obis(1, 1, 1, 8, 0), t::double_long_unsigned, q::active_import_energy, s::energy};
constexpr list_row row_a23{obis(1, 1, 2, 8, 0), t::double_long_unsigned, q::active_export_energy, s::energy};
constexpr list_row row_r12{obis(1, 1, 3, 8, 0), t::double_long_unsigned, q::reactive_import_energy, s::energy};
constexpr list_row row_r34{obis(1, 1, 4, 8, 0), t::double_long_unsigned, q::reactive_export_energy, s::energy};

/// Per-phase rows: OBIS value group C is base + 20 × phase (L1 31, L2 51, L3 71 for current).
constexpr list_row phase_row(std::uint8_t c_l1, std::uint8_t d, std::uint8_t phase, wire_type type,
                             list_quantity what, wire_scaling scaling) {
    return list_row{obis(1, 1, static_cast<std::uint8_t>(c_l1 + 20 * phase), d, 0), type, what, scaling, phase};
}
constexpr list_row row_current(std::uint8_t p) {
    return phase_row(31, 7, p, t::double_long_unsigned, q::phase_current, s::current);
}
constexpr list_row row_voltage(std::uint8_t p) { return phase_row(32, 7, p, t::long_unsigned, q::phase_voltage, s::voltage); }
constexpr list_row row_phase_p14(std::uint8_t p) {
    return phase_row(21, 7, p, t::double_long_unsigned, q::phase_active_import_power, s::power);
}
constexpr list_row row_phase_p23(std::uint8_t p) {
    return phase_row(22, 7, p, t::double_long_unsigned, q::phase_active_export_power, s::power);
}
constexpr list_row row_phase_pf(std::uint8_t p) {
    return phase_row(33, 7, p, t::long_unsigned, q::phase_power_factor, s::power_factor);
}
constexpr list_row row_phase_a14(std::uint8_t p) {
    return phase_row(21, 8, p, t::double_long_unsigned, q::phase_active_import_energy, s::energy);
}
constexpr list_row row_phase_a23(std::uint8_t p) {
    return phase_row(22, 8, p, t::double_long_unsigned, q::phase_active_export_energy, s::energy);
}

}  // namespace hansim::meter::detail
