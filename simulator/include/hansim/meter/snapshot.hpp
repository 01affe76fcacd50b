#pragma once
/// @file
/// What one push carries, before any encoding: the contract between the meter model
/// (which derives physically consistent values from time) and the push-list builders
/// (which turn them into bytes). Builders never compute physics; they scale and encode.

#include <array>
#include <chrono>
#include <cstdint>
#include <string>

#include "hansim/codec/cosem_date_time.hpp"

namespace hansim::meter {

enum class wiring {
    single_phase,       ///< 686-…: L1 only
    three_phase_4wire,  ///< 684-1X-3…, 685-…: phase-to-neutral voltages
    three_phase_3wire,  ///< 684-1X-2… (Aron, Norwegian IT grid): line-to-line voltages
};

/// Energy registers in exact fine units: milli-watt-hours (milli-var-hours). A simulated
/// year at 1 MW is 8.8e12 mWh, far inside int64. Encoders round down to the wire resolution.
struct energy_registers {
    std::int64_t active_import_mwh = 0;     ///< A+  (A14)
    std::int64_t active_export_mwh = 0;     ///< A−  (A23)
    std::int64_t reactive_import_mvarh = 0; ///< R+  (R12)
    std::int64_t reactive_export_mvarh = 0; ///< R−  (R34)
    friend bool operator==(const energy_registers&, const energy_registers&) = default;
};

/// One phase as the lists report it. Powers are magnitudes: when importing, export is 0.
struct phase_reading {
    double voltage_v = 0;            ///< as listed: phase-to-neutral, or line-to-line on 3-wire
    double current_a = 0;
    double active_import_w = 0;      ///< P+ of this phase
    double active_export_w = 0;      ///< P−
    double reactive_import_var = 0;  ///< Q+
    double reactive_export_var = 0;  ///< Q−
    double power_factor = 1;         ///< |cos φ|, 0..1
    energy_registers energy;         ///< per-phase registers (DLMS push 1 sends A+/A− per phase)
};

/// Who the meter is (PROTOCOLS.md §3.5).
struct meter_identity {
    std::uint32_t serial = 0;        ///< 8-digit serial number
    std::string gs1_id;              ///< 16 digits "5706567" + serial + check digit
    std::string meter_type;          ///< 18 characters, e.g. "6841131BN243101040"
    std::uint32_t meter_number = 0;  ///< DLMS push 1 "meter number 1" (configurable)
    std::array<std::uint8_t, 8> system_title{};  ///< "KAME" + serial (uint32 BE)
    std::string list_version = "Kamstrup_V0001";
};

struct snapshot {
    meter_identity identity;
    wiring wires = wiring::three_phase_4wire;

    std::array<phase_reading, 3> phases{};  ///< L1, L2, L3 (L2/L3 unused on single phase)

    double active_import_w = 0;      ///< total P+ (P14)
    double active_export_w = 0;      ///< total P− (P23)
    double reactive_import_var = 0;  ///< total Q+ (Q12)
    double reactive_export_var = 0;  ///< total Q− (Q34)
    double power_factor = 1;         ///< total |cos φ|

    energy_registers energy;         ///< totals (list 2 takes them as of xx:00:00)

    /// Meter wall clock at the push trigger (list 2: at the send slot), as it goes on the
    /// wire: hundredths 0xFF, deviation 0x8000, status 0x80 when DST is active and the clock
    /// rule flags it.
    codec::cosem_date_time clock;
    bool daylight_saving = false;    ///< for P1's S/W flag

    std::chrono::sys_time<std::chrono::milliseconds> utc{};  ///< the meter's internal UTC time
};

}  // namespace hansim::meter
