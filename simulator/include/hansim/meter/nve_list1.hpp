#pragma once
/// @file
/// HAN-NVE list 1 (Kamstrup_V0001, every 10 s at hh:mm:x0), PROTOCOLS.md §3.1, §3.4.
///
/// | layout                | elements | objects after the version string                    |
/// |-----------------------|----------|-----------------------------------------------------|
/// | three_phase           | 25 `02 19` | GS1 id, type, P14, P23, Q12, Q34, IL1-3, UL1-3    |
/// | single_phase          | 25 `02 19` | as 3-phase, IL2+IL3 and UL2+UL3 as `00 00 00 00`  |
/// | single_phase_compact  | 11 `02 0B` | GS1 id, type, P14, IL1, UL1                       |
///
/// 3-wire meters send the same 25 elements (UL1..3 line-to-line). Values: powers W/var,
/// currents 0.01 A (CT 0.001 A), voltages 1 V (option 0.01 V), see list_values.hpp.

#include <span>

#include "hansim/codec/axdr/data.hpp"
#include "hansim/codec/bytes.hpp"
#include "hansim/meter/list_options.hpp"
#include "hansim/meter/list_values.hpp"
#include "hansim/meter/snapshot.hpp"

namespace hansim::meter {

/// The row table of list 1 for `layout`.
std::span<const list_row> nve_list1_rows(list_layout layout);

/// The notification body (a flat structure) of list 1; layout from values.wires and
/// options.single_phase.
codec::axdr::data build_nve_list1_body(const snapshot& values, const list_options& options);

/// The 0x0F data-notification APDU of list 1: LIIAP 0, date-time = values.clock.
codec::bytes build_nve_list1_apdu(const snapshot& values, const list_options& options);

}  // namespace hansim::meter
