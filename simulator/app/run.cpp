// hansim run: simulate meters in real time on PTYs, serial ports, TCP servers or files.
// Parses options (command line, then an INI config file), builds one push_source per meter,
// opens its port and hands everything to an io::session.
#include <chrono>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <set>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "hansim/io/data_request.hpp"
#include "hansim/io/port_spec.hpp"
#include "hansim/io/serial_sink.hpp"
#include "hansim/io/session.hpp"
#include "hansim/io/tcp_sink.hpp"
#include "hansim/meter/meter_source.hpp"
#include "hansim/meter/profile.hpp"
#include "hansim/report/json.hpp"
#include "hansim/scenario/meter_settings.hpp"
#include "hansim/scenario/event_spec.hpp"
#include "hansim/scenario/scenario.hpp"
#include "hansim/scenario/prepared_meter.hpp"
#include "hansim/scenario/run_plan.hpp"
#include "hansim/security/keys.hpp"
#include "live.hpp"
#include "plan_options.hpp"
#include "progress.hpp"
#include "subcommands.hpp"

namespace hansim::app {

namespace {

namespace po = boost::program_options;
using namespace std::chrono_literals;

// ---- options ---------------------------------------------------------------------------

po::options_description run_options() {
    po::options_description port("Port and timing");
    port.add_options()
        ("speed", po::value<std::string>(), "meter clock runs this many times faster than real time (default 1)")
        ("fast", po::bool_switch(), "send each frame at once instead of at the line rate")
        ("chunk-ms", po::value<std::string>(), "pacing granularity in ms (wire-true mode; default 10, or 16 characters' time when shorter)")
        ("data-request", po::value<std::string>()->default_value("none"),
         "P1 data-request line: none | cts | dsr (serial ports) | dtr | rts (set by an rfc2217 client) | "
         "file:PATH (asserted while PATH exists)")
        ("on-request-drop", po::value<std::string>()->default_value("finish"),
         "when the data request drops mid-telegram: finish | abort");

    po::options_description general("General");
    general.add_options()
        ("help,h", "this help")
        ("config", po::value<std::string>(), "INI file with any of these options (command line wins)")
        ("quiet,q", po::bool_switch(), "no line per frame, and no progress line (shown on a terminal when --speed is above 1)")
        ("summary-json", po::value<std::string>(), "write the counters as JSON here on exit");

    po::options_description all;
    all.add(plan_options("now", "until SIGINT/SIGTERM/SIGHUP")).add(port).add(general).add(live_view_options()).add(setting_options());
    return all;
}

void print_help(const po::options_description& options) {
    std::cout << "usage: hansim run [--meter PROFILE] [meter options] [--port PORT] [--speed X] [--fast]\n"
                 "                  [--start ISO8601] [--duration D] [--config FILE] [--scenario FILE] [--quiet]\n"
                 "\n"
                 "Simulates meters in real time. Without --meter or --scenario it runs the default: a\n"
                 "Norwegian three-phase Kamstrup meter (kamstrup-no-3p) on pty:/tmp/ttyHAN0.\n"
                 "Pacing is wire-true (a 228-byte list 1 takes 950 ms at 2400 8N1) unless --fast; with\n"
                 "--speed the meter clock runs faster but the line does not, so pushes that come faster\n"
                 "than the line can carry them wait for it (their lateness is reported): add --fast.\n"
                 "A PTY has no modem lines and ignores parity; a frame due while nobody has the port\n"
                 "open is counted as lost. Exit codes: 0 done (also after SIGINT/SIGTERM/SIGHUP), 1 runtime\n"
                 "failure, 2 usage or configuration error.\n"
              << options << '\n' << scenario::event_help();
}

struct planned_meter {
    scenario::meter_spec spec;
    io::port_spec port;
};

struct parsed_run {
    std::vector<planned_meter> meters;
    io::run_settings settings;
    double speed = 1.0;
    meter::utc_ms start{};
    std::string data_request = "none";
    bool quiet = false;
    std::optional<std::string> summary_json;
    std::optional<scenario::live_view_plan> live;
};

/// Everything checked before any port is opened: the plan, the ports' syntax, the summary file.
parsed_run plan_run(const po::variables_map& vm) {
    parsed_run run;
    run.quiet = vm["quiet"].as<bool>();
    const auto& drop = vm["on-request-drop"].as<std::string>();
    if (drop == "finish") run.settings.on_request_drop = io::request_drop_policy::finish;
    else if (drop == "abort") run.settings.on_request_drop = io::request_drop_policy::abort;
    else throw usage_error("--on-request-drop '" + drop + "': expected finish or abort");
    run.data_request = vm["data-request"].as<std::string>();

    auto request = request_from(vm);
    add_live_request(vm, request);
    if (vm.count("speed")) request.speed = vm["speed"].as<std::string>();
    if (vm.count("chunk-ms")) request.chunk_ms = vm["chunk-ms"].as<std::string>();
    request.fast = vm["fast"].as<bool>();
    scenario::plan_defaults defaults;
    defaults.source = scenario::plan_defaults::meter_source::default_scenario;
    defaults.ports_required = true;
    const auto now = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
    auto plan = scenario::make_run_plan(request, defaults, now);

    run.speed = plan.speed;
    run.start = plan.start;
    run.settings.end_utc = plan.end;
    run.settings.pacing = plan.fast ? io::pacing_mode::fast : io::pacing_mode::wire_true;
    if (plan.chunk) run.settings.granularity = *plan.chunk;
    run.live = plan.live;
    for (auto& spec : plan.meters) {
        planned_meter planned;
        planned.port = io::parse_port_spec(spec.port);
        planned.spec = std::move(spec);
        run.meters.push_back(std::move(planned));
    }
    if (vm.count("summary-json")) {
        run.summary_json = vm["summary-json"].as<std::string>();
        std::ofstream probe(*run.summary_json);  // fails now, not after the whole run
        if (!probe)
            throw usage_error("--summary-json " + *run.summary_json + ": cannot write there (" +
                              std::strerror(errno) + ")");
    }
    return run;
}

std::unique_ptr<io::data_request> make_data_request(const std::string& spec, io::byte_sink& sink) {
    if (spec == "none") return nullptr;
    if (spec.rfind("file:", 0) == 0) return std::make_unique<io::file_data_request>(spec.substr(5));
    if (spec == "cts" || spec == "dsr") {
        auto* serial = dynamic_cast<io::serial_sink*>(&sink);
        if (serial == nullptr)
            throw usage_error("--data-request " + spec + ": only serial ports have modem lines (" + sink.describe() +
                              " has none); use file:PATH to model the line");
        return std::make_unique<io::modem_data_request>(*serial, spec == "cts" ? io::modem_line::cts : io::modem_line::dsr);
    }
    if (spec == "dtr" || spec == "rts") {
        auto* telnet = dynamic_cast<io::tcp_sink*>(&sink);
        if (telnet == nullptr || !telnet->is_rfc2217())
            throw usage_error("--data-request " + spec + ": only rfc2217 ports carry the client's " + spec +
                              " (" + sink.describe() + " does not)");
        return std::make_unique<io::telnet_data_request>(
            *telnet, spec == "dtr" ? io::tcp_sink::control_line::dtr : io::tcp_sink::control_line::rts);
    }
    throw usage_error("--data-request '" + spec + "': expected none, cts, dsr, dtr, rts or file:PATH");
}

void print_frame(std::FILE* out, const std::string& meter_name, const io::frame_report& r) {
    const auto& v = r.frame.values;
    std::fprintf(out, "%s %s %-5s #%llu %4zu B %s", scenario::format_utc_time(r.frame.send_utc()).c_str(), meter_name.c_str(),
                 r.frame.list.c_str(), static_cast<unsigned long long>(r.frame.sequence), r.frame.wire.size(),
                 std::string(io::to_string(r.outcome)).c_str());
    if (r.lateness >= 1ms)
        std::fprintf(out, " late %.1f ms", std::chrono::duration<double, std::milli>(r.lateness).count());
    std::fprintf(out, " P+=%.0f W P-=%.0f W U1=%.1f V I1=%.2f A A+=%.3f kWh", v.active_import_w, v.active_export_w,
                 v.phases[0].voltage_v, v.phases[0].current_a, static_cast<double>(v.energy.active_import_mwh) / 1e6);
    if (r.frame.invocation_counter) std::fprintf(out, " IC=%u", *r.frame.invocation_counter);
    if (!r.frame.fault.empty()) std::fprintf(out, " fault=%s", r.frame.fault.c_str());
    std::fputc('\n', out);
    std::fflush(out);
}

std::string summary_line(const std::string& who, const io::run_summary& s) {
    char text[512];
    std::snprintf(text, sizeof text,
                  "%s: %llu sent, %llu lost (no listener %llu, not requested %llu, aborted %llu, overrun %llu, "
                  "port unavailable %llu, truncated %llu), lateness max %.1f ms mean %.2f ms p50 %.2f ms p99 %.2f ms",
                  who.c_str(), static_cast<unsigned long long>(s.frames_sent),
                  static_cast<unsigned long long>(s.frames_lost), static_cast<unsigned long long>(s.lost_no_listener),
                  static_cast<unsigned long long>(s.lost_not_requested), static_cast<unsigned long long>(s.lost_aborted),
                  static_cast<unsigned long long>(s.lost_overrun),
                  static_cast<unsigned long long>(s.lost_port_unavailable),
                  static_cast<unsigned long long>(s.lost_truncated),
                  std::chrono::duration<double, std::milli>(s.max_lateness).count(),
                  std::chrono::duration<double, std::milli>(s.mean_lateness()).count(),
                  std::chrono::duration<double, std::milli>(s.lateness_quantile(0.5)).count(),
                  std::chrono::duration<double, std::milli>(s.lateness_quantile(0.99)).count());
    return text;
}

report::json summary_json_entry(const io::run_summary& s) {
    return {{"frames_sent", s.frames_sent},
            {"frames_lost", s.frames_lost},
            {"lost_no_listener", s.lost_no_listener},
            {"lost_not_requested", s.lost_not_requested},
            {"lost_aborted", s.lost_aborted},
            {"lost_overrun", s.lost_overrun},
            {"lost_port_unavailable", s.lost_port_unavailable},
            {"lost_truncated", s.lost_truncated},
            {"bytes_sent", s.bytes_sent},
            // p50 / p99 to 3.2 % (io/duration_histogram.hpp), never below the true value; max exact.
            {"p50_lateness_ms", std::chrono::duration<double, std::milli>(s.lateness_quantile(0.5)).count()},
            {"p99_lateness_ms", std::chrono::duration<double, std::milli>(s.lateness_quantile(0.99)).count()},
            {"max_lateness_ms", std::chrono::duration<double, std::milli>(s.max_lateness).count()},
            {"mean_lateness_ms", std::chrono::duration<double, std::milli>(s.mean_lateness()).count()}};
}

void write_summary_json(const std::string& path, io::session& session, const std::vector<planned_meter>& meters,
                        int signal) {
    report::json summary = report::json::object();
    summary["stopped_by_signal"] = signal;
    report::json list = report::json::array();
    for (std::size_t i = 0; i < session.meter_count(); ++i) {
        report::json entry = {{"name", session.meter_name(i)}, {"port", meters[i].port.to_string()}};
        entry.update(summary_json_entry(session.summary(i)));
        list.push_back(std::move(entry));
    }
    summary["meters"] = std::move(list);
    summary["total"] = summary_json_entry(session.total());
    std::ofstream out(path);
    out << summary.dump(2, ' ', false, report::json::error_handler_t::replace) << '\n';
    out.flush();
    if (!out) throw std::runtime_error("cannot write summary " + path + ": " + std::strerror(errno));
}

int run_meters(parsed_run run) {
    const auto file_limit = io::raise_open_file_limit();
    if (file_limit < run.meters.size() * 2 + 32)
        throw usage_error(std::to_string(run.meters.size()) + " meters need about " +
                          std::to_string(run.meters.size() * 2 + 32) + " open files; the limit is " +
                          std::to_string(file_limit));

    bool to_stdout = false;
    for (const auto& m : run.meters) to_stdout = to_stdout || m.port.kind == io::port_kind::standard_output;
    std::FILE* log = to_stdout ? stderr : stdout;

    // The prepared meters (configs, counter stores) outlive the session, whose sources hand
    // out counters from the stores.
    std::vector<scenario::prepared_meter> prepared;
    std::set<std::string> warned;
    io::session session;
    std::optional<live_frontend> live;
    if (run.live) live.emplace(*run.live);
    scenario::meter_setup_options setup;
    setup.live_control = live && live->controls();  // the page's controls change meters as they run
    for (const auto& planned : run.meters) {
        try {
            prepared.push_back(scenario::prepare_meter(planned.spec, setup));
        } catch (const scenario::meter_setup_error& e) {
            throw usage_error(e.what());
        }
        auto& meter = prepared.back();
        for (const auto& warning : meter.warnings)
            if (warned.insert(warning).second) std::fprintf(stderr, "hansim run: warning: %s\n", warning.c_str());
        const auto& config = meter.config;
        auto source = std::move(meter.source);
        auto sink = io::make_sink(session.context(), planned.port, io::line_for(*source));
        auto request = make_data_request(run.data_request, *sink);
        if (live && run.data_request == "none") request = live->data_request_for_none();
        if (live) live->add_meter({config.name, config.profile, sink->describe(), config.serial}, request.get());
        auto settings = run.settings;
        if (planned.port.kind == io::port_kind::serial && planned.port.line) settings.line = planned.port.line;
        if (!run.quiet || run.meters.size() <= 10)
            std::fprintf(log, "%s (%s, serial %08u): %s%s\n", config.name.c_str(), config.profile.c_str(),
                         config.serial, sink->describe().c_str(),
                         meter.counters ? (", counters in " + meter.counters->path().string()).c_str() : "");
        const auto index = session.add_meter(config.name, std::move(source), std::move(sink), std::move(request), settings);
        if (setup.live_control)
            session.set_live_control(index, scenario::live_meter(config, planned.spec.port, run.settings.end_utc));
    }
    std::fprintf(log, "hansim run: %zu meter%s from %s, speed %g, %s pacing%s\n", run.meters.size(),
                 run.meters.size() == 1 ? "" : "s", scenario::format_utc_time(run.start).c_str(), run.speed,
                 run.settings.pacing == io::pacing_mode::fast ? "fast" : "wire-true",
                 run.settings.end_utc ? (", until " + scenario::format_utc_time(*run.settings.end_utc)).c_str() : "");
    std::fflush(log);

    // An accelerated run shows progress on a terminal (progress.hpp), redrawn below the frame lines.
    progress bar("run", run.quiet || run.speed <= 1.0 || to_stdout);
    progress_state state;
    const io::time_mapping mapping{run.start, io::mono_clock::now(), run.speed};
    if (live) live->start(session, mapping, log);
    if (!run.quiet || bar.enabled() || live)
        session.on_frame([&](std::size_t meter, const io::frame_report& r) {
            if (!run.quiet) {
                bar.clear();
                print_frame(log, session.meter_name(meter), r);
            }
            state.count(r.frame, r.outcome == io::frame_outcome::sent, run.start, run.settings.end_utc);
            bar.update(state);
            if (live) live->frame(meter, r);
        });

    const int signal = session.run(mapping);
    if (live) live->stop();

    if (signal == 0 && run.settings.end_utc) {  // ran to its end: show where it ended
        state.simulated = *run.settings.end_utc;
        state.done = 1.0;
        bar.finish(state);
    }
    bar.clear();
    if (signal != 0) std::fprintf(log, "hansim run: stopped by signal %d\n", signal);
    if (run.meters.size() > 1 && run.meters.size() <= 10)
        for (std::size_t i = 0; i < session.meter_count(); ++i)
            std::fprintf(log, "%s\n", summary_line(session.meter_name(i), session.summary(i)).c_str());
    std::fprintf(log, "%s\n", summary_line(run.meters.size() == 1 ? session.meter_name(0) : "total", session.total()).c_str());
    std::fflush(log);
    for (auto& meter : prepared)
        if (meter.counters) meter.counters->flush();
    for (const auto& failure : session.failures()) std::fprintf(stderr, "hansim run: %s\n", failure.c_str());
    if (run.summary_json) write_summary_json(*run.summary_json, session, run.meters, signal);
    return session.failures().empty() ? 0 : 1;
}

}  // namespace

int run_main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);  // a closed reader (stdout pipe, TCP client) is an error code, not death
    const auto options = run_options();
    po::variables_map vm;
    try {
        po::store(parse_command_line(argc, argv, options), vm);
        if (vm.count("help")) {
            print_help(options);
            return 0;
        }
        if (vm.count("config")) store_config_file(vm["config"].as<std::string>(), options, vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::fprintf(stderr, "hansim run: %s\n(see hansim run --help)\n", e.what());
        return 2;
    } catch (const usage_error& e) {
        std::fprintf(stderr, "hansim run: %s\n", e.what());
        return 2;
    }

    try {
        return run_meters(plan_run(vm));
    } catch (const usage_error& e) {
        std::fprintf(stderr, "hansim run: %s\n", e.what());
        return 2;
    } catch (const scenario::plan_error& e) {
        std::fprintf(stderr, "hansim run: %s\n", e.what());
        return 2;
    } catch (const io::port_error& e) {
        std::fprintf(stderr, "hansim run: %s\n", e.what());
        return 2;
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "hansim run: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "hansim run: %s\n", e.what());
        return 1;
    }
}

po::options_description run_option_table() { return run_options(); }

}  // namespace hansim::app
