// hansim report: one self-contained HTML file (the live view's page with the run's data in it)
// from a capture (`hansim record`, decoded here), the JSON lines of `hansim generate --format
// jsonl`, or the records a Python bench keeps (the same records plus outcome, lateness_ms and
// bytes_written). Values in the records are as
// on the wire (unscaled HAN integers, P1 numbers with units); the resolutions to scale the HAN
// integers come from a profile (--meter) and --set, as for every other command.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>

#include <boost/program_options.hpp>

#include "capture_input.hpp"
#include "hansim/http/live_view.hpp"
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

/// "A-B:C.D.E[.F]" -> {C, D}; nothing for text that is not OBIS.
std::optional<std::pair<int, int>> obis_cd(const std::string& key) {
    int a = 0, b = 0, c = 0, d = 0, e = 0;
    if (std::sscanf(key.c_str(), "%d-%d:%d.%d.%d", &a, &b, &c, &d, &e) != 5) return std::nullopt;
    return std::pair{c, d};
}

/// A value in its engineering unit: P1 numbers come with theirs (kW, kWh, V, A, kvar...),
/// HAN integers are scaled by `scale`.
std::optional<double> number(const json& value, double scale) {
    if (value.is_number()) return value.get<double>() * scale;
    if (value.is_object() && value.contains("value") && value["value"].is_number()) {
        double v = value["value"].get<double>();
        const auto unit = value.value("unit", std::string());
        if (!unit.empty() && (unit[0] == 'k' || unit[0] == 'K')) v *= 1000;  // kW, kWh, kVAr, kVArh
        return v;
    }
    return std::nullopt;
}

io::frame_outcome outcome_from(const std::string& name) {
    for (const auto o : {io::frame_outcome::sent, io::frame_outcome::no_listener, io::frame_outcome::not_requested,
                         io::frame_outcome::aborted, io::frame_outcome::overrun, io::frame_outcome::port_unavailable})
        if (io::outcome_name(o) == name) return o;
    throw std::invalid_argument("outcome: unknown '" + name + "'");
}

std::int64_t ms(const std::string& iso) { return scenario::parse_utc_time(iso).time_since_epoch().count(); }

/// One record -> a frame point; throws std::invalid_argument naming the field.
http::frame_point point_from_record(const json& r, const meter::list_options& res) {
    http::frame_point p;
    if (!r.is_object()) throw std::invalid_argument("expected a JSON object per line");
    for (const char* key : {"meter", "list", "sequence", "send", "values"})
        if (!r.contains(key)) throw std::invalid_argument(std::string("missing \"") + key + "\"");
    p.list = r["list"].get<std::string>();
    p.sequence = r["sequence"].get<std::uint64_t>();
    p.send_ms = ms(r["send"].get<std::string>());
    p.scheduled_ms = r.contains("scheduled") ? ms(r["scheduled"].get<std::string>()) : p.send_ms;
    if (r.contains("outcome")) p.outcome = outcome_from(r["outcome"].get<std::string>());
    if (r.contains("lateness_ms") && r["lateness_ms"].is_number()) p.lateness_ms = r["lateness_ms"].get<float>();
    if (r.contains("bytes_written") && r["bytes_written"].is_number()) p.bytes_written = r["bytes_written"].get<std::uint32_t>();
    else if (r.contains("hex") && r["hex"].is_string()) p.bytes_written = static_cast<std::uint32_t>(r["hex"].get<std::string>().size() / 2);
    if (r.contains("invocation_counter") && r["invocation_counter"].is_number())
        p.invocation_counter = r["invocation_counter"].get<std::uint32_t>();
    if (r.contains("fault") && r["fault"].is_string()) p.fault = r["fault"].get<std::string>();

    const double wh = res.energy == meter::energy_resolution::ten_wh ? 10 : 1;
    const double amp = res.current == meter::current_resolution::centi_ampere ? 0.01 : 0.001;
    const double volt = res.voltage == meter::voltage_resolution::volt ? 1 : 0.01;
    const auto phase = [](int c) { return c < 40 ? 0 : c < 60 ? 1 : 2; };
    bool any_phase_2 = false;
    bool has_energy = false;
    for (const auto& [key, value] : r["values"].items()) {
        const auto cd = obis_cd(key);
        if (!cd) continue;
        const auto [c, d] = *cd;
        if (c == 1 && d == 0 && value.is_string()) p.clock = value.get<std::string>();
        if (c == 1 && d == 0 && value.is_object() && value.contains("time")) p.clock = value["time"].get<std::string>();
        if (d == 7) {
            if (c == 1) p.active_import_w = static_cast<float>(number(value, 1).value_or(0));
            if (c == 2) p.active_export_w = static_cast<float>(number(value, 1).value_or(0));
            if (c == 3) p.reactive_import_var = static_cast<float>(number(value, 1).value_or(0));
            if (c == 4) p.reactive_export_var = static_cast<float>(number(value, 1).value_or(0));
            if (c == 13) p.power_factor = static_cast<float>(number(value, 0.01).value_or(1));
            if (c == 21 || c == 41 || c == 61) p.phase_power_w[phase(c)] += static_cast<float>(number(value, 1).value_or(0));
            if (c == 22 || c == 42 || c == 62) p.phase_power_w[phase(c)] -= static_cast<float>(number(value, 1).value_or(0));
            if (c == 31 || c == 51 || c == 71) p.current_a[phase(c)] = static_cast<float>(number(value, amp).value_or(0));
            if (c == 32 || c == 52 || c == 72) p.voltage_v[phase(c)] = static_cast<float>(number(value, volt).value_or(0));
            if ((c == 52 || c == 72) && !value.is_null()) any_phase_2 = true;
        }
        if (d == 8) {
            // HAN: units of the energy resolution (Wh); P1: kWh. Both to mWh.
            const auto v = number(value, wh);
            if (!v) continue;
            const auto mwh = static_cast<std::int64_t>(std::llround(*v * 1000));
            if (c >= 1 && c <= 4) has_energy = true;
            if (c == 1) p.energy_import_mwh = mwh;
            if (c == 2) p.energy_export_mwh = mwh;
            if (c == 3) p.reactive_import_mvarh = mwh;
            if (c == 4) p.reactive_export_mvarh = mwh;
        }
    }
    p.single_phase = !any_phase_2;
    p.has_energy = has_energy;
    return p;
}

