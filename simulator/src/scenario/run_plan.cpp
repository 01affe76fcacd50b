#include "hansim/scenario/run_plan.hpp"

#include "hansim/faults/catalogue.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>

#include "hansim/meter/profile.hpp"
#include "hansim/scenario/event_spec.hpp"
#include "hansim/scenario/scenario.hpp"

namespace hansim::scenario {

using namespace std::chrono;

namespace {

std::string duration_text(std::chrono::milliseconds d) {
    return d.count() % 1000 == 0 ? std::to_string(d.count() / 1000) + "s" : std::to_string(d.count()) + "ms";
}

std::string where(const setting& s) { return s.origin.empty() ? s.key : s.origin; }

void apply(meter_spec& spec, const setting& s) {
    try {
        apply_meter_setting(spec, s.key, s.value);
    } catch (const std::invalid_argument& e) {
        throw plan_error(where(s) + ": " + e.what());
    }
}

const setting* last_setting(const std::vector<setting>& settings, std::string_view key) {
    const setting* found = nullptr;
    for (const auto& s : settings)
        if (s.key == key) found = &s;
    return found;
}

void add_event(meter::meter_config& config, const std::string& text, const std::string& option) {
    const std::string origin = option + " '" + text + "'";
    meter::timeline_event event;
    try {
        event = parse_event_spec(text);
        load_event_files(event, {});
    } catch (const event_spec_error& e) {
        throw plan_error(origin + ": " + e.what());
    } catch (const scenario_error& e) {
        throw plan_error(origin + ": " + e.what());
    }
    event.origin_field = origin;
    config.events.push_back(std::move(event));
}

std::string numbered(std::string text, std::size_t n) {
    for (auto at = text.find("{n}"); at != std::string::npos; at = text.find("{n}"))
        text.replace(at, 3, std::to_string(n));
    return text;
}

/// The meters before the request's settings, with start set.
/// `live` gets a scenario's live view settings (http, http_control).
std::vector<meter_spec> base_meters(const run_request& request, const plan_defaults& defaults,
                                             utc_ms now, std::optional<utc_ms> start, scenario& live) {
    if (request.scenario_file && !request.meters.empty())
        throw plan_error("give " + request.names.scenario + " or " + request.names.meter + ", not both");
    const bool from_scenario =
        request.scenario_file || (request.meters.empty() && defaults.source == plan_defaults::meter_source::default_scenario);
    if (from_scenario) {
        scenario loaded;
        try {
            loaded = request.scenario_file ? load_scenario(*request.scenario_file) : default_scenario();
        } catch (const scenario_error& e) {
            throw plan_error(e.what());
        }
        // A seed given for every meter is the scenario seed: meters without their own derive from it.
        if (const setting* seed = last_setting(request.settings, "seed")) {
            meter_spec scratch;
            apply(scratch, *seed);
            loaded.seed = scratch.config.seed;
        }
        if (loaded.meters.empty()) throw plan_error(loaded.name + ": the scenario has no meters");
        live.name = loaded.name;
        live.http = loaded.http;
        live.http_control = loaded.http_control;
        const std::optional<utc_ms> begin = start ? start : loaded.start ? loaded.start : defaults.start ? defaults.start : now;
        std::vector<meter_spec> specs = loaded.configs(begin);
        // A counter store is state: a relative one goes into the state folder (rule 4).
        const std::filesystem::path state =
            request.state_dir ? std::filesystem::path(*request.state_dir) : default_state_dir();
        for (auto& spec : specs) {
            std::string& file = spec.files.invocation_counter_file;
            if (!file.empty() && std::filesystem::path(file).is_relative()) file = (state / file).string();
        }
        return specs;
    }
    std::vector<meter_request> wanted = request.meters;
    if (wanted.empty()) wanted.push_back({std::string(meter::default_profile_name), {}, {}});
    std::vector<meter_spec> out;
    for (const auto& m : wanted) {
        meter_spec spec;
        try {
            spec = profile_spec(m.profile);
        } catch (const std::invalid_argument& e) {
            throw plan_error(request.names.meter + ": " + e.what());
        }
        for (const auto& s : m.settings) apply(spec, s);
        for (const auto& e : m.events) add_event(spec.config, e, request.names.event);
        spec.config.start = start ? *start : defaults.start ? *defaults.start : now;
        out.push_back(std::move(spec));
    }
    return out;
}

}  // namespace

std::filesystem::path default_state_dir() {
    std::error_code ec;
    std::filesystem::path tmp = std::filesystem::temp_directory_path(ec);
    if (ec || tmp.empty()) tmp = "/tmp";
    return tmp / ("hansim-state-" + std::to_string(::getuid()));
}

std::string option_for_setting(std::string_view key) {
    std::string name = "--" + std::string(key);
    for (char& c : name)
        if (c == '_') c = '-';
    return name;
}

std::uint32_t parse_count(std::string_view text, std::string_view option) {
    std::uint32_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < 1 || value > 100'000)
        throw plan_error(std::string(option) + ": expected a whole number from 1 to 100000, got '" + std::string(text) +
                         "'");
    return value;
}

double parse_speed(std::string_view text, std::string_view option) {
    const std::string s(text);
    char* end = nullptr;
    const double value = s.empty() ? 0.0 : std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(value) || value < min_speed || value > max_speed) {
        char range[96];
        std::snprintf(range, sizeof range, "a number from %g (slower than real time) to %g", min_speed, max_speed);
        throw plan_error(std::string(option) + ": expected " + range + ", got '" + s + "'");
    }
    return value;
}

