// hansim report: one self-contained HTML file (the live view's page with the run's data in it)
// from a capture (`hansim record`), the JSON lines of `hansim generate --format jsonl`, or the
// records a Python bench keeps; the records are read by http/record_reader.hpp. Values in the
// records are as on the wire (unscaled HAN integers, P1 numbers with units); the resolutions
// to scale the HAN integers come from a profile (--meter) and --set, as for every other command.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include <boost/program_options.hpp>

#include "capture_input.hpp"
#include "hansim/http/live_view.hpp"
#include "hansim/http/record_reader.hpp"
#include "hansim/meter/profile.hpp"
#include "hansim/meter/wire_decoder.hpp"
#include "hansim/security/keys.hpp"
#include "hansim/scenario/meter_settings.hpp"
#include "report_writer.hpp"
#include "subcommands.hpp"

namespace hansim::app {

namespace po = boost::program_options;
using http::json;

namespace {

struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace

int report_main(int argc, char** argv) {
    po::options_description options(
        "usage: hansim report CAPTURE_OR_JSONL -o FILE.html [--title T] [--meter PROFILE] [--set KEY=VALUE]...\n"
        "\n"
        "Writes one self-contained HTML file (no network needed to view it) with, per meter, the\n"
        "power and lateness over the whole period (downsampled to at most 1500 points), the frame\n"
        "timeline, faults and lost frames, from a capture (`hansim record`; each decoded frame at\n"
        "the time it was read, undecodable ones and capture events marked) or the JSON lines of\n"
        "`hansim generate --format jsonl` (or a Python bench's records); '-' reads JSON lines from\n"
        "standard input. HAN values are on the wire\n"
        "unscaled: their resolutions are the profile's (--meter, default kamstrup-no-3p) unless\n"
        "--set energy_resolution=..., current_resolution=..., voltage_resolution=... say otherwise.\n"
        "\noptions");
    options.add_options()("help,h", "this help")
        ("input", po::value<std::string>(), "JSON lines file, or - for standard input")
        ("output,o", po::value<std::string>(), "the HTML file to write")
        ("title", po::value<std::string>(), "the report's title (default: the input's name)")
        ("meter", po::value<std::string>()->default_value(std::string(meter::default_profile_name)),
         "profile whose resolutions scale HAN values")
        ("set", po::value<std::vector<std::string>>()->composing(), "KEY=VALUE meter setting (resolutions)")
        ("key-file", po::value<std::string>(), "captures: keys for ciphered frames (else HANSIM_ENCRYPTION_KEY / ...)");
    po::positional_options_description positional;
    positional.add("input", 1);
    try {
        po::variables_map vm;
        po::store(po::command_line_parser(argc, argv).options(options).positional(positional).run(), vm);
        po::notify(vm);
        if (vm.count("help")) {
            std::cout << options << '\n';
            return 0;
        }
        if (!vm.count("input")) throw usage_error("give the input file (JSON lines; - for standard input)");
        if (!vm.count("output")) throw usage_error("give the output file: -o FILE.html");
        meter::meter_config config;
        try {
            config = meter::profile_config(vm["meter"].as<std::string>());
        } catch (const std::invalid_argument& e) {
            throw usage_error(std::string("--meter: ") + e.what());
        }
        if (vm.count("set"))
            for (const auto& assignment : vm["set"].as<std::vector<std::string>>()) {
                const auto equals = assignment.find('=');
                if (equals == std::string::npos) throw usage_error("--set '" + assignment + "': expected KEY=VALUE");
                try {
                    scenario::apply_meter_setting(config, assignment.substr(0, equals), assignment.substr(equals + 1));
                } catch (const std::invalid_argument& e) {
                    throw usage_error("--set " + assignment + ": " + e.what());
                }
            }
        const auto input = vm["input"].as<std::string>();
        const auto title = vm.count("title") ? vm["title"].as<std::string>() : input;
        if (input != "-") {
            std::ifstream peek(input);
            std::string head(4096, '\0');
            peek.read(head.data(), static_cast<std::streamsize>(head.size()));
            head.resize(static_cast<std::size_t>(peek.gcount()));
            if (looks_like_capture(head)) {
                std::optional<security::security_keys> keys;
                if (vm.count("key-file")) keys = security::load_key_file(vm["key-file"].as<std::string>()).keys;
                else keys = security::keys_from_environment();
                const auto recording = load_capture(input, "report", false);
                if (!recording) return 2;  // load_capture said why
                meter::wire_decoder_options decoding;
                decoding.lists = config.list;
                decoding.keys = std::move(keys);
                http::report_builder report;
                http::add_capture(*recording, recording->head.port.empty() ? input : recording->head.port,
                                  std::move(decoding), report);
                write_report(vm["output"].as<std::string>(), report, title);
                return 0;
            }
        }
        std::ifstream file;
        if (input != "-") {
            file.open(input);
            if (!file) throw usage_error(input + ": cannot read the file");
        }
        std::istream& in = input == "-" ? std::cin : file;

        http::report_builder report;
        http::jsonl_reader reader(report, config.list);
        std::string line;
        std::size_t number = 0;
        while (std::getline(in, line)) {
            ++number;
            if (const auto problem = reader.add_line(line))
                throw usage_error(input + ":" + std::to_string(number) + ": " + *problem);
        }
        if (reader.records() == 0) throw usage_error(input + ": no records");
        write_report(vm["output"].as<std::string>(), report, title);
        return 0;
    } catch (const po::error& e) {
        std::fprintf(stderr, "hansim report: %s\n(see hansim report --help)\n", e.what());
        return 2;
    } catch (const usage_error& e) {
        std::fprintf(stderr, "hansim report: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "hansim report: %s\n", e.what());
        return 1;
    }
}

void write_report(const std::string& path, const http::report_builder& report, const std::string& title) {
    const auto data = report.to_json(title);
    std::ofstream out(path, std::ios::binary);
    if (!out) throw std::runtime_error("cannot write " + path);
    out << http::page_html(&data);
    out.flush();
    if (!out) throw std::runtime_error("writing " + path + " failed");
}

}  // namespace hansim::app
