#include "plan_options.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace hansim::app {

namespace po = boost::program_options;

namespace {
std::string without_dashes(const std::string& option) { return option.substr(2); }
}  // namespace

po::options_description plan_options(const std::string& default_start, const std::string& default_duration) {
    po::options_description options("Meters and time");
    options.add_options()
        ("meter", po::value<std::string>(), "meter profile (see `hansim profiles`)")
        ("scenario", po::value<std::string>(), "scenario file: meters with their settings and ports "
                                               "(files it reads are relative to it)")
        ("state-dir", po::value<std::string>(), "folder for a scenario's invocation counter stores (default: "
                                                "hansim-state-UID in the temporary directory; never beside the scenario)")
        ("set", po::value<std::vector<std::string>>()->composing(),
         "KEY=VALUE: any meter setting (repeatable; the keys below, e.g. jitter=uniform:0:500)")
        ("event", po::value<std::vector<std::string>>()->composing(),
         "KIND[=ARGS]@WHEN[/FOR]: a timeline event for every meter (repeatable; the kinds are listed below)")
        ("count", po::value<std::string>(), "copies of the meter: NAME-1.., serial and seed +1 each, {n} in --port, "
                                        "each its own --push-phase (auto) unless one is given")
        ("start", po::value<std::string>(), ("meter UTC at start, ISO 8601 (e.g. 2024-03-01T11:59:58Z) or now; "
                                             "default: the scenario's, else " + default_start).c_str())
        ("duration", po::value<std::string>(), ("meter time to run (e.g. 90s, 10m, 2h, 1d); default " +
                                                default_duration).c_str());
    return options;
}

po::options_description setting_options() {
    po::options_description options("Meter settings (keys as in scenario files; they override every meter)");
    for (const auto& key : scenario::meter_setting_keys()) {
        const std::string name = without_dashes(scenario::option_for_setting(key));
        const std::string help(scenario::meter_setting_help(key));
        if (key == "ct" || key == "clock_unset")
            options.add_options()(name.c_str(), po::value<std::string>()->implicit_value("true"), help.c_str());
        else
            options.add_options()(name.c_str(), po::value<std::string>(), help.c_str());
    }
    options.add_options()("ic-file", po::value<std::string>(), "short for --invocation-counter-file");
    return options;
}

po::parsed_options parse_command_line(int argc, char** argv, const po::options_description& options) {
    auto parsed = po::command_line_parser(argc, argv).options(options).run();
    for (const auto& option : parsed.options) {
        if (option.position_key >= 0 || option.string_key.empty()) {
            const std::string word = option.original_tokens.empty() ? "" : option.original_tokens.front();
            throw usage_error("unexpected argument '" + word +
                              "': options are --NAME VALUE (a profile is --meter PROFILE, a scenario --scenario FILE)");
        }
    }
    return parsed;
}

void store_config_file(const std::string& path, const po::options_description& options, po::variables_map& vm) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw usage_error("--config " + path + ": " +
                          (std::filesystem::exists(path, ec) ? "not a regular file" : "no such file"));
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    if (!file || file.bad()) throw usage_error("--config " + path + ": cannot read the file");
    try {
        po::store(po::parse_config_file(text, options), vm);
    } catch (const po::error& e) {
        throw usage_error("--config " + path + ": " + e.what());
    }
}

scenario::run_request request_from(const po::variables_map& vm) {
    scenario::run_request request;
    if (vm.count("scenario")) request.scenario_file = vm["scenario"].as<std::string>();
    if (vm.count("state-dir")) request.state_dir = vm["state-dir"].as<std::string>();
    if (vm.count("meter")) request.meters.push_back({vm["meter"].as<std::string>(), {}, {}});
    if (vm.count("count")) request.count = vm["count"].as<std::string>();
    if (vm.count("start")) request.start = vm["start"].as<std::string>();
    if (vm.count("duration")) request.duration = vm["duration"].as<std::string>();
    for (const auto& key : scenario::meter_setting_keys()) {
        const std::string option = scenario::option_for_setting(key);
        if (vm.count(without_dashes(option)))
            request.settings.push_back({key, vm[without_dashes(option)].as<std::string>(), option});
        if (key == "invocation_counter_file" && vm.count("ic-file"))
            request.settings.push_back({key, vm["ic-file"].as<std::string>(), "--ic-file"});
    }
    if (vm.count("event")) request.events = vm["event"].as<std::vector<std::string>>();
    if (vm.count("set"))
        for (const auto& assignment : vm["set"].as<std::vector<std::string>>()) {
            const auto equals = assignment.find('=');
            if (equals == std::string::npos || equals == 0)
                throw usage_error("--set '" + assignment + "': expected KEY=VALUE");
            request.settings.push_back({assignment.substr(0, equals), assignment.substr(equals + 1), "--set " + assignment});
        }
    return request;
}

}  // namespace hansim::app
