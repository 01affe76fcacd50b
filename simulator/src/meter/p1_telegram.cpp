#include "hansim/meter/p1_telegram.hpp"

#include <cmath>
#include <optional>
#include <stdexcept>

#include "hansim/codec/p1/writer.hpp"

namespace hansim::meter {
namespace {

namespace p1 = codec::p1;
using q = p1_quantity;

std::int64_t pow10(unsigned n) {
    std::int64_t v = 1;
    while (n-- > 0) v *= 10;
    return v;
}

/// Milli-units (mWh) to the line's decimals of kilo-units (kWh), rounded down.
std::int64_t from_milli_to_kilo(std::int64_t milli, unsigned decimals) {
    if (decimals >= 6) return milli * pow10(decimals - 6);
    const auto divisor = pow10(6 - decimals);
    auto scaled = milli / divisor;
    if (milli % divisor != 0 && milli < 0) --scaled;
    return scaled;
}

std::int64_t rounded(double v, unsigned decimals) {
    const double scaled = v * static_cast<double>(pow10(decimals));
    if (!std::isfinite(scaled) || std::fabs(scaled) >= 9.0e18)
        throw std::invalid_argument("P1 value " + std::to_string(v) + " does not fit the line");
    return std::llround(scaled);
}

p1::timestamp clock_of(const snapshot& s) {
    p1::timestamp t;
    t.year = static_cast<std::uint8_t>(s.clock.year % 100);
    t.month = s.clock.month;
    t.day = s.clock.day;
    t.hour = s.clock.hour;
    t.minute = s.clock.minute;
    t.second = s.clock.second;
    t.daylight_saving = s.daylight_saving;
    return t;
}

bool exporting(const snapshot& s) { return s.active_export_w > s.active_import_w; }

// The exact scaled integer a number line writes (its decimals of kilo-units or units);
// nullopt for the clock and fixed lines, which are not numbers made here.
std::optional<std::int64_t> scaled_of(const snapshot& s, const p1_line& line) {
    const auto& ph = s.phases.at(line.phase);
    const auto kilo = [&](double w) { return rounded(w / 1000.0, line.decimals); };
    const auto plain = [&](double v) { return rounded(v, line.decimals); };
    const auto energy = [&](std::int64_t milli) { return from_milli_to_kilo(milli, line.decimals); };
    switch (line.quantity) {
        case q::clock: return std::nullopt;
        case q::active_import_energy: return energy(s.energy.active_import_mwh);
        case q::active_export_energy: return energy(s.energy.active_export_mwh);
        case q::reactive_import_energy: return energy(s.energy.reactive_import_mvarh);
        case q::reactive_export_energy: return energy(s.energy.reactive_export_mvarh);
        case q::active_energy_sum: return energy(s.energy.active_import_mwh + s.energy.active_export_mwh);
        case q::active_import_power: return kilo(s.active_import_w);
        case q::active_export_power: return kilo(s.active_export_w);
        case q::reactive_import_power: return kilo(s.reactive_import_var);
        case q::reactive_export_power: return kilo(s.reactive_export_var);
        case q::reactive_power_q1: return kilo(exporting(s) ? 0.0 : s.reactive_import_var);
        case q::reactive_power_q2: return kilo(exporting(s) ? s.reactive_import_var : 0.0);
        case q::reactive_power_q3: return kilo(exporting(s) ? s.reactive_export_var : 0.0);
        case q::reactive_power_q4: return kilo(exporting(s) ? 0.0 : s.reactive_export_var);
        case q::power_factor: return plain(s.power_factor);
        case q::phase_active_import_power: return kilo(ph.active_import_w);
        case q::phase_active_export_power: return kilo(ph.active_export_w);
        case q::phase_reactive_import_power: return kilo(ph.reactive_import_var);
        case q::phase_reactive_export_power: return kilo(ph.reactive_export_var);
        case q::phase_voltage: return plain(ph.voltage_v);
        case q::phase_current: return plain(ph.current_a);
        case q::phase_power_factor: return plain(ph.power_factor);
        case q::fixed: return std::nullopt;
    }
    throw std::invalid_argument("P1 profile line " + line.obis + " has an unknown quantity");
}

p1::value value_of(const snapshot& s, const p1_line& line) {
    if (const auto scaled = scaled_of(s, line)) return p1::make_number(*scaled, line.integer_digits, line.decimals, line.unit);
    if (line.quantity == q::clock) return clock_of(s);
    if (!line.fixed) throw std::invalid_argument("P1 profile line " + line.obis + " is fixed but has no value");
    return *line.fixed;
}

}  // namespace

codec::p1::telegram build_p1_telegram_model(const snapshot& values, const p1_profile& profile) {
    p1::telegram t;
    t.ident = profile.ident;
    const bool single_phase = values.wires == wiring::single_phase;
    for (const auto& line : profile.lines) {
        if (single_phase && line.belongs_to_l2_or_l3()) continue;
        if (line.phase > 2) throw std::invalid_argument("P1 profile line " + line.obis + " names phase " + std::to_string(line.phase + 1));
        t.lines.push_back({line.obis, {value_of(values, line)}});
    }
    return t;
}

std::string build_p1_telegram(const snapshot& values, const p1_profile& profile) {
    return build_p1_telegram(values, profile, profile.ident);
}

std::string build_p1_telegram(const snapshot& values, const p1_profile& profile, std::string_view ident) {
    std::string out;
    out.reserve(64 + 40 * profile.lines.size());
    try {
        p1::append_telegram_header(out, ident);
        const bool single_phase = values.wires == wiring::single_phase;
        std::size_t index = 0;
        for (const auto& line : profile.lines) {
            if (single_phase && line.belongs_to_l2_or_l3()) continue;
            if (line.phase > 2) throw std::invalid_argument("P1 profile line");
            if (const auto scaled = scaled_of(values, line)) {
                p1::append_number_line(out, index++, line.obis, *scaled, line.integer_digits, line.decimals, line.unit);
                continue;
            }
            const p1::value v = value_of(values, line);
            p1::append_telegram_line(out, index++, line.obis, {&v, 1});
        }
        p1::append_telegram_end(out);
    } catch (const std::invalid_argument&) {
        // The model path checks the values before the text: it throws the error it always threw.
        p1_profile named = profile;
        named.ident = std::string(ident);
        return p1::write_telegram_text(build_p1_telegram_model(values, named));
    }
    return out;
}

}  // namespace hansim::meter
