#include "hansim/meter/list_values.hpp"

#include <cmath>
#include <limits>

namespace hansim::meter {
namespace {

constexpr double uint32_max = std::numeric_limits<std::uint32_t>::max();
constexpr double uint16_max = std::numeric_limits<std::uint16_t>::max();

/// llround with saturation to [0, upper]; NaN -> 0.
std::uint64_t saturating_round(double value, double upper) {
    if (!(value > 0)) return 0;  // also catches NaN
    if (value >= upper) return static_cast<std::uint64_t>(upper);
    const auto rounded = std::llround(value);
    return rounded > static_cast<long long>(upper) ? static_cast<std::uint64_t>(upper)
                                                   : static_cast<std::uint64_t>(rounded);
}

std::int64_t floor_div(std::int64_t value, std::int64_t divisor) {
    const auto q = value / divisor;
    return (value % divisor != 0 && value < 0) ? q - 1 : q;
}

std::int64_t energy_unit_mwh(energy_resolution r) { return r == energy_resolution::ten_wh ? 10'000 : 1'000; }
double current_factor(current_resolution r) { return r == current_resolution::centi_ampere ? 100.0 : 1000.0; }
double voltage_factor(voltage_resolution r) { return r == voltage_resolution::volt ? 1.0 : 100.0; }
unsigned safe_multiplier(unsigned m) { return m == 0 ? 1 : m; }

}  // namespace

std::uint32_t energy_to_wire(std::int64_t milli_wh, energy_resolution resolution) {
    const auto units = floor_div(milli_wh, energy_unit_mwh(resolution));
    if (units <= 0) return 0;
    return static_cast<std::uint32_t>(static_cast<std::uint64_t>(units) & 0xFFFF'FFFFULL);
}

std::uint32_t current_to_wire(double ampere, current_resolution resolution) {
    return static_cast<std::uint32_t>(saturating_round(ampere * current_factor(resolution), uint32_max));
}

std::uint16_t voltage_to_wire(double volt, voltage_resolution resolution) {
    return static_cast<std::uint16_t>(saturating_round(volt * voltage_factor(resolution), uint16_max));
}

std::uint32_t power_to_wire(double watt, unsigned power_multiplier) {
    const auto whole = saturating_round(watt, uint32_max);
    const auto scaled = whole * safe_multiplier(power_multiplier);
    return static_cast<std::uint32_t>(scaled > uint32_max ? uint32_max : scaled);
}

std::uint16_t power_factor_to_wire(double power_factor) {
    return static_cast<std::uint16_t>(saturating_round(power_factor * 100.0, uint16_max));
}

std::int64_t energy_from_wire(std::uint32_t units, energy_resolution resolution) {
    return static_cast<std::int64_t>(units) * energy_unit_mwh(resolution);
}

double current_from_wire(std::uint32_t units, current_resolution resolution) {
    return units / current_factor(resolution);
}

double voltage_from_wire(std::uint16_t units, voltage_resolution resolution) {
    return units / voltage_factor(resolution);
}

double power_from_wire(std::uint32_t units, unsigned power_multiplier) {
    return static_cast<double>(units) / safe_multiplier(power_multiplier);
}

double power_factor_from_wire(std::uint16_t hundredths) { return hundredths / 100.0; }

namespace {

/// The double a power/current/voltage/pf row reads from or writes to; nullptr otherwise.
/// `Snapshot` is `snapshot` or `const snapshot`.
template <class Snapshot>
auto numeric_field(const list_row& row, Snapshot& v) -> decltype(&v.active_import_w) {
    auto& phase = v.phases.at(row.phase);
    switch (row.what) {
        case list_quantity::active_import_power: return &v.active_import_w;
        case list_quantity::active_export_power: return &v.active_export_w;
        case list_quantity::reactive_import_power: return &v.reactive_import_var;
        case list_quantity::reactive_export_power: return &v.reactive_export_var;
        case list_quantity::power_factor: return &v.power_factor;
        case list_quantity::phase_voltage: return &phase.voltage_v;
        case list_quantity::phase_current: return &phase.current_a;
        case list_quantity::phase_active_import_power: return &phase.active_import_w;
        case list_quantity::phase_active_export_power: return &phase.active_export_w;
        case list_quantity::phase_power_factor: return &phase.power_factor;
        default: return nullptr;
    }
}

template <class Snapshot>
auto energy_field(const list_row& row, Snapshot& v) -> decltype(&v.energy.active_import_mwh) {
    auto& phase = v.phases.at(row.phase);
    switch (row.what) {
        case list_quantity::active_import_energy: return &v.energy.active_import_mwh;
        case list_quantity::active_export_energy: return &v.energy.active_export_mwh;
        case list_quantity::reactive_import_energy: return &v.energy.reactive_import_mvarh;
        case list_quantity::reactive_export_energy: return &v.energy.reactive_export_mvarh;
        case list_quantity::phase_active_import_energy: return &phase.energy.active_import_mwh;
        case list_quantity::phase_active_export_energy: return &phase.energy.active_export_mwh;
        default: return nullptr;
    }
}

}  // namespace

std::optional<std::uint32_t> row_wire_integer(const list_row& row, const snapshot& values,
                                              const list_options& options) {
    if (row.what == list_quantity::meter_number) return values.identity.meter_number;
    if (const auto* e = energy_field(row, values)) return energy_to_wire(*e, options.energy);
    const double* x = numeric_field(row, values);
    if (x == nullptr) return std::nullopt;
    switch (row.scaling) {
        case wire_scaling::power: return power_to_wire(*x, options.power_multiplier);
        case wire_scaling::current: return current_to_wire(*x, options.current);
        case wire_scaling::voltage: return voltage_to_wire(*x, options.voltage);
        case wire_scaling::power_factor: return power_factor_to_wire(*x);
        default: return std::nullopt;
    }
}

bool store_row_wire_integer(const list_row& row, std::uint32_t wire, snapshot& values,
                            const list_options& options) {
    if (row.what == list_quantity::meter_number) {
        values.identity.meter_number = wire;
        return true;
    }
    if (auto* e = energy_field(row, values)) {
        *e = energy_from_wire(wire, options.energy);
        return true;
    }
    double* x = numeric_field(row, values);
    if (x == nullptr) return false;
    switch (row.scaling) {
        case wire_scaling::power: *x = power_from_wire(wire, options.power_multiplier); return true;
        case wire_scaling::current: *x = current_from_wire(wire, options.current); return true;
        case wire_scaling::voltage:
            *x = voltage_from_wire(static_cast<std::uint16_t>(wire), options.voltage);
            return true;
        case wire_scaling::power_factor:
            *x = power_factor_from_wire(static_cast<std::uint16_t>(wire));
            return true;
        default: return false;
    }
}

}  // namespace hansim::meter