std::string iso(std::chrono::sys_time<std::chrono::microseconds> t) {
    return scenario::format_utc_time(std::chrono::floor<std::chrono::milliseconds>(t));
}

/// A capture (`hansim record`): its bytes through the decoder; each decoded frame is a record
/// sent at the time its last bytes were read; decoder errors and capture events are marks.
/// Returns false when the capture cannot be read (load_capture printed why).
bool add_capture(const std::string& input, const meter::list_options& res, std::optional<security::security_keys> keys,
                 http::report_builder& report) {
    const auto recording = load_capture(input, "report", false);
    if (!recording) return false;
    const auto& head = recording->head;
    const auto meter = report.add_meter({head.port.empty() ? input : head.port, "", head.port, 0});
    meter::wire_decoder_options options;
    options.lists = res;
    options.keys = std::move(keys);
    meter::wire_decoder decoder(options);
    const auto base = head.start.value_or(capture::wall_time{});
    std::uint64_t sequence = 0;
    auto when = [&](const capture::record& r) {
        return r.wall ? *r.wall : base + std::chrono::duration_cast<std::chrono::microseconds>(r.offset);
    };
    auto take = [&](const std::vector<json>& decoded, capture::wall_time at) {
        for (const auto& d : decoded) {
            const auto at_ms = std::chrono::floor<std::chrono::milliseconds>(at).time_since_epoch().count();
            if (d.contains("error") || !d.contains("values")) {
                report.add_mark(meter, {at_ms, "fault", d.value("error_kind", std::string("undecodable")) + ": " +
                                                             d.value("error", std::string("no values"))});
                continue;
            }
            json record{{"meter", head.port},
                        {"list", d.value("list", d.value("kind", std::string("?")))},
                        {"sequence", sequence++},
                        {"send", iso(at)},
                        {"values", d["values"]},
                        {"bytes_written", d.value("length", 0)}};
            if (d.contains("invocation_counter")) record["invocation_counter"] = d["invocation_counter"];
            report.add(meter, point_from_record(record, res));
        }
    };
    capture::wall_time last = base;
    for (const auto& r : recording->records) {
        last = when(r);
        if (r.kind == capture::record_kind::data) {
            decoder.feed(r.bytes);
            take(decoder.drain(), last);
        } else {
            report.add_mark(meter, {std::chrono::floor<std::chrono::milliseconds>(last).time_since_epoch().count(), "event",
                                    r.event + (r.text.empty() ? "" : " " + r.text)});
        }
    }
    take(decoder.finish(), last);
    return true;
}

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
                http::report_builder report;
                if (!add_capture(input, config.list, std::move(keys), report)) return 2;
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
        std::map<std::string, std::size_t> index;
        std::string line;
        std::size_t number = 0;
        while (std::getline(in, line)) {
            ++number;
            if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
            const auto record = json::parse(line, nullptr, false);
            try {
                if (record.is_discarded()) throw std::invalid_argument("not JSON");
                const auto point = point_from_record(record, config.list);
                const auto name = record["meter"].get<std::string>();
                auto found = index.find(name);
                if (found == index.end())
                    found = index.emplace(name, report.add_meter({name, "", "", 0})).first;
                report.add(found->second, point);
                if (record.contains("events") && record["events"].is_array())
                    for (const auto& e : record["events"])
                        report.add_mark(found->second, {point.send_ms, "event", e.is_string() ? e.get<std::string>() : e.dump()});
            } catch (const std::exception& e) {
                throw usage_error(input + ":" + std::to_string(number) + ": " + e.what());
            }
        }
        if (index.empty()) throw usage_error(input + ": no records");
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
