#pragma once
/// @file
/// Kamstrup "DLMS push 1" (OMNIPOWER HAN interface specification §5.2; Denmark,
/// Switzerland), every 10 s at hh:mm:x0, PROTOCOLS.md §4.
///
/// Three-phase: 65 elements (`02 41`): version, A14, A23, R12, R34, meter number 1, P14,
/// P23, Q12, Q34, clock, UL1-3, IL1-3, P14 L1-3, PF L1-3, PF total, P23 L1-3, A23 L1-3,
/// A14 L1-3. Single-phase: 37 elements (`02 25`), the L2/L3 objects omitted (no null
/// placeholders; the compact option of list_options does not apply). Power factors are
/// long-unsigned hundredths, energies 10 Wh by default.

#include <span>

#include "hansim/codec/axdr/data.hpp"
#include "hansim/codec/bytes.hpp"
#include "hansim/meter/list_options.hpp"
#include "hansim/meter/list_values.hpp"
#include "hansim/meter/snapshot.hpp"

namespace hansim::meter {

/// The row table of DLMS push 1 (single_phase and single_phase_compact give the same table).
std::span<const list_row> push1_rows(list_layout layout);

/// The notification body of DLMS push 1; three- or single-phase from values.wires.
codec::axdr::data build_push1_body(const snapshot& values, const list_options& options);

/// The 0x0F data-notification APDU of DLMS push 1: LIIAP 0, date-time = values.clock.
codec::bytes build_push1_apdu(const snapshot& values, const list_options& options);

}  // namespace hansim::meter
