// hansim replay: send a capture again on a port, with the recorded gaps (scaled by --speed)
// and at the recorded line rate, through the same runner and pacer as `hansim run`.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

#include <boost/program_options.hpp>

#include "capture_input.hpp"
#include "hansim/io/port_spec.hpp"
#include "hansim/io/replay_source.hpp"
#include "hansim/io/session.hpp"
#include "hansim/scenario/meter_settings.hpp"
#include "progress.hpp"
#include "subcommands.hpp"

namespace po = boost::program_options;

namespace hansim::app {
namespace {

class usage_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

constexpr const char* replay_usage =
    "usage: hansim replay FILE --port PORT [--speed X] [--loop] [--skip-bad] [--fast]\n"
    "                     [--line BAUD:DPS] [--gap D] [--duration D] [--quiet]\n"
    "\n"
    "Sends what a capture file holds (simulator/docs/CAPTURE.md; also hex dumps, `+SECONDS HEX`\n"
    "logs and `hansim generate --format jsonl` output) on PORT again: chunks that arrived back\n"
    "to back go out as one transmission at the recorded line rate, transmissions keep their\n"
    "recorded gaps divided by --speed. Every transmission's lateness is reported, as by\n"
    "`hansim run`. A bad line in the file is an error (exit 2) unless --skip-bad. Exit codes:\n"
    "0 done (also after Ctrl-C/SIGTERM), 1 runtime failure, 2 usage error or bad file.\n"
    "\noptions";

std::string summary_text(const io::run_summary& s) {
    char text[512];
    std::snprintf(text, sizeof text,
                  "%llu sent, %llu lost (no listener %llu, overrun %llu, truncated %llu, port unavailable %llu, aborted %llu), "
                  "%llu bytes, lateness max %.1f ms mean %.2f ms p50 %.2f ms p99 %.2f ms",
                  static_cast<unsigned long long>(s.frames_sent), static_cast<unsigned long long>(s.frames_lost),
                  static_cast<unsigned long long>(s.lost_no_listener), static_cast<unsigned long long>(s.lost_overrun),
                  static_cast<unsigned long long>(s.lost_truncated), static_cast<unsigned long long>(s.lost_port_unavailable),
                  static_cast<unsigned long long>(s.lost_aborted), static_cast<unsigned long long>(s.bytes_sent),
                  std::chrono::duration<double, std::milli>(s.max_lateness).count(),
                  std::chrono::duration<double, std::milli>(s.mean_lateness()).count(),
                  std::chrono::duration<double, std::milli>(s.lateness_quantile(0.5)).count(),
                  std::chrono::duration<double, std::milli>(s.lateness_quantile(0.99)).count());
    return text;
}

}  // namespace

int replay_main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    po::options_description visible(replay_usage);
    visible.add_options()("help,h", "show this help")
        ("port", po::value<std::string>(), "pty:PATH | serial:DEVICE[:BAUD:8N1] | tcp:HOST:PORT | rfc2217:HOST:PORT | file:PATH | -")
        ("speed", po::value<double>()->default_value(1.0), "gaps between transmissions are divided by this")
        ("loop", po::bool_switch(), "start over after the end, until Ctrl-C or --duration")
        ("skip-bad", po::bool_switch(), "replay the valid lines of a file that has bad ones (each is still reported)")
        ("fast", po::bool_switch(), "send each transmission at once instead of at the line rate")
        ("line", po::value<std::string>(), "line settings BAUD:DPS instead of the recorded ones (an import has none)")
        ("gap", po::value<std::string>()->default_value("10s"), "time between the lines of a hex dump (which has no times)")
        ("duration", po::value<std::string>(), "stop after this much wall-clock time")
        ("quiet,q", po::bool_switch(), "no line per transmission, no progress");
    po::options_description hidden;
    hidden.add_options()("file", po::value<std::string>());
    po::options_description all;
    all.add(visible).add(hidden);
    po::positional_options_description positional;
    positional.add("file", 1);

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
        po::notify(vm);
        if (vm.count("help")) {
            std::cout << visible << "\n";
            return 0;
        }
        if (!vm.count("file")) throw usage_error("give the capture FILE");
        if (!vm.count("port")) throw usage_error("--port is required");
        if (!(vm["speed"].as<double>() > 0)) throw usage_error("--speed must be positive");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "hansim replay: %s\n(see hansim replay --help)\n", e.what());
        return 2;
    }

    try {
        const auto path = vm["file"].as<std::string>();
        capture::parse_options parse_options;
        try {
            parse_options.untimed_gap = scenario::parse_duration(vm["gap"].as<std::string>());
        } catch (const std::invalid_argument& e) {
            throw usage_error(std::string("--gap: ") + e.what());
        }
        std::optional<std::chrono::nanoseconds> wall_limit;
        if (vm.count("duration")) {
            try {
                wall_limit = scenario::parse_duration(vm["duration"].as<std::string>());
            } catch (const std::invalid_argument& e) {
                throw usage_error(std::string("--duration: ") + e.what());
            }
        }
        const auto recording = load_capture(path, "replay", vm["skip-bad"].as<bool>(), parse_options);
        if (!recording) return 2;
        io::chosen_line line;
        try {
            line = io::replay_line(*recording, vm.count("line") ? std::optional(vm["line"].as<std::string>()) : std::nullopt);
        } catch (const std::invalid_argument& e) {
            throw usage_error(vm.count("line") ? std::string("--") + e.what() : path + ":" + e.what());
        }
        const bool quiet = vm["quiet"].as<bool>();
        const double speed = vm["speed"].as<double>();
        const auto port = io::parse_port_spec(vm["port"].as<std::string>());

        io::replay_options options;
        options.line = line.line;
        options.loop = vm["loop"].as<bool>();
        options.name = path;
        auto source = std::make_unique<io::replay_source>(*recording, options);
        auto& replay = *source;

        io::session session;
        auto sink = io::make_sink(session.context(), port, line.line);
        std::FILE* log = port.kind == io::port_kind::standard_output ? stderr : stdout;
        io::run_settings settings;
        settings.pacing = vm["fast"].as<bool>() ? io::pacing_mode::fast : io::pacing_mode::wire_true;
        settings.line = line.line;
        if (!options.loop) settings.end_utc = replay.end_utc();
        std::fprintf(log, "hansim replay: %s (%s, %zu transmissions, %zu bytes) -> %s, %s (%s), speed %g%s\n",
                     path.c_str(), std::string(capture::to_string(recording->format)).c_str(), replay.burst_count(),
                     replay.byte_count(), sink->describe().c_str(), line.line.to_string().c_str(), line.origin.c_str(),
                     speed, options.loop ? ", looping" : "");
        std::fflush(log);
        session.add_meter(path, std::move(source), std::move(sink), nullptr, settings);

        progress bar("replay", quiet || port.kind == io::port_kind::standard_output);
        const auto period_ms = std::chrono::duration<double, std::milli>(replay.period()).count();
        const auto start_utc = replay.start_utc();
        session.on_frame([&](std::size_t, const io::frame_report& r) {
            const auto offset = std::chrono::duration<double>(r.frame.send_utc() - start_utc).count();
            if (!quiet) {
                bar.clear();
                std::fprintf(log, "+%.3f s #%llu %zu B %s", offset, static_cast<unsigned long long>(r.frame.sequence),
                             r.frame.wire.size(), std::string(io::to_string(r.outcome)).c_str());
                if (r.lateness >= std::chrono::milliseconds(1))
                    std::fprintf(log, " late %.1f ms", std::chrono::duration<double, std::milli>(r.lateness).count());
                std::fputc('\n', log);
                std::fflush(log);
            }
            const auto total = session.total();
            progress_state state;
            state.simulated = r.frame.send_utc();
            state.frames = total.frames_sent;
            if (!options.loop && period_ms > 0)
                state.done = std::min(1.0, offset * 1000.0 / period_ms);
            bar.update(state);
        });

        const int signal = session.run({start_utc, io::mono_clock::now(), speed}, wall_limit);
        progress_state final_state;
        final_state.frames = session.total().frames_sent;
        if (!options.loop) final_state.done = 1.0;
        if (signal == 0) bar.finish(final_state);
        else bar.clear();
        if (signal != 0) std::fprintf(log, "hansim replay: stopped by signal %d\n", signal);
        std::fprintf(log, "hansim replay: %s\n", summary_text(session.total()).c_str());
        std::fflush(log);
        return 0;
    } catch (const usage_error& e) {
        std::fprintf(stderr, "hansim replay: %s\n", e.what());
        return 2;
    } catch (const io::port_error& e) {
        std::fprintf(stderr, "hansim replay: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "hansim replay: %s\n", e.what());
        return 1;
    }
}

}  // namespace hansim::app
