#pragma once
/// @file
/// P1 meter profiles: which lines a meter's P1 telegram carries, in which order, with which
/// digit layout and unit spelling, and under which header ident (PROTOCOLS.md §6.3, §6.6,
/// §8.4). A profile is data; build_p1_telegram (p1_telegram.hpp) turns a snapshot into
/// bytes with it.
///
/// Profiles whose ident or line set is not in the public record say so in `description`
/// and have `ident_confirmed == false`; their ident is a placeholder that callers are
/// expected to override (copy the profile and set `ident`).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hansim/codec/p1/telegram.hpp"

namespace hansim::meter {

/// Where a line's value comes from in the snapshot, and the unit scale it is written in.
enum class p1_quantity {
    clock,                    ///< snapshot.clock + daylight_saving -> YYMMDDhhmmss S/W
    active_import_energy,     ///< energy.active_import_mwh, written in kWh (rounded down)
    active_export_energy,     ///< energy.active_export_mwh, kWh
    reactive_import_energy,   ///< energy.reactive_import_mvarh, kvarh
    reactive_export_energy,   ///< energy.reactive_export_mvarh, kvarh
    active_energy_sum,        ///< |A+| + |A−| (1-0:15.8.0), kWh
    active_import_power,      ///< total P+ in kW
    active_export_power,      ///< total P− in kW
    reactive_import_power,    ///< total Q+ in kvar
    reactive_export_power,    ///< total Q− in kvar
    reactive_power_q1,        ///< Q in quadrant I (importing P, Q+), kvar; 0 when not in that quadrant
    reactive_power_q2,        ///< quadrant II (exporting P, Q+)
    reactive_power_q3,        ///< quadrant III (exporting P, Q−)
    reactive_power_q4,        ///< quadrant IV (importing P, Q−)
    power_factor,             ///< total |cos φ|, no unit
    phase_active_import_power,    ///< phases[phase].active_import_w in kW
    phase_active_export_power,    ///< phases[phase].active_export_w in kW
    phase_reactive_import_power,  ///< phases[phase].reactive_import_var in kvar
    phase_reactive_export_power,  ///< phases[phase].reactive_export_var in kvar
    phase_voltage,                ///< phases[phase].voltage_v in V
    phase_current,                ///< phases[phase].current_a in A
    phase_power_factor,           ///< phases[phase].power_factor, no unit
    fixed,                        ///< a configured constant: p1_line::fixed, written as is
};

/// One line of a profile's telegram.
struct p1_line {
    std::string obis;                 ///< as written, "1-0:1.8.0"
    p1_quantity quantity = p1_quantity::fixed;
    std::uint8_t phase = 0;           ///< 0 = L1, 1 = L2, 2 = L3 for the phase_* quantities
    std::uint8_t integer_digits = 0;  ///< zero-padded width before the point
    std::uint8_t decimals = 0;        ///< digits after the point (0: no point)
    std::string unit;                 ///< "kWh", "kvar", …; empty: no "*unit"
    std::optional<codec::p1::value> fixed;  ///< the constant for p1_quantity::fixed

    /// True for phase_* quantities on L2/L3, which a single-phase meter leaves out.
    bool belongs_to_l2_or_l3() const;
};

struct p1_profile {
    std::string name;         ///< "kamstrup-p1", "sagemcom-t211", …
    std::string description;  ///< meter, evidence, and what is not known
    std::string ident;        ///< header after '/'; override freely (e.g. per-meter serials)
    bool ident_confirmed = true;  ///< false: `ident` is a placeholder, not seen on a real meter
    std::vector<p1_line> lines;   ///< in sending order
    std::chrono::seconds interval{10};  ///< 10 s Swedish branch recommendation, 1 s DSMR
};

/// All built-in profiles, in a stable order.
const std::vector<p1_profile>& p1_profiles();

/// The built-in profile called `name`, or nullptr.
const p1_profile* find_p1_profile(std::string_view name);

}  // namespace hansim::meter
