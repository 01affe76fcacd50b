#pragma once
/// @file
/// How a meter is configured to put numbers on the wire. Kamstrup sends no scaler/unit,
/// so these are per-meter settings the receiving side must know (PROTOCOLS.md §3.3).

#include <cstdint>

namespace hansim::meter {

enum class energy_resolution { ten_wh, one_wh };               ///< Norway 10 Wh; SE/CH often 1 Wh
enum class current_resolution { centi_ampere, milli_ampere };  ///< direct 0.01 A; CT 0.001 A
enum class voltage_resolution { volt, centi_volt };            ///< 1 V; one DK meter 0.01 V
enum class date_time_form { standard, legacy_09 };             ///< `0C`+12, or pre-rev-3.0 `09 0C`+12
enum class single_phase_form { null_placeholders, compact };   ///< real meters: nulls

struct list_options {
    energy_resolution energy = energy_resolution::ten_wh;
    current_resolution current = current_resolution::centi_ampere;
    voltage_resolution voltage = voltage_resolution::volt;
    date_time_form date_time = date_time_form::standard;
    single_phase_form single_phase = single_phase_form::null_placeholders;
    unsigned power_multiplier = 1;   ///< ×10 reproduces a Swedish firmware quirk
};

}  // namespace hansim::meter
