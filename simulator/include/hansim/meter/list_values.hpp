#pragma once
/// @file
/// The vocabulary shared by the Kamstrup push-list tables (HAN-NVE list 1/2, DLMS push 1):
/// what one row of a list is, which snapshot quantity it carries, and how that quantity is
/// scaled to the integer on the wire and back (PROTOCOLS.md §2.5, §3.3).
///
/// A Kamstrup body is a flat A-XDR structure: the list-version string (no OBIS code in front
/// of it), then for every object an OBIS octet-string followed by the value. A list is
/// therefore fully described by an ordered table of `list_row`s; the builders and the reader
/// in push_list.hpp walk such a table, so adding a list variant is adding a table.

#include <cstdint>
#include <optional>

#include "hansim/codec/obis.hpp"
#include "hansim/meter/list_options.hpp"
#include "hansim/meter/snapshot.hpp"

namespace hansim::meter {

/// Which value of a `snapshot` a row carries. Rows whose name starts with `phase_` use
/// `list_row::phase` (0 = L1, 1 = L2, 2 = L3).
enum class list_quantity {
    list_version,            ///< identity.list_version, the first element, no OBIS
    gs1_id,                  ///< identity.gs1_id, 16 ASCII digits
    meter_type,              ///< identity.meter_type, 18 ASCII characters
    meter_number,            ///< identity.meter_number (DLMS push 1)
    clock,                   ///< snapshot.clock as `09 0C` + 12 bytes
    active_import_power,     ///< P14 total
    active_export_power,     ///< P23 total
    reactive_import_power,   ///< Q12 total
    reactive_export_power,   ///< Q34 total
    power_factor,            ///< total |cos φ|
    active_import_energy,    ///< A14 total
    active_export_energy,    ///< A23 total
    reactive_import_energy,  ///< R12 total
    reactive_export_energy,  ///< R34 total
    phase_voltage,
    phase_current,
    phase_active_import_power,
    phase_active_export_power,
    phase_power_factor,
    phase_active_import_energy,
    phase_active_export_energy,
    absent_phase,            ///< single-phase placeholder: two null-data elements, no OBIS
};

/// The A-XDR type a row's value travels as.
enum class wire_type {
    visible_string,        ///< `0A` + length + ASCII
    octet_string,          ///< `09` + length + bytes (the clock)
    double_long_unsigned,  ///< `06` + uint32 BE
    long_unsigned,         ///< `12` + uint16 BE
    null_pair,             ///< `00 00`, used only by list_quantity::absent_phase
};

/// How a quantity becomes the integer on the wire; the resolution comes from list_options.
enum class wire_scaling {
    none,          ///< strings, clock, meter number: carried as they are
    power,         ///< llround(W or var) × power_multiplier
    current,       ///< llround(A × 100) or llround(A × 1000)
    voltage,       ///< llround(V) or llround(V × 100)
    power_factor,  ///< llround(pf × 100)
    energy,        ///< floor(mWh / 10000) or floor(mWh / 1000): registers never round up
};

/// One object of a push list. `obis` is ignored for list_version and absent_phase rows,
/// which carry no OBIS code on the wire.
struct list_row {
    codec::obis_code obis;
    wire_type type;
    list_quantity what;
    wire_scaling scaling = wire_scaling::none;
    std::uint8_t phase = 0;

    /// Number of A-XDR elements the row contributes to the body structure (1 for the list
    /// version, 2 for everything else, the null pair included).
    constexpr unsigned element_count() const { return what == list_quantity::list_version ? 1U : 2U; }
};

/// Which shape of a list a meter sends (PROTOCOLS.md §3.4, §4.2).
enum class list_layout {
    three_phase,                     ///< 4-wire and 3-wire alike: all L1..L3 objects
    single_phase,                    ///< HAN-NVE: L2/L3 pairs as `00 00` nulls; push 1: L2/L3 omitted
    single_phase_compact,            ///< HAN-NVE vendor example: only the objects a 1-phase, 1-quadrant meter has
};

/// The layout a meter with `wires` sends, honouring list_options::single_phase.
constexpr list_layout layout_for(wiring wires, const list_options& options) {
    if (wires != wiring::single_phase) return list_layout::three_phase;
    return options.single_phase == single_phase_form::compact ? list_layout::single_phase_compact
                                                              : list_layout::single_phase;
}

// ---- scaling: snapshot value -> wire integer -------------------------------------------
//
// Results saturate at the range of the wire type (0 .. 2^32-1 for double-long-unsigned,
// 0 .. 65535 for long-unsigned): negative and NaN inputs give 0. Energy registers instead
// wrap modulo 2^32, like a counter that rolls over.

/// Energy register in mWh (or mvarh) to 10 Wh or 1 Wh units, rounded down (floor).
std::uint32_t energy_to_wire(std::int64_t milli_wh, energy_resolution resolution);
/// Current in A to 0.01 A or 0.001 A units, rounded to nearest.
std::uint32_t current_to_wire(double ampere, current_resolution resolution);
/// Voltage in V to 1 V or 0.01 V units (long-unsigned), rounded to nearest.
std::uint16_t voltage_to_wire(double volt, voltage_resolution resolution);
/// Power in W or var: llround, then × power_multiplier.
std::uint32_t power_to_wire(double watt, unsigned power_multiplier);
/// Power factor 0..1 to hundredths (long-unsigned), rounded to nearest.
std::uint16_t power_factor_to_wire(double power_factor);

// ---- inverse: wire integer -> snapshot value (exact for every value the above produce) --

std::int64_t energy_from_wire(std::uint32_t units, energy_resolution resolution);
double current_from_wire(std::uint32_t units, current_resolution resolution);
double voltage_from_wire(std::uint16_t units, voltage_resolution resolution);
/// Wire value / power_multiplier; re-encodes identically only when the wire value is a
/// multiple of the multiplier (always true for what a meter with that quirk sends).
double power_from_wire(std::uint32_t units, unsigned power_multiplier);
double power_factor_from_wire(std::uint16_t hundredths);

/// The wire integer of a numeric row for `values` (scaling applied); nullopt for rows that
/// are not integers (strings, clock, null pair).
std::optional<std::uint32_t> row_wire_integer(const list_row& row, const snapshot& values,
                                              const list_options& options);

/// Stores a numeric row's wire integer back into `values` (inverse scaling). Returns false
/// for rows that are not integers.
bool store_row_wire_integer(const list_row& row, std::uint32_t wire, snapshot& values,
                            const list_options& options);

}  // namespace hansim::meter
