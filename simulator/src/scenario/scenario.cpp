#include "hansim/scenario/scenario.hpp"

#include <yaml-cpp/yaml.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "hansim/meter/jitter.hpp"
#include "hansim/meter/profile.hpp"
#include "hansim/scenario/default_scenario_text.hpp"
#include "hansim/scenario/event_spec.hpp"

namespace hansim::scenario {

using namespace std::chrono;

scenario_error::scenario_error(std::string file, int line, std::string field, const std::string& problem)
    : std::runtime_error(file + ":" + (line > 0 ? std::to_string(line) + ":" : std::string()) + " " +
                         (field.empty() ? std::string() : field + ": ") + problem),
      file_(std::move(file)),
      line_(line),
      field_(std::move(field)) {}

namespace {

int line_of(const YAML::Node& node) { return node.Mark().line >= 0 ? node.Mark().line + 1 : 0; }

// Reads one scenario document, keeping the file name and the field path for errors.
class reader {
public:
    explicit reader(std::string file) : file_(std::move(file)) {}

    [[noreturn]] void fail(const YAML::Node& node, const std::string& field, const std::string& problem) const {
        throw scenario_error(file_, line_of(node), field, problem);
    }

    std::string scalar(const YAML::Node& node, const std::string& field) const {
        if (!node.IsScalar()) fail(node, field, "expected a single value");
        return node.Scalar();
    }

