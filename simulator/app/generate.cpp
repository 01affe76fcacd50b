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

#include "hansim/codec/bytes.hpp"
#include "hansim/meter/meter_source.hpp"
#include "hansim/meter/profile.hpp"
#include "hansim/meter/push_record.hpp"
#include "hansim/scenario/event_spec.hpp"
#include "hansim/scenario/scenario.hpp"
#include "hansim/scenario/prepared_meter.hpp"
#include "hansim/scenario/run_plan.hpp"
#include "hansim/security/keys.hpp"
#include "hansim/http/live_view.hpp"
#include "plan_options.hpp"
#include "progress.hpp"
#include "report_writer.hpp"
#include "subcommands.hpp"

namespace po = boost::program_options;

namespace hansim::app {
namespace {

constexpr const char* generate_usage =
    "usage: hansim generate [--meter PROFILE | --scenario FILE] [--count N] [--KEY VALUE ...] [--set KEY=VALUE ...]\n"
    "                       [--start ISO8601] [--duration D] [--format hex|raw|jsonl] [--output FILE]\n"
    "\n"
    "Writes, without waiting, every push the meter(s) send between --start and --start +\n"
    "--duration, in send order: hex (one frame a line), raw (the bytes as on the line) or\n"
    "jsonl (one JSON object a frame with times, bytes and the encoded values).\n"
    "Meter options override the profile (or every meter of the scenario). Keys for ciphered\n"
    "pushes come from --key-file or HANSIM_ENCRYPTION_KEY / HANSIM_AUTHENTICATION_KEY.\n"
    "\noptions";

constexpr const char* default_start = "2024-01-01T00:00:00Z";

// One meter being generated, and its next push (merged across meters in send order).
struct running_meter {
    scenario::prepared_meter meter;
    std::optional<meter::push_frame> pending;
};

int run(int argc, char** argv) {
    po::options_description general(generate_usage);
    general.add_options()("help,h", "show this help")
        ("format", po::value<std::string>()->default_value("hex"), "hex, raw or jsonl")
        ("output,o", po::value<std::string>(), "write to this file instead of standard output")
        ("quiet,q", po::bool_switch(), "no progress line (shown on a terminal while writing to --output)")
        ("report", po::value<std::string>(),
         "also write an HTML report of the period here (charts, frame timeline, faults; one file, works "
         "offline); with --report and neither --format nor --output, only the report is written");
    po::options_description all;
    all.add(general).add(plan_options(default_start, "1h")).add(setting_options());

    po::variables_map vm;
    po::store(parse_command_line(argc, argv, all), vm);
    po::notify(vm);
    if (vm.count("help")) {
        std::cout << all << "\n" << scenario::event_help();
        return 0;
    }

    const std::string format = vm["format"].as<std::string>();
    if (format != "hex" && format != "raw" && format != "jsonl")
        throw usage_error("--format must be hex, raw or jsonl, got '" + format + "'");

    scenario::plan_defaults defaults;
    defaults.source = scenario::plan_defaults::meter_source::default_profile;
    defaults.start = scenario::parse_utc_time(default_start);
    defaults.duration = std::chrono::hours(1);
    const auto now = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
    const scenario::run_plan plan = scenario::make_run_plan(request_from(vm), defaults, now);

    std::vector<running_meter> meters;
    for (const auto& spec : plan.meters) {
        try {
            meters.push_back({scenario::prepare_meter(spec), std::nullopt});
        } catch (const scenario::meter_setup_error& e) {
            throw usage_error(e.what());
        }
        for (const auto& warning : meters.back().meter.warnings)
            std::fprintf(stderr, "hansim generate: warning: %s\n", warning.c_str());
    }

    const bool frames_out = !(vm.count("report") && vm["format"].defaulted() && !vm.count("output"));
    std::optional<http::report_builder> report;
    if (vm.count("report")) {
        report.emplace();
        for (const auto& m : meters)
            report->add_meter({m.meter.config.name, m.meter.config.profile, "generated", m.meter.config.serial});
    }
    std::ofstream file;
    if (vm.count("output")) {
        file.open(vm["output"].as<std::string>(), std::ios::binary);
        if (!file) throw std::runtime_error("cannot write " + vm["output"].as<std::string>());
    }
    std::ostream& out = vm.count("output") ? static_cast<std::ostream&>(file) : std::cout;

    const scenario::utc_ms end = *plan.end;
    // Progress on a terminal (progress.hpp); not while the frames themselves go to the terminal.
    progress bar("generate", vm["quiet"].as<bool>() || !vm.count("output"));
    progress_state state;
    // The output is gathered in one buffer and written in large pieces.
    std::string pending;
    constexpr std::size_t flush_at = 1 << 20;
    pending.reserve(flush_at + (1 << 16));
    const auto flush = [&] {
        out.write(pending.data(), static_cast<std::streamsize>(pending.size()));
        pending.clear();
    };
    // Merge the meters in send order (ties: scenario order). A meter that fails part-way
    // still leaves every frame before the failure in the output.
    try {
        for (auto& m : meters) m.pending = m.meter.source->next();
        for (;;) {
            running_meter* next = nullptr;
            for (auto& m : meters) {
                if (!m.pending || m.pending->trigger_utc >= end) continue;
                if (!next || m.pending->send_utc() < next->pending->send_utc()) next = &m;
            }
            if (!next) break;
            const meter::push_frame& frame = *next->pending;
            if (report) report->add(static_cast<std::size_t>(next - meters.data()),
                                    http::make_point(frame, io::frame_outcome::sent, 0, frame.wire.size()));
            if (!frames_out) {
            } else if (format == "hex") {
                const std::size_t at = pending.size();
                pending.resize(at + 2 * frame.wire.size() + 1);
                *codec::write_hex(pending.data() + at, frame.wire) = '\n';
            } else if (format == "raw") {
                pending.append(reinterpret_cast<const char*>(frame.wire.data()), frame.wire.size());
            } else {
                meter::append_push_record_text(pending, frame, next->meter.config);
                pending += '\n';
            }
            if (pending.size() >= flush_at) flush();
            state.count(frame, true, plan.start, end);
            bar.update(state);
            next->pending = next->meter.source->next();
        }
    } catch (...) {
        flush();
        out.flush();
        throw;
    }
    bar.finish(state);
    flush();
    out.flush();
    if (!out) throw std::runtime_error("writing the output failed");
    if (report) {
        const auto title = (vm.count("scenario") ? vm["scenario"].as<std::string>() : plan.meters.front().config.profile) +
                           ", " + scenario::format_utc_time(plan.start) + " to " + scenario::format_utc_time(end);
        write_report(vm["report"].as<std::string>(), *report, title);
    }
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
    } catch (const scenario::plan_error& e) {
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
