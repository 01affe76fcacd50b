#include "hansim/meter/push1.hpp"

#include <array>

#include "hansim/meter/push_list.hpp"
#include "list_rows.hpp"

namespace hansim::meter {
namespace {
using namespace detail;

constexpr std::array three_phase_rows{
    row_version,      row_a14,          row_a23,          row_r12,          row_r34,
    row_meter_number, row_p14,          row_p23,          row_q12,          row_q34,
    row_clock,        row_voltage(0),   row_voltage(1),   row_voltage(2),   row_current(0),
    row_current(1),   row_current(2),   row_phase_p14(0), row_phase_p14(1), row_phase_p14(2),
    row_phase_pf(0),  row_phase_pf(1),  row_phase_pf(2),  row_pf,           row_phase_p23(0),
    row_phase_p23(1), row_phase_p23(2), row_phase_a23(0), row_phase_a23(1), row_phase_a23(2),
    row_phase_a14(0), row_phase_a14(1), row_phase_a14(2),
};
constexpr std::array single_phase_rows{
    row_version,      row_a14,         row_a23,          row_r12,         row_r34,
    row_meter_number, row_p14,         row_p23,          row_q12,         row_q34,
    row_clock,        row_voltage(0),  row_current(0),   row_phase_p14(0), row_phase_pf(0),
    row_pf,           row_phase_p23(0), row_phase_a23(0), row_phase_a14(0),
};

}  // namespace

std::span<const list_row> push1_rows(list_layout layout) {
    return layout == list_layout::three_phase ? std::span<const list_row>(three_phase_rows)
                                              : std::span<const list_row>(single_phase_rows);
}

codec::axdr::data build_push1_body(const snapshot& values, const list_options& options) {
    return build_list_body(push1_rows(layout_for(values.wires, options)), values, options);
}

codec::bytes build_push1_apdu(const snapshot& values, const list_options& options) {
    return build_list_apdu(list_kind::push1, values, options);
}

}  // namespace hansim::meter
