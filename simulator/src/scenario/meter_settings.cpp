#include "hansim/scenario/meter_settings.hpp"

#include "../common/value_text.hpp"

#include "hansim/faults/catalogue.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>

namespace hansim::scenario {

using namespace std::chrono;
using meter::meter_config;

namespace {

using detail::bad;
using detail::lower;
using detail::parse_unsigned;

double parse_number(std::string_view text, const std::string& expected) {
    std::string s(text);
    char* end = nullptr;
    const double value = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(value)) bad(expected, text);
    return value;
}

bool parse_bool(std::string_view text) {
    const std::string s = lower(text);
    if (s == "true" || s == "yes" || s == "on" || s == "1") return true;
    if (s == "false" || s == "no" || s == "off" || s == "0") return false;
    bad("true or false", text);
}

std::vector<std::string_view> split(std::string_view text, char sep) {
    std::vector<std::string_view> parts;
    std::size_t from = 0;
    for (;;) {
        const std::size_t at = text.find(sep, from);
        parts.push_back(text.substr(from, at == std::string_view::npos ? std::string_view::npos : at - from));
        if (at == std::string_view::npos) return parts;
        from = at + 1;
    }
}

std::uint32_t parse_serial(std::string_view text) {
    return static_cast<std::uint32_t>(parse_unsigned(text, 99'999'999, "1 to 8 digits"));
}

template <class F>
auto rethrow_plain(F&& f, std::string_view text, const std::string& expected) {
    try {
        return f(text);
    } catch (const std::invalid_argument&) {
        bad(expected, text);
    }
}

void set_jitter(meter_config& c, std::string_view text) {
    const auto parts = split(text, ':');
    const std::string kind = lower(parts[0]);
    const std::string expected = "none, uniform[:MIN:MAX] or normal[:MEAN:STDDEV[:MIN:MAX]] in ms";
    auto ms = [&](std::string_view p) { return milliseconds(static_cast<std::int64_t>(parse_unsigned(p, 9000, expected))); };
    meter::jitter_config j = c.jitter;
    j.distribution = rethrow_plain([](std::string_view k) { return meter::parse_jitter_distribution(k); }, kind, expected);
    if (j.distribution == meter::jitter_distribution::none && parts.size() != 1) bad(expected, text);
    if (j.distribution == meter::jitter_distribution::uniform) {
        if (parts.size() == 3) j.min = ms(parts[1]), j.max = ms(parts[2]);
        else if (parts.size() != 1) bad(expected, text);
    }
    if (j.distribution == meter::jitter_distribution::normal) {
        if (parts.size() == 3 || parts.size() == 5) j.mean = ms(parts[1]), j.stddev = ms(parts[2]);
        if (parts.size() == 5) j.min = ms(parts[3]), j.max = ms(parts[4]);
        if (parts.size() != 1 && parts.size() != 3 && parts.size() != 5) bad(expected, text);
    }
    meter::validate(j);
    c.jitter = j;
}

void set_load(meter_config& c, std::string_view text) {
    const auto parts = split(text, ':');
    const std::string expected = "constant[:W], daily_curve[:BASE:PEAK] or solar[:BASE:PEAK:SOLAR_PEAK] (watts)";
    auto watts = [&](std::string_view p) {
        const double w = parse_number(p, expected);
        if (w < 0) bad(expected, text);
        return w;
    };
    c.load.shape = rethrow_plain([](std::string_view k) { return meter::parse_load_shape(k); }, parts[0], expected);
    switch (c.load.shape) {
        case meter::load_shape::constant:
            if (parts.size() == 2) c.load.base_w = watts(parts[1]);
            else if (parts.size() != 1) bad(expected, text);
            break;
        case meter::load_shape::daily_curve:
            if (parts.size() == 3) c.load.base_w = watts(parts[1]), c.load.peak_w = watts(parts[2]);
            else if (parts.size() != 1) bad(expected, text);
            break;
        case meter::load_shape::solar:
            if (parts.size() == 4)
                c.load.base_w = watts(parts[1]), c.load.peak_w = watts(parts[2]), c.load.solar_peak_w = watts(parts[3]);
            else if (parts.size() != 1) bad(expected, text);
            break;
    }
}

// Wh or varh as written ("12345.678") to milli-units; at most 9e15 Wh like the scenario form.
void set_initial_energy(meter_config& c, std::string_view text) {
    const std::string expected = "A+[:A-[:R+[:R-]]] in Wh / varh, each 0 .. 9e15";
    const auto parts = split(text, ':');
    if (parts.size() > 4) bad(expected, text);
    meter::energy_registers next = c.initial_energy;
    std::int64_t* into[] = {&next.active_import_mwh, &next.active_export_mwh, &next.reactive_import_mvarh,
                            &next.reactive_export_mvarh};
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const double wh = parse_number(parts[i], expected);
        if (wh < 0 || wh > 9.0e15) bad(expected, text);
        *into[i] = static_cast<std::int64_t>(std::llround(wh * 1000.0));
    }
    c.initial_energy = next;
    c.initial_phase_energy.reset();  // the phases follow the new totals
}