    double number(const YAML::Node& node, const std::string& field) const {
        const std::string text = scalar(node, field);
        std::size_t used = 0;
        double value = 0;
        try {
            value = std::stod(text, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != text.size() || text.empty() || !std::isfinite(value))
            fail(node, field, "expected a number, got '" + text + "'");
        return value;
    }

    bool boolean(const YAML::Node& node, const std::string& field) const {
        const std::string text = scalar(node, field);
        if (text == "true" || text == "yes" || text == "on") return true;
        if (text == "false" || text == "no" || text == "off") return false;
        fail(node, field, "expected true or false, got '" + text + "'");
    }

    void check_keys(const YAML::Node& map, const std::string& field, const std::set<std::string>& known) const {
        if (!map.IsMap()) fail(map, field, "expected a mapping (key: value)");
        for (const auto& item : map) {
            const std::string key = item.first.as<std::string>();
            if (!known.count(key)) {
                std::string list;
                for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
                fail(item.first, field.empty() ? key : field + "." + key, "unknown key (known: " + list + ")");
            }
        }
    }

    template <class F>
    void guarded(const YAML::Node& node, const std::string& field, F&& f) const {
        try {
            f();
        } catch (const scenario_error&) {
            throw;
        } catch (const std::invalid_argument& e) {
            fail(node, field, e.what());
        }
    }

    scenario read(const YAML::Node& root) const {
        scenario s;
        s.name = file_;
        if (!root.IsDefined() || root.IsNull()) fail(root, "", "the scenario is empty (expected start, seed, meters)");
        check_keys(root, "", {"start", "seed", "meters", "name", "description", "http", "http_control"});
        if (const auto http = root["http"]) {
            const std::string text = scalar(http, "http");
            guarded(http, "http", [&] { parse_listen_spec(text); });
            s.http = text;
        }
        if (const auto control = root["http_control"]) s.http_control = boolean(control, "http_control");
        if (const auto start = root["start"]) {
            const std::string text = scalar(start, "start");
            if (text != "now") guarded(start, "start", [&] { s.start = parse_utc_time(text); });
        }
        if (const auto seed = root["seed"]) {
            meter::meter_config scratch;
            guarded(seed, "seed", [&] { apply_meter_setting(scratch, "seed", scalar(seed, "seed")); });
            s.seed = scratch.seed;
        }
        const auto meters = root["meters"];
        if (!meters) fail(root, "meters", "missing: a scenario needs at least one meter");
        if (!meters.IsSequence() || meters.size() == 0) fail(meters, "meters", "expected a non-empty list of meters");
        std::set<std::string> names;
        for (std::size_t i = 0; i < meters.size(); ++i) {
            const std::string field = "meters[" + std::to_string(i) + "]";
            scenario_meter m = read_meter(meters[i], field);
            if (!names.insert(m.config.name).second)
                fail(meters[i]["name"], field + ".name", "'" + m.config.name + "' is used by another meter");
            s.meters.push_back(std::move(m));
        }
        // An event written before the scenario's own start can never happen: a mistake.
        for (const auto& m : s.meters)
            for (const auto& e : m.config.events)
                if (s.start && e.at && *e.at < *s.start)
                    throw scenario_error(e.origin_file, e.origin_line, e.origin_field + ".at",
                                         "the time " + format_utc_time(*e.at) + " is before the start of the scenario (" +
                                             format_utc_time(*s.start) + ")");
        return s;
    }

private:
    scenario_meter read_meter(const YAML::Node& node, const std::string& field) const {
        std::set<std::string> known{"profile", "jitter", "load", "phases", "events", "initial_energy",
                                    "initial_phase_energy"};
        for (const auto& key : meter_setting_keys()) known.insert(key);
        check_keys(node, field, known);
        if (!node["name"]) fail(node, field + ".name", "missing: every meter needs a name");

        scenario_meter m;
        std::optional<std::array<meter::energy_registers, 3>> explicit_phases;
        const std::string profile =
            node["profile"] ? scalar(node["profile"], field + ".profile") : std::string(meter::default_profile_name);
        guarded(node["profile"] ? node["profile"] : node, field + ".profile",
                [&] { static_cast<meter_spec&>(m) = profile_spec(profile); });

        for (const auto& item : node) {
            const std::string key = item.first.as<std::string>();
            const std::string sub = field + "." + key;
            const YAML::Node& value = item.second;
            if (key == "profile") continue;
            if (key == "jitter" && value.IsMap()) read_jitter(value, sub, m.config.jitter);
            else if (key == "load" && value.IsMap()) read_load(value, sub, m.config.load);
            else if (key == "phases") read_phases(value, sub, m.config);
            else if (key == "events") read_events(value, sub, m);
            else if (key == "initial_energy" && value.IsMap()) read_energy(value, sub, m.config.initial_energy);
            else if (key == "initial_phase_energy") {
                if (node["initial_phase_split"])
                    fail(value, sub, "give either initial_phase_energy or initial_phase_split, not both");
                if (!value.IsSequence() || value.size() > 3) fail(value, sub, "expected a list of up to 3 mappings");
                std::array<meter::energy_registers, 3> phases{};
                for (std::size_t i = 0; i < value.size(); ++i)
                    read_energy(value[i], sub + "[" + std::to_string(i) + "]", phases[i]);
                explicit_phases = phases;
            } else {
                std::string text;
                if (value.IsSequence() && key == "lists") {
                    for (const auto& part : value) text += (text.empty() ? "" : ",") + scalar(part, sub);
                } else {
                    text = scalar(value, sub);
                }
                guarded(value, sub, [&] { apply_meter_setting(static_cast<meter_spec&>(m), key, text); });
                if (key == "seed") m.seed_given = true;
            }
        }
        // Given per phase: as written, whatever order the keys came in.
        if (explicit_phases) m.config.initial_phase_energy = explicit_phases;
        // Whole-config checks, reported at the meter with the field the check names.
        meter::meter_config probe = m.config;
        probe.start = utc_ms{sys_days{year{2024} / 1 / 1}};
        try {
            meter::validate(probe);
        } catch (const std::invalid_argument& e) {
            const std::string what = e.what();
            const auto colon = what.find(": ");
            const std::string key = colon == std::string::npos ? std::string() : what.substr(0, colon);
            const std::string root_key = key.substr(0, key.find_first_of(".["));
            const YAML::Node at = !root_key.empty() && node[root_key] ? node[root_key] : node;
            fail(at, colon == std::string::npos ? field : field + "." + key,
                 colon == std::string::npos ? what : what.substr(colon + 2));
        }
        return m;
    }

    milliseconds duration(const YAML::Node& node, const std::string& field) const {
        milliseconds d{0};
        guarded(node, field, [&] { d = parse_duration(scalar(node, field)); });
        return d;
    }

    void read_jitter(const YAML::Node& node, const std::string& field, meter::jitter_config& j) const {
        check_keys(node, field, {"distribution", "min", "max", "mean", "stddev"});
        if (node["distribution"])
            guarded(node["distribution"], field + ".distribution", [&] {
                j.distribution = meter::parse_jitter_distribution(scalar(node["distribution"], field + ".distribution"));
            });
        if (node["min"]) j.min = duration(node["min"], field + ".min");
        if (node["max"]) j.max = duration(node["max"], field + ".max");
        if (node["mean"]) j.mean = duration(node["mean"], field + ".mean");
        if (node["stddev"]) j.stddev = duration(node["stddev"], field + ".stddev");
        guarded(node, field, [&] { meter::validate(j); });
    }

    void read_load(const YAML::Node& node, const std::string& field, meter::load_profile& l) const {
        check_keys(node, field,
                   {"shape", "base", "peak", "solar_peak", "power_factor", "capacitive", "noise", "phase_share",
                    "nominal_voltage", "voltage_spread"});
        if (node["shape"])
            guarded(node["shape"], field + ".shape",
                    [&] { l.shape = meter::parse_load_shape(scalar(node["shape"], field + ".shape")); });
        auto num = [&](const char* key, double& out) {
            if (node[key]) out = number(node[key], field + "." + key);
        };
        num("base", l.base_w);
        num("peak", l.peak_w);
        num("solar_peak", l.solar_peak_w);
        num("power_factor", l.power_factor);
        num("noise", l.noise);
        num("nominal_voltage", l.nominal_voltage_v);
        num("voltage_spread", l.voltage_spread_v);
        if (node["capacitive"]) l.capacitive = boolean(node["capacitive"], field + ".capacitive");
        if (const auto share = node["phase_share"]) {
            if (!share.IsSequence() || share.size() < 1 || share.size() > 3)
                fail(share, field + ".phase_share", "expected a list of 1 to 3 numbers");
            l.phase_share = {0, 0, 0};
            for (std::size_t i = 0; i < share.size(); ++i)
                l.phase_share[i] = number(share[i], field + ".phase_share[" + std::to_string(i) + "]");
        }
        guarded(node, field, [&] { meter::validate(l); });
    }

    void read_phases(const YAML::Node& node, const std::string& field, meter::meter_config& c) const {
        if (!node.IsSequence() || node.size() > 3) fail(node, field, "expected a list of up to 3 phases");
        for (std::size_t i = 0; i < node.size(); ++i) {
            const std::string sub = field + "[" + std::to_string(i) + "]";
            const YAML::Node& p = node[i];
            check_keys(p, sub, {"voltage", "current", "active_power", "reactive_power", "power_factor", "exporting",
                                "capacitive"});
            meter::phase_setpoint set;
            if (p["voltage"]) set.voltage_v = number(p["voltage"], sub + ".voltage");
            if (p["current"]) set.current_a = number(p["current"], sub + ".current");
            if (p["active_power"]) set.active_power_w = number(p["active_power"], sub + ".active_power");
            if (p["reactive_power"]) set.reactive_power_var = number(p["reactive_power"], sub + ".reactive_power");
            if (p["power_factor"]) set.power_factor = number(p["power_factor"], sub + ".power_factor");
            if (p["exporting"]) set.exporting = boolean(p["exporting"], sub + ".exporting");
            if (p["capacitive"]) set.capacitive = boolean(p["capacitive"], sub + ".capacitive");
            guarded(p, sub, [&] { (void)meter::derive_phase(set, c.load.nominal_voltage_v); });
            c.fixed_phases[i] = set;
        }
    }

    // Timeline events (event_spec.hpp): { at, for, KIND: ARGS }, or the legacy power steps.
    void read_events(const YAML::Node& node, const std::string& field, scenario_meter& m) const {
        if (!node.IsSequence()) fail(node, field, "expected a list of events");
        const std::filesystem::path base = std::filesystem::path(file_).parent_path();
        for (std::size_t i = 0; i < node.size(); ++i) {
            const std::string sub = field + "[" + std::to_string(i) + "]";
            const YAML::Node& e = node[i];
            if (!e.IsMap()) fail(e, sub, "expected a mapping { at: WHEN, KIND: ARGS }");
            std::string kind;
            YAML::Node kind_node;
            for (const auto& item : e) {
                const std::string key = item.first.as<std::string>();
                if (key == "at" || key == "for") continue;
                if (key == "power" || key == "release") {
                    if (!kind.empty() && kind != "power" && kind != "release")
                        fail(item.first, sub + "." + key, "one event kind per event (already " + kind + ")");
                    if (kind.empty() || key == "release") kind = key, kind_node = item.second;
                    continue;
                }
                if (!kind.empty())
                    fail(item.first, sub + "." + key, "one event kind per event (already " + kind + ")");
                kind = key;
                kind_node = item.second;
            }
            if (kind.empty()) fail(e, sub, "missing: the event kind, e.g. { at: +2h, for: 20m, outage: true }");
            if (!e["at"]) fail(e, sub + ".at", "missing: when the event happens (ISO time or +duration)");
            const std::string at = scalar(e["at"], sub + ".at");
            std::optional<std::string> lasts;
            if (e["for"]) lasts = scalar(e["for"], sub + ".for");
            std::string args;
            if (kind == "power" || kind == "release") {  // legacy power steps
                if (kind == "release" && boolean(kind_node, sub + ".release")) {
                    kind = "load", args = "profile";
                } else if (e["power"]) {
                    kind_node = e["power"];
                    char watts[40];
                    std::snprintf(watts, sizeof watts, "%.10g", number(e["power"], sub + ".power"));
                    args = std::string("constant:") + watts;
                    kind = "load";
                } else {
                    fail(e, sub + ".power", "missing: the total active power in W from then on");
                }
            } else if (!kind_node.IsNull()) {
                if (kind_node.IsSequence() && kind == "lists") {
                    for (const auto& part : kind_node) args += (args.empty() ? "" : ",") + scalar(part, sub + "." + kind);
                } else {
                    args = scalar(kind_node, sub + "." + kind);
                }
            }
            meter::timeline_event event;
            try {
                event = make_event(kind, args, at, lasts ? std::optional<std::string_view>(*lasts) : std::nullopt);
            } catch (const event_spec_error& x) {
                const std::string f = x.field();
                const std::string problem = std::string(x.what()).substr(f.size() + 2);
                if (f == "kind") fail(e, sub + "." + kind, problem);
                if (f == "at") fail(e["at"], sub + ".at", problem);
                if (f == "for") fail(e["for"] ? e["for"] : e, sub + ".for", problem);
                fail(kind_node.IsDefined() ? kind_node : e, sub + "." + kind, problem);
            }
            event.origin_file = file_;
            event.origin_line = line_of(e);
            event.origin_field = sub;
            load_event_files(event, base);
            m.config.events.push_back(std::move(event));
        }
    }

    void read_energy(const YAML::Node& node, const std::string& field, meter::energy_registers& e) const {
        check_keys(node, field, {"active_import_wh", "active_export_wh", "reactive_import_varh", "reactive_export_varh"});
        auto reg = [&](const char* key, std::int64_t& out) {
            if (!node[key]) return;
            const double wh = number(node[key], field + "." + key);
            if (wh < 0 || wh > 9.0e15) fail(node[key], field + "." + key, "expected 0 .. 9e15 Wh");
            out = static_cast<std::int64_t>(std::llround(wh * 1000.0));
        };
        reg("active_import_wh", e.active_import_mwh);
        reg("active_export_wh", e.active_export_mwh);
        reg("reactive_import_varh", e.reactive_import_mvarh);
        reg("reactive_export_varh", e.reactive_export_mvarh);
    }

    std::string file_;
};

}  // namespace

std::vector<meter_spec> scenario::configs(std::optional<utc_ms> override_start) const {
    const std::optional<utc_ms> begin = override_start ? override_start : start;
    if (!begin) throw std::invalid_argument("start: the scenario has no start time (\"now\"); give one");
    std::vector<meter_spec> out;
    for (std::size_t i = 0; i < meters.size(); ++i) {
        meter_spec spec = meters[i];
        meter::meter_config& c = spec.config;
        c.start = *begin;
        // The same rule as --count and a seed given for every meter (run_plan.hpp rule 3):
        // meter i gets seed + i, so a one-meter scenario with `seed: S` (default 1) is
        // `--meter PROFILE --seed S` and Python's Meter(PROFILE, seed=S), byte for byte.
        if (!meters[i].seed_given) c.seed = seed + i;
        // Started later than written: what was due before the new start has already happened.
        std::erase_if(c.events, [&](const meter::timeline_event& e) { return e.at && *e.at < *begin; });
        out.push_back(std::move(spec));
    }
    return out;
}

namespace {

// yaml-cpp keeps both entries of a repeated key and answers lookups with the first, so a
// scenario that sets `serial:` twice would silently use one of them. Refuse it, naming the
// second occurrence. Counts the nodes it visits: aliases can make a small document a huge
// tree ("billion laughs"), which is refused too.
void check_duplicate_keys(const YAML::Node& node, const std::string& field, const std::string& file,
                          std::size_t& visited) {
    constexpr std::size_t max_nodes = 1'000'000;
    if (++visited > max_nodes)
        throw scenario_error(file, line_of(node), field,
                             "more than " + std::to_string(max_nodes) + " YAML nodes (aliases expanding?)");
    if (node.IsMap()) {
        std::map<std::string, int> seen;
        for (const auto& item : node) {
            const std::string key = item.first.IsScalar() ? item.first.Scalar() : std::string();
            const std::string path = field.empty() ? key : field + "." + key;
            if (item.first.IsScalar()) {
                const auto [at, inserted] = seen.emplace(key, line_of(item.first));
                if (!inserted)
                    throw scenario_error(file, line_of(item.first), path,
                                         "duplicate key (first given on line " + std::to_string(at->second) + ")");
            }
            check_duplicate_keys(item.second, path, file, visited);
        }
    } else if (node.IsSequence()) {
        for (std::size_t i = 0; i < node.size(); ++i)
            check_duplicate_keys(node[i], field + "[" + std::to_string(i) + "]", file, visited);
    }
}

}  // namespace

scenario load_scenario_text(std::string_view text, std::string_view name) {
    const std::string file(name);
    if (text.size() > max_scenario_bytes)
        throw scenario_error(file, 0, "",
                             "the scenario is " + std::to_string(text.size()) + " bytes; at most " +
                                 std::to_string(max_scenario_bytes) +
                                 " are read (the YAML parser needs about 60 times that in memory); put long "
                                 "series in a file the scenario names");
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        throw scenario_error(file, e.mark.line >= 0 ? e.mark.line + 1 : 0, "", "not valid YAML: " + e.msg);
    }
    try {
        std::size_t visited = 0;
        check_duplicate_keys(root, "", file, visited);
        return reader(file).read(root);
    } catch (const YAML::Exception& e) {
        throw scenario_error(file, e.mark.line >= 0 ? e.mark.line + 1 : 0, "", e.msg);
    }
}

scenario load_scenario(const std::filesystem::path& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw scenario_error(path.string(), 0, "", "is a folder, not a scenario file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw scenario_error(path.string(), 0, "", "cannot open the scenario file");
    // Read at most one byte more than the limit: a huge file is refused without loading it.
    std::string text(max_scenario_bytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad()) throw scenario_error(path.string(), 0, "", "cannot read the scenario file");
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_scenario_bytes) {
        const auto size = std::filesystem::file_size(path, ec);
        throw scenario_error(path.string(), 0, "",
                             "the scenario is " + (ec ? "more than " + std::to_string(max_scenario_bytes) : std::to_string(size)) +
                                 " bytes; at most " + std::to_string(max_scenario_bytes) +
                                 " are read (the YAML parser needs about 60 times that in memory); put long "
                                 "series in a file the scenario names");
    }
    scenario loaded = load_scenario_text(text, path.string());
    loaded.directory = path.parent_path();
    for (auto& m : loaded.meters) {
        m.files.key_file = loaded.resolve(m.files.key_file);
        for (auto& e : m.config.events)
            if (e.kind == meter::event_kind::key_change) e.key_file = loaded.resolve(e.key_file);
    }
    return loaded;
}

std::string scenario::resolve(const std::string& path) const {
    if (path.empty() || directory.empty() || std::filesystem::path(path).is_absolute()) return path;
    return (directory / path).string();
}

std::string_view default_scenario_text() { return detail::default_scenario_yaml; }

scenario default_scenario() { return load_scenario_text(default_scenario_text(), "default.yaml"); }

}  // namespace hansim::scenario
