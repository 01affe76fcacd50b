#include "hansim/meter/meter_config.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "hansim/meter/p1_profile.hpp"

namespace hansim::meter {

std::string effective_meter_type(const physics_config& config) {
    if (!config.meter_type.empty()) return config.meter_type;
    return kamstrup_meter_type(config.wires, config.current_transformer, config.country);
}

meter_identity identity_of(const physics_config& config) {
    return make_identity(config.serial, effective_meter_type(config), config.meter_number.value_or(config.serial));
}

schedule_config schedule_of(const meter_config& config, std::size_t list1_bytes, std::size_t list2_bytes) {
    schedule_config s;
    s.lists = config.lists;
    s.list2_delay_steps = config.list2_delay_steps;
    s.p1_period = config.p1_period;
    s.p1_phase = config.p1_phase;
    s.jitter = config.jitter;
    s.seed = config.seed;
    s.list1_duration = transmission_time(list1_bytes, config.baud_rate, config.bits_per_character);
    s.list2_duration = transmission_time(list2_bytes, config.baud_rate, config.bits_per_character);
    return s;
}

namespace {

[[noreturn]] void fail(const std::string& field, const std::string& message) {
    throw std::invalid_argument(field + ": " + message);
}

template <class F>
void with_field(const std::string& field, F&& check) {
    try {
        check();
    } catch (const std::invalid_argument& e) {
        fail(field, e.what());
    }
}

}  // namespace

void validate(const physics_config& c) {
    using namespace std::chrono_literals;
    if (c.serial > 99'999'999u) fail("serial", "expected at most 8 digits, got " + std::to_string(c.serial));
    if (!c.meter_type.empty() && c.meter_type.size() != 18)
        fail("meter_type", "expected 18 characters, got " + std::to_string(c.meter_type.size()) + " ('" +
                               c.meter_type + "')");
    if (c.meter_number && *c.meter_number > 99'999'999u) fail("meter_number", "expected at most 8 digits");
    if (c.wires == wiring::single_phase && c.current_transformer)
        fail("ct", "a single-phase meter has no current-transformer variant");
    if (c.clock_unset && c.clock_offset != 0ms) fail("clock_offset", "cannot be combined with an unset clock");
    if (c.integration_step < 1ms || c.integration_step > 1h) fail("integration_step", "expected 1 ms .. 1 h");
    with_field("load", [&] { validate(c.load); });
    for (std::size_t i = 0; i < 3; ++i) {
        if (!c.fixed_phases[i]) continue;
        if (c.wires == wiring::single_phase && i > 0)
            fail("phases[" + std::to_string(i) + "]", "a single-phase meter has only L1");
        with_field("phases[" + std::to_string(i) + "]",
                   [&] { (void)derive_phase(*c.fixed_phases[i], c.load.nominal_voltage_v); });
    }
    auto non_negative = [](const energy_registers& e) {
        return e.active_import_mwh >= 0 && e.active_export_mwh >= 0 && e.reactive_import_mvarh >= 0 &&
               e.reactive_export_mvarh >= 0;
    };
    if (!non_negative(c.initial_energy)) fail("initial_energy", "registers must not be negative");
    if (c.initial_phase_energy)
        for (const auto& e : *c.initial_phase_energy)
            if (!non_negative(e)) fail("initial_phase_energy", "registers must not be negative");
    if (!c.initial_phase_energy) with_field("initial_phase_split", [&] { (void)initial_phase_energy_of(c); });
}

std::array<energy_registers, 3> initial_phase_energy_of(const physics_config& config) {
    if (config.initial_phase_energy) return *config.initial_phase_energy;
    std::array<double, 3> weights = config.initial_phase_split.value_or(config.load.phase_share);
    if (config.wires == wiring::single_phase) weights[1] = weights[2] = 0;
    return split_energy(config.initial_energy, weights);
}

void validate(const meter_config& c) {
    if (c.name.empty()) fail("name", "must not be empty");
    validate(static_cast<const physics_config&>(c));
    if (c.list.power_multiplier == 0) fail("power_multiplier", "must be at least 1");
    const bool wants_p1 = std::find(c.lists.begin(), c.lists.end(), push_kind::p1) != c.lists.end();
    if (wants_p1 && c.p1_profile.empty()) fail("p1_profile", "a meter pushing P1 telegrams needs a P1 profile");
    if (wants_p1 && !find_p1_profile(c.p1_profile)) {
        std::string known;
        for (const auto& p : p1_profiles()) known += (known.empty() ? "" : ", ") + p.name;
        fail("p1_profile", "unknown P1 profile '" + c.p1_profile + "' (known: " + known + ")");
    }
    if (c.p1_ident.find_first_of("\r\n!/") != std::string::npos)
        fail("p1_ident", "must not contain CR, LF, '!' or '/' (they frame the telegram)");
    if (wants_p1 && c.security != security::security_policy::none &&
        c.security != security::security_policy::encrypt_authenticate)
        fail("security", "ciphered P1 (the Luxembourg-style wrapper) is always encrypt+authenticate, got " +
                             std::string(security::to_string(c.security)));
    if (wants_p1 && has_cipher_faults(c.faults))
        fail("faults", "ciphering faults apply to HAN pushes (list1, list2, push1), not to P1 telegrams");
    if (c.baud_rate < 300 || c.baud_rate > 1'000'000)
        fail("baud", "expected 300 .. 1000000, got " + std::to_string(c.baud_rate));
    if (c.bits_per_character < 7 || c.bits_per_character > 12)
        fail("bits_per_character", "expected 7 .. 12, got " + std::to_string(c.bits_per_character));
    with_field("faults", [&] { validate(c.faults, c.security); });
    with_field("jitter", [&] { validate(c.jitter); });
    schedule_config s = schedule_of(c, 0, 0);
    with_field("schedule", [&] { validate(s); });
}

p1_profile p1_profile_of(const push_config& config) {
    const p1_profile* profile = find_p1_profile(config.p1_profile);
    if (!profile) throw std::invalid_argument("p1_profile: unknown P1 profile '" + config.p1_profile + "'");
    p1_profile effective = *profile;
    if (!config.p1_ident.empty()) effective.ident = config.p1_ident;
    return effective;
}

const meter_config& settings_at(const meter_config& config, const resolved_timeline& timeline,
                                std::chrono::sys_time<std::chrono::milliseconds> t) {
    const meter_config* found = &config;
    for (const auto& x : timeline.entries()) {
        if (x.at > t) break;
        if (changes_settings(x.event->kind) && x.event->config_after) found = x.event->config_after.get();
    }
    return *found;
}

}  // namespace hansim::meter