void set_initial_phase_split(meter_config& c, std::string_view text) {
    const std::string expected = "load, equal or three weights W1:W2:W3 (not negative, not all zero)";
    const std::string s = lower(text);
    std::optional<std::array<double, 3>> weights;
    if (s == "equal") weights = std::array<double, 3>{1, 1, 1};
    else if (s != "load") {
        const auto parts = split(text, ':');
        if (parts.size() != 3) bad(expected, text);
        std::array<double, 3> w{};
        for (std::size_t i = 0; i < 3; ++i) {
            w[i] = parse_number(parts[i], expected);
            if (w[i] < 0) bad(expected, text);
        }
        if (w[0] + w[1] + w[2] <= 0) bad(expected, text);
        weights = w;
    }
    c.initial_phase_split = weights;
    c.initial_phase_energy.reset();
}

meter::wiring parse_wiring(std::string_view text) {
    const std::string s = lower(text);
    if (s == "single_phase" || s == "1p" || s == "single-phase") return meter::wiring::single_phase;
    if (s == "three_phase_4wire" || s == "3p" || s == "4wire" || s == "3p4w") return meter::wiring::three_phase_4wire;
    if (s == "three_phase_3wire" || s == "it" || s == "3wire" || s == "3p3w") return meter::wiring::three_phase_3wire;
    bad("single_phase, three_phase_4wire or three_phase_3wire", text);
}

using setter = std::function<void(meter_config&, std::string_view)>;
/// For the few keys that are not the meter model's (port, key and counter files).
using spec_setter = std::function<void(meter_spec&, std::string_view)>;

struct setting {
    std::string key;
    std::string help;
    setter set;
    spec_setter set_spec = nullptr;
};

