// hansim generate: everything one or more meters push over a period, written at once.
#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <vector>

#include "hansim/meter/meter_source.hpp"
#include "hansim/meter/profile.hpp"
#include "hansim/meter/push_record.hpp"
#include "hansim/scenario/scenario.hpp"
#include "hansim/scenario/prepared_meter.hpp"
#include "hansim/security/keys.hpp"
#include "subcommands.hpp"

namespace po = boost::program_options;

namespace hansim::app {
namespace {

constexpr const char* generate_usage =
    "usage: hansim generate [--meter PROFILE | --scenario FILE] [meter options]\n"
    "                       [--start ISO8601] [--duration D] [--seed S] [--format hex|raw|jsonl]\n"
    "\n"
    "Writes, without waiting, every push the meter(s) send between --start and --start +\n"
    "--duration, in send order: hex (one frame a line), raw (the bytes as on the line) or\n"
    "jsonl (one JSON object a frame with times, bytes and the encoded values).\n"
    "Meter options override the profile (or every meter of the scenario). Keys for ciphered\n"
    "pushes come from --key-file or HANSIM_ENCRYPTION_KEY / HANSIM_AUTHENTICATION_KEY.\n"
    "\noptions";

constexpr const char* default_start = "2024-01-01T00:00:00Z";

struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::string option_name(const std::string& key) {
    std::string name = key;
    for (char& c : name)
        if (c == '_') c = '-';
    return name;
}

// One meter being generated, and its next push (merged across meters in send order).
struct running_meter {
    scenario::prepared_meter meter;
    std::optional<meter::push_frame> pending;
};

int run(int argc, char** argv) {
    po::options_description general(generate_usage);
    general.add_options()("help,h", "show this help")
        ("meter", po::value<std::string>(), "meter profile (default kamstrup-no-3p; see `hansim profiles`)")
        ("scenario", po::value<std::string>(), "YAML scenario file: all its meters")
        ("start", po::value<std::string>(), "simulated start, ISO 8601 UTC (default: the scenario's, else 2024-01-01T00:00:00Z)")
        ("duration", po::value<std::string>()->default_value("1h"), "how long, e.g. 90s, 1h, 2d")
        ("format", po::value<std::string>()->default_value("hex"), "hex, raw or jsonl")
        ("output,o", po::value<std::string>(), "write to this file instead of standard output");
    po::options_description meter_options("meter options (same keys as in scenario files)");
    for (const auto& key : scenario::meter_setting_keys()) {
        if (key == "ct" || key == "clock_unset")
            meter_options.add_options()(option_name(key).c_str(), po::value<std::string>()->implicit_value("true"),
                                        std::string(scenario::meter_setting_help(key)).c_str());
        else
            meter_options.add_options()(option_name(key).c_str(), po::value<std::string>(),
                                        std::string(scenario::meter_setting_help(key)).c_str());
    }
    po::options_description all;
    all.add(general).add(meter_options);

    po::variables_map vm;
    po::store(po::command_line_parser(argc, argv).options(all).run(), vm);
    po::notify(vm);
    if (vm.count("help")) {
        std::cout << all << "\n";
        return 0;
    }
    if (vm.count("meter") && vm.count("scenario")) throw usage_error("give either --meter or --scenario, not both");

    const std::string format = vm["format"].as<std::string>();
    if (format != "hex" && format != "raw" && format != "jsonl")
        throw usage_error("--format must be hex, raw or jsonl, got '" + format + "'");
    std::chrono::milliseconds duration{0};
    try {
        duration = scenario::parse_duration(vm["duration"].as<std::string>());
    } catch (const std::invalid_argument& e) {
        throw usage_error(std::string("--duration: ") + e.what());
    }
    if (duration <= std::chrono::milliseconds(0)) throw usage_error("--duration must be positive");

    std::optional<scenario::utc_ms> start;
    if (vm.count("start")) {
        try {
            start = scenario::parse_utc_time(vm["start"].as<std::string>());
        } catch (const std::invalid_argument& e) {
            throw usage_error(std::string("--start: ") + e.what());
        }
    }

    std::vector<meter::meter_config> configs;
    std::filesystem::path base = std::filesystem::current_path();
    if (vm.count("scenario")) {
        const std::filesystem::path path = vm["scenario"].as<std::string>();
        scenario::scenario s = scenario::load_scenario(path);
        base = path.parent_path().empty() ? base : path.parent_path();
        if (!start && !s.start) start = scenario::parse_utc_time(default_start);
        if (vm.count("seed")) {  // the scenario seed: meters without their own seed derive theirs from it
            meter::meter_config scratch;
            try {
                scenario::apply_meter_setting(scratch, "seed", vm["seed"].as<std::string>());
            } catch (const std::invalid_argument& e) {
                throw usage_error(std::string("--seed: ") + e.what());
            }
            s.seed = scratch.seed;
        }
        configs = s.configs(start);
    } else {
        meter::meter_config c;
        try {
            c = meter::profile_config(vm.count("meter") ? vm["meter"].as<std::string>()
                                                        : std::string(meter::default_profile_name));
        } catch (const std::invalid_argument& e) {
            throw usage_error(std::string("--meter: ") + e.what());
        }
        c.start = start.value_or(scenario::parse_utc_time(default_start));
        configs.push_back(std::move(c));
    }
    for (auto& c : configs) {
        for (const auto& key : scenario::meter_setting_keys()) {
            const std::string name = option_name(key);
            if (!vm.count(name)) continue;
            if (key == "seed" && vm.count("scenario")) continue;  // applied to the scenario above
            try {
                scenario::apply_meter_setting(c, key, vm[name].as<std::string>());
            } catch (const std::invalid_argument& e) {
                throw usage_error("--" + name + ": " + e.what());
            }
        }
        try {
            meter::validate(c);
        } catch (const std::invalid_argument& e) {
            throw usage_error("meter '" + c.name + "': " + e.what());
        }
    }

    scenario::meter_setup_options setup;
    setup.base_directory = base;
    std::vector<running_meter> meters;
    for (auto& c : configs) {
        try {
            meters.push_back({scenario::prepare_meter(c, setup), std::nullopt});
        } catch (const scenario::meter_setup_error& e) {
            throw usage_error(e.what());
        }
        for (const auto& warning : meters.back().meter.warnings)
            std::fprintf(stderr, "hansim generate: warning: %s\n", warning.c_str());
    }

    std::ofstream file;
    if (vm.count("output")) {
        file.open(vm["output"].as<std::string>(), std::ios::binary);
        if (!file) throw std::runtime_error("cannot write " + vm["output"].as<std::string>());
    }
    std::ostream& out = vm.count("output") ? static_cast<std::ostream&>(file) : std::cout;

    const scenario::utc_ms begin = configs.front().start;
    const scenario::utc_ms end = begin + duration;
    // Merge the meters in send order (ties: scenario order).
    for (auto& m : meters) m.pending = m.meter.source->next();
    for (;;) {
        running_meter* next = nullptr;
        for (auto& m : meters) {
            if (!m.pending || m.pending->trigger_utc >= end) continue;
            if (!next || m.pending->send_utc() < next->pending->send_utc()) next = &m;
        }
        if (!next) break;
        const meter::push_frame& frame = *next->pending;
        if (format == "hex") {
            out << codec::to_hex(frame.wire) << '\n';
        } else if (format == "raw") {
            out.write(reinterpret_cast<const char*>(frame.wire.data()), static_cast<std::streamsize>(frame.wire.size()));
        } else {
            out << report::dump(meter::push_record_json(frame, next->meter.config)) << '\n';
        }
        next->pending = next->meter.source->next();
    }
    out.flush();
    if (!out) throw std::runtime_error("writing the output failed");
    return 0;
}

}  // namespace

int generate_main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const po::error& e) {
        std::fprintf(stderr, "hansim generate: %s\n(see hansim generate --help)\n", e.what());
        return 2;
    } catch (const usage_error& e) {
        std::fprintf(stderr, "hansim generate: %s\n", e.what());
        return 2;
    } catch (const scenario::scenario_error& e) {
        std::fprintf(stderr, "hansim generate: %s\n", e.what());
        return 2;
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "hansim generate: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "hansim generate: %s\n", e.what());
        return 1;
    }
}

}  // namespace hansim::app
