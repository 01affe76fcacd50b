#pragma once
/// @file
/// Builds a P1 telegram from a snapshot with a profile (p1_profile.hpp). Pure: no clock is
/// read; the telegram's timestamp is snapshot.clock with the S/W flag from
/// snapshot.daylight_saving.
///
/// Scaling: energies are rounded down from mWh to the line's decimals (as the registers of
/// a meter tick); powers, voltages, currents and power factors are rounded to the nearest
/// step. A single-phase snapshot leaves out the profile's L2/L3 lines (PROTOCOLS.md §6.3:
/// single-phase P1 content was not observed; this is the inference there).

#include <string>
#include <string_view>

#include "hansim/codec/p1/telegram.hpp"
#include "hansim/meter/p1_profile.hpp"
#include "hansim/meter/snapshot.hpp"

namespace hansim::meter {

/// The telegram as data (before the CRC is added), one line per profile line that applies.
/// Throws std::invalid_argument when a value does not fit the line (more than 18 digits)
/// or a fixed line has no value.
codec::p1::telegram build_p1_telegram_model(const snapshot& values, const p1_profile& profile);

/// The telegram as the bytes of the wire: `/ident` … `!CRC` CR LF. Throws
/// std::invalid_argument as above, or when the snapshot clock is not a valid date/time.
std::string build_p1_telegram(const snapshot& values, const p1_profile& profile);

/// The same with `ident` in the header instead of profile.ident (a meter's own ident), and
/// written straight from the profile's lines: the bytes of
/// write_telegram_text(build_p1_telegram_model(...)) without the telegram in between.
std::string build_p1_telegram(const snapshot& values, const p1_profile& profile, std::string_view ident);

}  // namespace hansim::meter