const std::vector<setting>& setters() {
    static const std::vector<setting> table{
        {"name", "meter name (unique in a run)", [](meter_config& c, std::string_view v) {
             if (v.empty()) bad("a non-empty name", v);
             c.name = std::string(v);
         }},
        {"serial", "serial number, 1..8 digits (GS1 id and system title follow)", [](meter_config& c, std::string_view v) { c.serial = parse_serial(v); }},
        {"meter_type", "18-character Kamstrup type (default: from wiring, ct, country)", [](meter_config& c, std::string_view v) {
             if (v.size() != 18) bad("18 characters", v);
             c.meter_type = std::string(v);
         }},
        {"meter_number", "DLMS push 1 meter number 1 (default: the serial)", [](meter_config& c, std::string_view v) { c.meter_number = parse_serial(v); }},
        {"wiring", "single_phase | three_phase_4wire | three_phase_3wire (1p, 3p, it)", [](meter_config& c, std::string_view v) {
             // A 3-wire IT grid is 3×230 V line-to-line: keep the listed voltages near 230 V.
             const double star = 230.0 / std::sqrt(3.0);
             const meter::wiring wires = parse_wiring(v);
             if (wires == meter::wiring::three_phase_3wire && c.load.nominal_voltage_v == 230.0)
                 c.load.nominal_voltage_v = star;
             if (wires != meter::wiring::three_phase_3wire && c.load.nominal_voltage_v == star)
                 c.load.nominal_voltage_v = 230.0;
             c.wires = wires;
         }},
        {"ct", "current-transformer meter (685…, 0.001 A)", [](meter_config& c, std::string_view v) {
             c.current_transformer = parse_bool(v);
             c.list.current = c.current_transformer ? meter::current_resolution::milli_ampere
                                                    : meter::current_resolution::centi_ampere;
         }},
        {"country", "no | se | dk | ch", [](meter_config& c, std::string_view v) {
             c.country = rethrow_plain([](std::string_view t) { return meter::parse_country(t); }, v, "no, se, dk or ch");
         }},
        {"clock_rule", "cet_fixed | local_dst | utc", [](meter_config& c, std::string_view v) {
             c.clock = rethrow_plain([](std::string_view t) { return meter::parse_clock_rule(t); }, v,
                                     "cet_fixed, local_dst or utc");
         }},
        {"clock_unset", "unset clock: status 01, counting from 2000-01-01", [](meter_config& c, std::string_view v) { c.clock_unset = parse_bool(v); }},
        {"clock_offset", "meter clock minus true time, e.g. -30s", [](meter_config& c, std::string_view v) { c.clock_offset = parse_duration(v); }},
        {"energy_resolution", "10 (Wh, Norway) | 1 (Wh)", [](meter_config& c, std::string_view v) {
             const std::string s = lower(v);
             if (s == "10" || s == "10wh") c.list.energy = meter::energy_resolution::ten_wh;
             else if (s == "1" || s == "1wh") c.list.energy = meter::energy_resolution::one_wh;
             else bad("10 (Wh) or 1 (Wh)", v);
         }},
        {"current_resolution", "0.01 | 0.001 (A)", [](meter_config& c, std::string_view v) {
             if (v == "0.01") c.list.current = meter::current_resolution::centi_ampere;
             else if (v == "0.001") c.list.current = meter::current_resolution::milli_ampere;
             else bad("0.01 or 0.001 (A)", v);
         }},
        {"voltage_resolution", "1 | 0.01 (V)", [](meter_config& c, std::string_view v) {
             if (v == "1") c.list.voltage = meter::voltage_resolution::volt;
             else if (v == "0.01") c.list.voltage = meter::voltage_resolution::centi_volt;
             else bad("1 or 0.01 (V)", v);
         }},
        {"date_time_form", "standard | legacy_09 (pre-2018 firmware)", [](meter_config& c, std::string_view v) {
             if (v == "standard") c.list.date_time = meter::date_time_form::standard;
             else if (v == "legacy_09") c.list.date_time = meter::date_time_form::legacy_09;
             else bad("standard or legacy_09", v);
         }},
        {"single_phase_form", "null_placeholders | compact", [](meter_config& c, std::string_view v) {
             if (v == "null_placeholders") c.list.single_phase = meter::single_phase_form::null_placeholders;
             else if (v == "compact") c.list.single_phase = meter::single_phase_form::compact;
             else bad("null_placeholders or compact", v);
         }},
        {"power_multiplier", "wire power multiplier (10: Swedish firmware quirk)", [](meter_config& c, std::string_view v) {
             c.list.power_multiplier = static_cast<unsigned>(parse_unsigned(v, 1000, "1 .. 1000"));
             if (c.list.power_multiplier == 0) bad("1 .. 1000", v);
         }},
        {"lists", "pushed lists: list1,list2,push1,p1", [](meter_config& c, std::string_view v) {
             std::vector<meter::push_kind> lists;
             for (auto part : split(v, ','))
                 lists.push_back(rethrow_plain([](std::string_view t) { return meter::parse_push_kind(t); }, part,
                                               "a comma-separated list of list1, list2, push1, p1"));
             c.lists = lists;
         }},
        {"list2_delay_steps", "list 2 at xx:00:05 + 10 s * k, k = 0..5", [](meter_config& c, std::string_view v) {
             c.list2_delay_steps = static_cast<unsigned>(parse_unsigned(v, 5, "0 .. 5"));
         }},
        {"p1_profile", "P1 telegram profile name", [](meter_config& c, std::string_view v) { c.p1_profile = std::string(v); }},
        {"p1_ident", "P1 header ident after '/' (default: the profile's, e.g. ELL5\\253833635_A)",
         [](meter_config& c, std::string_view v) { c.p1_ident = std::string(v); }},
        {"p1_period", "P1 telegram period (10s; 1s DSMR style)", [](meter_config& c, std::string_view v) { c.p1_period = parse_duration(v); }},
        {"p1_phase", "P1 offset within the period", [](meter_config& c, std::string_view v) { c.p1_phase = parse_duration(v); }},
        {"security", "none | encrypt | authenticate | encrypt+authenticate", [](meter_config& c, std::string_view v) {
             c.security = rethrow_plain([](std::string_view t) { return security::parse_security_policy(t); }, v,
                                        "none, encrypt, authenticate or encrypt+authenticate");
         }},
        {"p1_authentication_key", "ciphered P1: luxembourg (fixed public AK, default) | key_file",
         [](meter_config& c, std::string_view v) {
             if (v == "luxembourg") c.p1_fixed_authentication_key = true;
             else if (v == "key_file") c.p1_fixed_authentication_key = false;
             else throw std::invalid_argument("expected luxembourg or key_file, got '" + std::string(v) + "'");
         }},
        {"key_file", "key file (encryption_key=…, authentication_key=…)", nullptr,
         [](meter_spec& s, std::string_view v) { s.files.key_file = std::string(v); }},
        {"invocation_counter_file", "persistent invocation counter store", nullptr,
         [](meter_spec& s, std::string_view v) { s.files.invocation_counter_file = std::string(v); }},
        {"initial_invocation_counter", "first invocation counter without a store", [](meter_config& c, std::string_view v) {
             c.initial_invocation_counter = static_cast<std::uint32_t>(parse_unsigned(v, 0xFFFFFFFFu, "0 .. 4294967295"));
         }},
        {"faults", "faults per push (see `hansim faults`), e.g. bad_fcs@3,truncated:at=40@every:10,corrupted_tag@rate:0.01",
         [](meter_config& c, std::string_view v) { c.faults = faults::parse_fault_plan(v); }},
        {"push_phase", "when the pushes leave within the push period, in true time: a duration, or auto (drawn from "
                       "the seed; the default of copies made by --count)", nullptr,
         [](meter_spec& s, std::string_view v) {
             if (lower(v) == "auto") {
                 s.phase = {true, std::nullopt};
                 return;
             }
             const std::string expected = "auto or a duration >= 0 within the push period, e.g. 2500ms";
             const auto phase = rethrow_plain([](std::string_view t) { return parse_duration(t); }, v, expected);
             if (phase < milliseconds(0)) bad(expected, v);
             s.phase = {false, phase};
         }},
        {"port", "port for hansim run, e.g. pty:/tmp/ttyHAN0", nullptr,
         [](meter_spec& s, std::string_view v) { s.port = std::string(v); }},
        {"baud", "line speed (HAN 2400, P1 115200)", [](meter_config& c, std::string_view v) {
             c.baud_rate = static_cast<unsigned>(parse_unsigned(v, 1'000'000, "a baud rate"));
         }},
        {"bits_per_character", "10 for 8N1, 11 for 8E1", [](meter_config& c, std::string_view v) {
             c.bits_per_character = static_cast<unsigned>(parse_unsigned(v, 12, "7 .. 12"));
         }},
        {"seed", "seed of every random choice (load noise, jitter)", [](meter_config& c, std::string_view v) {
             c.seed = parse_unsigned(v, UINT64_MAX, "an unsigned 64-bit number");
         }},
        {"energy_method", "vector_summation | individual_phases | total_summation", [](meter_config& c, std::string_view v) {
             c.method = rethrow_plain([](std::string_view t) { return meter::parse_energy_method(t); }, v,
                                      "vector_summation, individual_phases or total_summation");
         }},
        {"initial_energy", "registers at the start: A+[:A-[:R+[:R-]]] in Wh / varh (the rest keep theirs)", set_initial_energy},
        {"initial_phase_split", "how initial_energy is shared by L1:L2:L3: load (the load's phase_share, default) | equal | W1:W2:W3",
         set_initial_phase_split},
        {"integration_step", "power changes at most this often (default 1s)", [](meter_config& c, std::string_view v) { c.integration_step = parse_duration(v); }},
        {"jitter", "none | uniform[:MIN:MAX] | normal[:MEAN:STDDEV[:MIN:MAX]] (ms)", set_jitter},
        {"load", "constant[:W] | daily_curve[:BASE:PEAK] | solar[:BASE:PEAK:SOLAR_PEAK], each with the load's noise (±5 %, drawn once a minute); an exact power is `power`", set_load},
        {"power", "fixed total active power in W (negative: export)", [](meter_config& c, std::string_view v) {
             c.load.steps = {meter::load_step{utc_ms{}, parse_number(v, "a power in W"), false}};
         }},
    };
    return table;
}

}  // namespace

