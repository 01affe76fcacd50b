#include "hansim/scenario/event_spec.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <numeric>
#include <set>
#include <sstream>

#include "hansim/scenario/meter_settings.hpp"
#include "hansim/scenario/scenario.hpp"

namespace hansim::scenario {

using namespace std::chrono;
using meter::event_kind;
using meter::timeline_event;

event_spec_error::event_spec_error(std::string field, const std::string& problem)
    : std::invalid_argument(field + ": " + problem), field_(std::move(field)) {}

namespace {

std::vector<std::string_view> split(std::string_view text, char sep) {
    std::vector<std::string_view> parts;
    std::size_t from = 0;
    for (;;) {
        const auto at = text.find(sep, from);
        parts.push_back(text.substr(from, at == std::string_view::npos ? std::string_view::npos : at - from));
        if (at == std::string_view::npos) break;
        from = at + 1;
    }
    return parts;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

std::optional<double> number(std::string_view text) {
    const std::string s(trim(text));
    if (s.empty()) return std::nullopt;
    std::size_t used = 0;
    double v = 0;
    try {
        v = std::stod(s, &used);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    if (used != s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

// Watts: a number, optionally with the unit W or kW ("3kW" is 3000).
std::optional<double> watts(std::string_view text) {
    text = trim(text);
    double scale = 1;
    if (text.size() > 2 && text.substr(text.size() - 2) == "kW") scale = 1000, text.remove_suffix(2);
    else if (text.size() > 1 && text.back() == 'W') text.remove_suffix(1);
    const auto v = number(text);
    if (!v) return std::nullopt;
    return *v * scale;
}

struct arg_parser {
    std::string field;  // the kind name
    std::string args;

    [[noreturn]] void bad(const std::string& expected) const {
        throw event_spec_error(field, "expected " + expected + ", got '" + args + "'");
    }
    double power(std::string_view part, const std::string& expected) const {
        const auto v = watts(part);
        if (!v) bad(expected);
        return *v;
    }
    double num(std::string_view part, const std::string& expected) const {
        const auto v = number(part);
        if (!v) bad(expected);
        return *v;
    }
    milliseconds dur(std::string_view part, const std::string& expected) const {
        try {
            return parse_duration(part);
        } catch (const std::invalid_argument&) {
            bad(expected);
        }
    }
    // Checks one setting and records it; returns a default configuration with it applied.
    meter::meter_config setting(timeline_event& e, std::string_view key, std::string_view value,
                                const std::string& expected) const {
        meter::meter_config scratch;
        try {
            apply_meter_setting(scratch, key, value);
        } catch (const std::invalid_argument&) {
            bad(expected);
        }
        e.settings.emplace_back(std::string(key), std::string(value));
        return scratch;
    }
};

const std::set<std::string, std::less<>>& firmware_keys() {
    static const std::set<std::string, std::less<>> keys{"energy_resolution", "current_resolution",
                                                         "voltage_resolution", "date_time_form",
                                                         "single_phase_form", "power_multiplier"};
    return keys;
}

void parse_args(timeline_event& e, std::string_view args) {
    const meter::event_kind_info& row = meter::info(e.kind);
    const arg_parser p{std::string(row.name), std::string(args)};
    const std::string expected(row.parameters);
    const auto parts = split(args, ':');
    auto no_args = [&] {
        if (!args.empty() && args != "true") p.bad("no parameters");
    };
    switch (e.kind) {
        case event_kind::load: {
            meter::load_source& l = e.load;
            const std::string_view type = parts[0];
            if (parts.size() == 1 && watts(type)) {  // load=3000, load=3kW: constant
                l.type = meter::load_source_type::constant;
                l.from_w = *watts(type);
            } else if (type == "constant") {
                if (parts.size() != 2) p.bad("constant:W");
                l.type = meter::load_source_type::constant;
                l.from_w = p.power(parts[1], "constant:W");
            } else if (type == "phases") {
                if (parts.size() < 2 || parts.size() > 4) p.bad("phases:W1[:W2:W3] (W per phase)");
                l.type = meter::load_source_type::phases;
                for (std::size_t i = 1; i < parts.size(); ++i) l.phase_w[i - 1] = p.power(parts[i], "phases:W1[:W2:W3]");
            } else if (type == "ramp") {
                if (parts.size() != 4) p.bad("ramp:FROM:TO:OVER (W, W, duration)");
                l.type = meter::load_source_type::ramp;
                l.from_w = p.power(parts[1], "ramp:FROM:TO:OVER");
                l.to_w = p.power(parts[2], "ramp:FROM:TO:OVER");
                l.over = p.dur(parts[3], "ramp:FROM:TO:OVER with OVER a duration");
                if (l.over <= milliseconds(0)) p.bad("a positive ramp duration");
            } else if (type == "daily_curve" || type == "solar") {
                l.type = meter::load_source_type::shape;
                l.shape = type == "solar" ? meter::load_shape::solar : meter::load_shape::daily_curve;
                const std::size_t want = type == "solar" ? 4 : 3;
                l.base_w = l.peak_w = l.solar_peak_w = std::nan("");
                if (parts.size() == want) {
                    l.base_w = p.num(parts[1], expected), l.peak_w = p.num(parts[2], expected);
                    if (want == 4) l.solar_peak_w = p.num(parts[3], expected);
                    if (l.base_w < 0 || l.peak_w < 0 || (want == 4 && l.solar_peak_w < 0))
                        p.bad("watts that are not negative");
                } else if (parts.size() != 1) {
                    p.bad(expected);
                }
            } else if (type == "csv") {
                const auto colon = args.find(':');
                if (colon == std::string_view::npos || colon + 1 == args.size()) p.bad("csv:FILE");
                l.type = meter::load_source_type::csv;
                e.name = std::string(args.substr(colon + 1));  // the file, loaded by load_event_files
            } else if (type == "profile" && parts.size() == 1) {
                l.type = meter::load_source_type::profile;
            } else {
                p.bad(expected);
            }
            break;
        }
        case event_kind::appliance: {
            const auto colon = args.rfind(':');
            if (colon == std::string_view::npos || colon == 0) p.bad("NAME:W");
            e.name = std::string(args.substr(0, colon));
            e.value = p.power(args.substr(colon + 1), "NAME:W");
            break;
        }
        case event_kind::noise:
            e.value = p.num(args, "a relative noise 0..1");
            if (e.value < 0 || e.value > 1) p.bad("a relative noise 0..1");
            break;
        case event_kind::voltage:
            e.value = p.num(args, "a voltage in V");
            if (!(e.value > 0) || e.value > 1000) p.bad("a voltage 0 < V <= 1000");
            break;
        case event_kind::power_factor:
            if (parts.size() > 2 || (parts.size() == 2 && parts[1] != "capacitive" && parts[1] != "inductive"))
                p.bad("PF[:capacitive|inductive]");
            e.value = p.num(parts[0], "a power factor 0..1");
            if (e.value < 0 || e.value > 1) p.bad("a power factor 0..1");
            e.flag = parts.size() == 2 && parts[1] == "capacitive";
            break;
        case event_kind::outage:
        case event_kind::port_cut: no_args(); break;
        case event_kind::data_request:
            if (args == "on" || args == "true") e.flag = true;
            else if (args == "off" || args == "false") e.flag = false;
            else p.bad("on or off");
            break;
        case event_kind::clock_set:
            try {
                e.clock_time = parse_utc_time(args);
            } catch (const std::invalid_argument&) {
                p.bad("an ISO 8601 time");
            }
            break;
        case event_kind::clock_jump:
            // The sign is the direction; without one the direction would be a guess.
            if (args.empty() || (args.front() != '+' && args.front() != '-'))
                p.bad("a signed duration, e.g. -2m (back) or +1h (forward)");
            e.amount = p.dur(args, "a signed duration, e.g. -2m (back) or +1h (forward)");
            if (e.amount == milliseconds(0)) p.bad("a jump other than 0");
            break;
        case event_kind::clock_drift:
            e.value = p.num(args, "a drift in ppm (signed)");
            if (std::abs(e.value) > 100'000) p.bad("a drift within ±100000 ppm");
            break;
        case event_kind::clock_rule: e.rule = p.setting(e, "clock_rule", args, expected).clock; break;
        case event_kind::key_change:
            if (args.empty()) p.bad("a key file");
            e.key_file = std::string(args);
            break;
        case event_kind::counter_reset:
            if (!args.empty()) {
                const auto v = number(args);
                if (!v || *v < 0 || *v > 4294967295.0 || *v != std::floor(*v)) p.bad("0 .. 4294967295");
                e.counter = static_cast<std::uint32_t>(*v);
            }
            break;
        case event_kind::security: p.setting(e, "security", args, expected); break;
        case event_kind::lists: p.setting(e, "lists", args, expected); break;
        case event_kind::list2_delay: p.setting(e, "list2_delay_steps", args, expected); break;
        case event_kind::p1_period:
            e.amount = p.dur(args, "a duration");
            p.setting(e, "p1_period", args, "a positive duration");
            break;
        case event_kind::firmware: {
            if (args.empty()) p.bad(expected);
            for (auto item : split(args, ',')) {
                const auto eq = item.find('=');
                if (eq == std::string_view::npos) p.bad(expected);
                const std::string_view key = item.substr(0, eq);
                if (!firmware_keys().count(key)) p.bad(expected);
                p.setting(e, key, item.substr(eq + 1), expected);
            }
            break;
        }
    }
}

std::string known_kinds() {
    std::string list;
    for (const auto& row : meter::event_kinds()) list += (list.empty() ? "" : ", ") + std::string(row.name);
    return list;
}

std::string where(const timeline_event& e) {
    std::string out = e.origin_file;
    if (e.origin_line > 0) out += ":" + std::to_string(e.origin_line);
    if (!out.empty()) out += ": ";
    if (!e.origin_field.empty()) return out + e.origin_field + ": ";
    return out + "event '" + e.text + "': ";
}

}  // namespace

timeline_event make_event(std::string_view kind, std::string_view args, std::string_view when,
                          std::optional<std::string_view> lasts) {
    const meter::event_kind_info* row = meter::find_event_kind(kind);
    if (!row) throw event_spec_error("kind", "unknown event kind '" + std::string(kind) + "' (known: " + known_kinds() + ")");
    timeline_event e;
    e.kind = row->kind;
    when = trim(when);
    if (when.empty()) throw event_spec_error("at", "missing: when (+DURATION after the start, or an ISO 8601 time)");
    try {
        if (when.front() == '+' || when.front() == '-') {
            e.after_start = parse_duration(when);
            if (*e.after_start < milliseconds(0))
                throw event_spec_error("at", "the time is before the start of the run, got '" + std::string(when) + "'");
        } else {
            e.at = parse_utc_time(when);
        }
    } catch (const event_spec_error&) {
        throw;
    } catch (const std::invalid_argument&) {
        throw event_spec_error("at", "expected +DURATION after the start or an ISO 8601 time, got '" +
                                         std::string(when) + "'");
    }
    if (lasts) {
        try {
            e.lasts = parse_duration(trim(*lasts));
        } catch (const std::invalid_argument&) {
            throw event_spec_error("for", "expected a duration, e.g. 20m, got '" + std::string(*lasts) + "'");
        }
        if (*e.lasts <= milliseconds(0)) throw event_spec_error("for", "expected a positive duration, got '" + std::string(*lasts) + "'");
        if (row->duration == meter::event_duration::none)
            throw event_spec_error("for", std::string(row->name) + " takes no duration");
    } else if (row->duration == meter::event_duration::required) {
        throw event_spec_error("for", "missing: " + std::string(row->name) + " needs a duration (e.g. 20m)");
    }
    parse_args(e, trim(args));
    e.text = std::string(row->name);
    const bool takes_args = !row->parameters.empty();
    if (!trim(args).empty() && (takes_args || trim(args) != "true")) e.text += "=" + std::string(trim(args));
    e.text += "@" + std::string(when);
    if (lasts) e.text += "/" + std::string(trim(*lasts));
    return e;
}

timeline_event parse_event_spec(std::string_view text) {
    text = trim(text);
    const auto at = text.rfind('@');
    if (at == std::string_view::npos)
        throw event_spec_error("at", "expected KIND[=ARGS]@WHEN[/FOR], e.g. outage@+2h/20m, got '" + std::string(text) + "'");
    const std::string_view head = text.substr(0, at);
    std::string_view when = text.substr(at + 1);
    std::optional<std::string_view> lasts;
    if (const auto slash = when.find('/'); slash != std::string_view::npos) {
        lasts = when.substr(slash + 1);
        when = when.substr(0, slash);
    }
    const auto eq = head.find('=');
    const std::string_view kind = trim(head.substr(0, eq));
    const std::string_view args = eq == std::string_view::npos ? std::string_view() : head.substr(eq + 1);
    return make_event(kind, args, when, lasts);
}

meter::load_series parse_load_csv(std::string_view text, std::string_view file) {
    const std::string name(file);
    meter::load_series series;
    series.file = name;
    std::vector<std::string> columns;
    int line_number = 0;
    int header_line = 0;
    std::size_t from = 0;
    while (from <= text.size()) {
        const auto end = text.find('\n', from);
        std::string_view line = text.substr(from, end == std::string_view::npos ? std::string_view::npos : end - from);
        from = end == std::string_view::npos ? text.size() + 1 : end + 1;
        ++line_number;
        line = trim(line);
        if (line.empty() || line.front() == '#') continue;
        const auto cells = split(line, ',');
        if (columns.empty()) {
            header_line = line_number;
            std::set<std::string> seen;
            static const std::set<std::string, std::less<>> known{"time", "p1", "p2", "p3", "q1", "q2", "q3", "pf1",
                                                                  "pf2", "pf3", "u1", "u2", "u3"};
            for (auto cell : cells) {
                const std::string c(trim(cell));
                if (!known.count(c))
                    throw scenario_error(name, line_number, c.empty() ? "header" : c,
                                         "unknown column (expected time, p1..p3, q1..q3 or pf1..pf3, u1..u3)");
                if (!seen.insert(c).second) throw scenario_error(name, line_number, c, "column given twice");
                columns.push_back(c);
            }
            if (columns.front() != "time") throw scenario_error(name, line_number, "time", "the first column must be time");
            if (!seen.count("p1")) throw scenario_error(name, line_number, "p1", "missing: the active power of L1 (W)");
            const bool q = seen.count("q1") || seen.count("q2") || seen.count("q3");
            const bool pf = seen.count("pf1") || seen.count("pf2") || seen.count("pf3");
            if (q && pf) throw scenario_error(name, line_number, "pf1", "give reactive power (q) or power factor (pf), not both");
            continue;
        }
        if (cells.size() != columns.size())
            throw scenario_error(name, line_number, "row",
                                 "expected " + std::to_string(columns.size()) + " values, got " + std::to_string(cells.size()));
        meter::load_series_row row;
        for (std::size_t i = 0; i < cells.size(); ++i) {
            const std::string& c = columns[i];
            const std::string_view cell = trim(cells[i]);
            if (c == "time") {
                try {
                    row.offset = parse_duration(cell);
                } catch (const std::invalid_argument&) {
                    throw scenario_error(name, line_number, c, "expected a duration after the event (e.g. 15m), got '" + std::string(cell) + "'");
                }
                continue;
            }
            const auto v = number(cell);
            const std::size_t phase = static_cast<std::size_t>(c.back() - '1');
            if (!v) throw scenario_error(name, line_number, c, "expected a number, got '" + std::string(cell) + "'");
            if (c[0] == 'p' && c[1] != 'f') {
                if (std::abs(*v) > 1e7) throw scenario_error(name, line_number, c, "expected |P| <= 10 MW, got '" + std::string(cell) + "'");
                row.active_w[phase] = *v;
            } else if (c[0] == 'q') {
                if (std::abs(*v) > 1e7) throw scenario_error(name, line_number, c, "expected |Q| <= 10 Mvar, got '" + std::string(cell) + "'");
                if (!row.reactive_var) row.reactive_var.emplace();
                (*row.reactive_var)[phase] = *v;
            } else if (c[0] == 'p') {
                if (!(*v > 0) || *v > 1) throw scenario_error(name, line_number, c, "expected a power factor 0 < PF <= 1, got '" + std::string(cell) + "'");
                if (!row.power_factor) row.power_factor = std::array<double, 3>{1, 1, 1};
                (*row.power_factor)[phase] = *v;
            } else {
                if (!(*v > 0) || *v > 1000) throw scenario_error(name, line_number, c, "expected a voltage 0 < U <= 1000 V, got '" + std::string(cell) + "'");
                if (!row.voltage_v) row.voltage_v = std::array<double, 3>{230, 230, 230};
                (*row.voltage_v)[phase] = *v;
            }
        }
        if (series.rows.empty() && row.offset != milliseconds(0))
            throw scenario_error(name, line_number, "time", "the first row must be at time 0");
        if (!series.rows.empty() && row.offset <= series.rows.back().offset)
            throw scenario_error(name, line_number, "time", "expected times in increasing order");
        series.rows.push_back(std::move(row));
    }
    if (columns.empty()) throw scenario_error(name, line_number, "header", "missing: a header line (time,p1,...)");
    if (series.rows.empty()) throw scenario_error(name, header_line, "row", "missing: at least one row of values");
    return series;
}

void load_event_files(timeline_event& event, const std::filesystem::path& base_directory) {
    if (event.kind != event_kind::load || event.load.type != meter::load_source_type::csv || event.load.series) return;
    std::filesystem::path path = event.name;
    if (path.is_relative() && !base_directory.empty()) path = base_directory / path;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw scenario_error(path.string(), 0, "", "cannot open the CSV load series");
    std::ostringstream text;
    text << in.rdbuf();
    event.load.series = std::make_shared<const meter::load_series>(parse_load_csv(text.str(), path.string()));
}

namespace {

utc_ms resolved_time(const timeline_event& e, utc_ms start) { return e.after_start ? start + *e.after_start : *e.at; }

}  // namespace

void resolve_event_settings(meter::meter_config& config) {
    std::vector<std::size_t> order(config.events.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    for (const auto& e : config.events)
        if (!e.after_start && !e.at) throw std::invalid_argument(where(e) + "no time given");
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return resolved_time(config.events[a], config.start) < resolved_time(config.events[b], config.start);
    });
    meter::meter_config current = config;
    current.events.clear();
    for (std::size_t i : order) {
        timeline_event& e = config.events[i];
        if (!meter::changes_settings(e.kind)) continue;
        for (const auto& [key, value] : e.settings) {
            try {
                apply_meter_setting(current, key, value);
            } catch (const std::invalid_argument& x) {
                throw std::invalid_argument(where(e) + key + ": " + x.what());
            }
        }
        try {
            meter::validate(current);
        } catch (const std::invalid_argument& x) {
            throw std::invalid_argument(where(e) + "after this event: " + x.what());
        }
        e.config_after = std::make_shared<const meter::meter_config>(current);
    }
}

void check_events(const meter::meter_config& config, std::optional<utc_ms> end) {
    for (const auto& e : config.events) {
        if (!e.after_start && !e.at) throw std::invalid_argument(where(e) + "no time given");
        const utc_ms t = resolved_time(e, config.start);
        if (t < config.start)
            throw std::invalid_argument(where(e) + "the time " + format_utc_time(t) + " is before the start of the run (" +
                                        format_utc_time(config.start) + ")");
        if (end && t >= *end && e.origin_file.empty())  // a scenario's later events are just not reached
            throw std::invalid_argument(where(e) + "the time " + format_utc_time(t) + " is after the end of the run (" +
                                        format_utc_time(*end) + ")");
    }
    meter::meter_config probe = config;
    resolve_event_settings(probe);
    const meter::resolved_timeline checked(probe.events, probe.start);
}

std::string event_help() {
    std::string out =
        "events (--event KIND[=ARGS]@WHEN[/FOR]; WHEN +DURATION after the start or ISO 8601 time; FOR a duration):\n";
    for (const auto& row : meter::event_kinds()) {
        out += "  " + std::string(row.name);
        if (!row.parameters.empty()) out += "=" + std::string(row.parameters);
        if (row.duration == meter::event_duration::required) out += " /FOR";
        if (row.duration == meter::event_duration::optional) out += " [/FOR]";
        out += "\n      " + std::string(row.description) + "\n";
    }
    return out;
}

}  // namespace hansim::scenario
