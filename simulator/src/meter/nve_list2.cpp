#include "hansim/meter/nve_list2.hpp"

#include <array>

#include "hansim/meter/push_list.hpp"
#include "list_rows.hpp"

namespace hansim::meter {
namespace {
using namespace detail;

// List 2 = list 1 followed by the clock and the four energy registers.
constexpr std::array three_phase_rows{
    row_version,    row_gs1,        row_meter_type, row_p14,        row_p23,        row_q12,
    row_q34,        row_current(0), row_current(1), row_current(2), row_voltage(0), row_voltage(1),
    row_voltage(2), row_clock,      row_a14,        row_a23,        row_r12,        row_r34,
};
constexpr std::array single_phase_rows{
    row_version,      row_gs1,   row_meter_type, row_p14, row_p23,          row_q12,
    row_q34,          row_current(0), row_absent_phase, row_absent_phase, row_voltage(0), row_absent_phase,
    row_absent_phase, row_clock, row_a14,        row_a23, row_r12,          row_r34,
};
constexpr std::array compact_rows{
    row_version, row_gs1, row_meter_type, row_p14, row_current(0), row_voltage(0), row_clock, row_a14,
};

}  // namespace

std::span<const list_row> nve_list2_rows(list_layout layout) {
    switch (layout) {
        case list_layout::single_phase: return single_phase_rows;
        case list_layout::single_phase_compact: return compact_rows;
        case list_layout::three_phase: break;
    }
    return three_phase_rows;
}

codec::axdr::data build_nve_list2_body(const snapshot& values, const list_options& options) {
    return build_list_body(nve_list2_rows(layout_for(values.wires, options)), values, options);
}

codec::bytes build_nve_list2_apdu(const snapshot& values, const list_options& options) {
    return build_list_apdu(list_kind::nve_list2, values, options);
}

}  // namespace hansim::meter