const std::vector<std::string>& meter_setting_keys() {
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> k;
        for (const auto& s : setters()) k.push_back(s.key);
        return k;
    }();
    return keys;
}

std::string_view meter_setting_help(std::string_view key) {
    for (const auto& s : setters())
        if (s.key == key) return s.help;
    return {};
}

namespace {
const setting& find_setting(std::string_view key) {
    for (const auto& s : setters())
        if (s.key == key) return s;
    std::string known;
    for (const auto& k : meter_setting_keys()) known += (known.empty() ? "" : ", ") + k;
    throw std::invalid_argument("unknown setting '" + std::string(key) + "' (known: " + known + ")");
}
}  // namespace

void apply_meter_setting(meter_spec& spec, std::string_view key, std::string_view value) {
    const setting& s = find_setting(key);
    if (s.set_spec) s.set_spec(spec, value);
    else s.set(spec.config, value);
}

void apply_meter_setting(meter_config& config, std::string_view key, std::string_view value) {
    const setting& s = find_setting(key);
    if (s.set_spec)
        throw std::invalid_argument("'" + std::string(key) + "' is not a setting of the meter model (it belongs to the run: meter_spec)");
    s.set(config, value);
}

listen_address parse_listen_spec(std::string_view spec) {
    const std::string text(spec);
    listen_address listen;
    std::string port_text = text;
    if (const auto colon = text.rfind(':'); colon != std::string::npos) {
        listen.address = text.substr(0, colon);
        port_text = text.substr(colon + 1);
        if (listen.address.size() >= 2 && listen.address.front() == '[' && listen.address.back() == ']')
            listen.address = listen.address.substr(1, listen.address.size() - 2);
        if (listen.address.empty()) throw std::invalid_argument("'" + text + "': empty address before ':'");
    }
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || ec != std::errc{} || end != port_text.data() + port_text.size() || port > 65535)
        throw std::invalid_argument("'" + text + "': expected [ADDR:]PORT with PORT 0..65535");
    unsigned char scratch[16];
    if (listen.address.find('\0') != std::string::npos ||
        (::inet_pton(AF_INET, listen.address.c_str(), scratch) != 1 && ::inet_pton(AF_INET6, listen.address.c_str(), scratch) != 1))
        throw std::invalid_argument("'" + text + "': '" + listen.address + "' is not an IP address");
    listen.port = static_cast<std::uint16_t>(port);
    return listen;
}

}  // namespace hansim::scenario
