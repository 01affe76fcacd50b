#pragma once
/// @file
/// HAN-NVE list 2 (Kamstrup_V0001, hourly at xx:00:05 + 10 s·k), PROTOCOLS.md §3.2, §3.4.
///
/// | layout                | elements | objects after the version string                    |
/// |-----------------------|----------|-----------------------------------------------------|
/// | three_phase           | 35 `02 23` | the 12 objects of list 1, clock, A14, A23, R12, R34 |
/// | single_phase          | 35 `02 23` | as 3-phase, IL2+IL3 and UL2+UL3 as `00 00 00 00`  |
/// | single_phase_compact  | 15 `02 0F` | GS1 id, type, P14, IL1, UL1, clock, A14 (the vendor example) |
///
/// The clock object carries values.clock, byte-identical to the APDU date-time. Energies are
/// floor(mWh / 10000) at 10 Wh (Norway) or floor(mWh / 1000) at 1 Wh.

#include <span>

#include "hansim/codec/axdr/data.hpp"
#include "hansim/codec/bytes.hpp"
#include "hansim/meter/list_options.hpp"
#include "hansim/meter/list_values.hpp"
#include "hansim/meter/snapshot.hpp"

namespace hansim::meter {

/// The row table of list 2 for `layout`.
std::span<const list_row> nve_list2_rows(list_layout layout);

/// The notification body of list 2; layout from values.wires and options.single_phase.
codec::axdr::data build_nve_list2_body(const snapshot& values, const list_options& options);

/// The 0x0F data-notification APDU of list 2: LIIAP 0, date-time = values.clock.
codec::bytes build_nve_list2_apdu(const snapshot& values, const list_options& options);

}  // namespace hansim::meter