run_plan make_run_plan(const run_request& request, const plan_defaults& defaults, utc_ms now) {
    run_plan plan;
    plan.fast = request.fast;
    if (request.state_dir && request.state_dir->empty())
        throw plan_error(request.names.state_dir + ": expected a folder, got ''");
    if (request.state_dir && !request.scenario_file)
        throw plan_error(request.names.state_dir + ": only a scenario's counter stores go there; give " +
                         request.names.scenario + ", or name the store itself (--ic-file)");
    if (request.speed) plan.speed = parse_speed(*request.speed, request.names.speed);
    if (request.chunk_ms) {
        const std::string& text = *request.chunk_ms;
        unsigned value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < 1 || value > 10'000)
            throw plan_error(request.names.chunk + ": expected a whole number of milliseconds from 1 to 10000, got '" + text + "'");
        plan.chunk = milliseconds(value);
    }
    const std::uint32_t count = request.count ? parse_count(*request.count, request.names.count) : 1;

    std::optional<utc_ms> start;
    if (request.start && *request.start != "now") {
        try {
            start = parse_utc_time(*request.start);
        } catch (const std::invalid_argument& e) {
            throw plan_error(request.names.start + ": " + e.what());
        }
    } else if (request.start) {
        start = now;
    }
    std::optional<milliseconds> duration = defaults.duration;
    if (request.duration) {
        try {
            duration = parse_duration(*request.duration);
        } catch (const std::invalid_argument& e) {
            throw plan_error(request.names.duration + ": " + e.what());
        }
        if (*duration <= milliseconds(0))
            throw plan_error(request.names.duration + ": expected a positive duration like 90s, 1h30m or 2d, got '" +
                             *request.duration + "'");
    }

    scenario from_file;
    const auto bases = base_meters(request, defaults, now, start, from_file);
    if (request.http || from_file.http) {
        const std::string& spec = request.http ? *request.http : *from_file.http;
        live_view_plan live;
        try {
            live.listen = parse_listen_spec(spec);
        } catch (const std::invalid_argument& e) {
            throw plan_error((request.http ? request.names.http : from_file.name + ": http") + ": " + e.what());
        }
        live.control = request.http_control || from_file.http_control;
        plan.live = live;
    } else if (request.http_control) {
        throw plan_error(request.names.http_control + " needs " + request.names.http + " [ADDR:]PORT");
    } else if (from_file.http_control) {
        throw plan_error(from_file.name + ": http_control needs http: [ADDR:]PORT (or " + request.names.http + ")");
    }
    plan.start = bases.front().config.start;
    if (duration) plan.end = plan.start + *duration;
    if (count > 1 && bases.size() > 1)
        throw plan_error(request.names.count + ": copies one meter; there are " + std::to_string(bases.size()));
    const std::size_t total = bases.size() * count;

    const setting* name_setting = last_setting(request.settings, "name");
    const setting* serial_setting = last_setting(request.settings, "serial");
    const setting* seed_setting = request.scenario_file ? nullptr : last_setting(request.settings, "seed");
    const setting* counter_setting = last_setting(request.settings, "invocation_counter_file");
    const setting* port_setting = last_setting(request.settings, "port");
    if (port_setting && total > 1 && port_setting->value.find("{n}") == std::string::npos && port_setting->value != "-")
        throw plan_error(where(*port_setting) + " '" + port_setting->value + "': each of the " + std::to_string(total) +
                         " meters needs its own port; put {n} in it (replaced by 1.." + std::to_string(total) + ")");

    for (std::size_t index = 0; index < total; ++index) {
        const std::size_t n = index + 1;
        const std::uint32_t copy = static_cast<std::uint32_t>(index % count);  // 0 for the first of each base
        meter_spec spec = bases[index / count];
        meter::meter_config& config = spec.config;
        for (const auto& s : request.settings) {
            if (s.key == "seed" && request.scenario_file) continue;  // the scenario seed, applied above
            if (s.key == "port") continue;                           // numbered below
            apply(spec, s);
        }
        if (name_setting && total > 1) config.name += std::to_string(n);
        else if (count > 1) config.name += "-" + std::to_string(copy + 1);
        config.serial += serial_setting ? static_cast<std::uint32_t>(index) : copy;
        config.seed += seed_setting ? index : copy;
        // Copies spread in time as real meters do: each its own push phase, from its own seed.
        if (spec.phase.drawn || (!spec.phase.given && count > 1)) spec.phase = {false, drawn_push_phase(config)};
        if (spec.phase.given && *spec.phase.given >= push_period(config))
            throw plan_error("meter '" + config.name + "': push_phase: expected auto or a duration below the push period (" +
                             duration_text(push_period(config)) + "), got " + duration_text(*spec.phase.given));
        std::string& counter_file = spec.files.invocation_counter_file;
        if (counter_setting && total > 1) counter_file += "." + std::to_string(n);
        else if (count > 1 && !counter_file.empty()) counter_file += "." + std::to_string(copy + 1);
        if (port_setting) spec.port = total > 1 ? numbered(port_setting->value, n) : port_setting->value;
        else if (count > 1 && !spec.port.empty()) spec.port = numbered(spec.port, copy + 1);
        for (const auto& e : request.events) add_event(config, e, request.names.event);
        try {
            check_events(config, plan.end);
        } catch (const std::invalid_argument& e) {
            throw plan_error("meter '" + config.name + "': " + e.what());
        }
        if (defaults.ports_required && spec.port.empty())
            throw plan_error("meter '" + config.name + "': no port (give " + request.names.port + ")");
        try {
            meter::validate(config);
        } catch (const std::invalid_argument& e) {
            throw plan_error("meter '" + config.name + "': " + e.what());
        }
        try {  // before any port opens; generate has no port: line faults cannot apply there
            faults::check_applicable(config.faults, config, defaults.ports_required ? spec.port : std::string());
        } catch (const std::invalid_argument& e) {
            throw plan_error("meter '" + config.name + "': faults: " + e.what());
        }
        plan.meters.push_back(std::move(spec));
    }
    for (std::size_t i = 0; i < plan.meters.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (plan.meters[i].config.name == plan.meters[j].config.name)
                throw plan_error("two meters are named '" + plan.meters[i].config.name + "'; names must be unique");
    for (std::size_t i = 0; defaults.ports_required && i < plan.meters.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (!plan.meters[i].port.empty() && plan.meters[i].port != "-" && plan.meters[i].port == plan.meters[j].port)
                throw plan_error("meters '" + plan.meters[j].config.name + "' and '" + plan.meters[i].config.name +
                                 "' are both on port " + plan.meters[i].port + "; give each its own (" +
                                 request.names.port + " with {n})");
    return plan;
}

}  // namespace hansim::scenario
