#include "hansim/http/record_reader.hpp"

#include <cmath>
#include <cstdio>
#include <limits>

namespace hansim::http {

namespace {

/// "A-B:C.D.E[.F]" -> {C, D}; nothing for text that is not OBIS.
std::optional<std::pair<int, int>> obis_cd(const std::string& key) {
    int a = 0, b = 0, c = 0, d = 0, e = 0;
    if (std::sscanf(key.c_str(), "%d-%d:%d.%d.%d", &a, &b, &c, &d, &e) != 5) return std::nullopt;
    return std::pair{c, d};
}

/// Values further out than this are not a meter's (and would not fit a float or mWh).
constexpr double value_limit = 1e12;

/// A value in its engineering unit: P1 numbers come with theirs (kW, kWh, V, A, kvar...),
/// HAN integers are scaled by `scale`. Nothing for a value that is not a number or is out of
/// any meter's range.
std::optional<double> number(const json& value, double scale) {
    double v = 0;
    if (value.is_number()) v = value.get<double>() * scale;
    else if (value.is_object() && value.contains("value") && value["value"].is_number()) {
        v = value["value"].get<double>();
        const auto unit = value.contains("unit") && value["unit"].is_string() ? value["unit"].get<std::string>() : std::string();
        if (!unit.empty() && (unit[0] == 'k' || unit[0] == 'K')) v *= 1000;  // kW, kWh, kVAr, kVArh
    } else {
        return std::nullopt;
    }
    if (!std::isfinite(v) || std::fabs(v) > value_limit) return std::nullopt;
    return v;
}

std::optional<io::frame_outcome> outcome_from(const std::string& name) {
    for (const auto o : {io::frame_outcome::sent, io::frame_outcome::no_listener, io::frame_outcome::not_requested,
                         io::frame_outcome::aborted, io::frame_outcome::overrun, io::frame_outcome::port_unavailable,
                         io::frame_outcome::truncated})
        if (io::outcome_name(o) == name) return o;
    return std::nullopt;
}

std::optional<std::int64_t> utc_ms_of(const json& value) {
    if (!value.is_string()) return std::nullopt;
    const auto wall = capture::parse_wall(value.get<std::string>());
    if (!wall) return std::nullopt;
    return std::chrono::floor<std::chrono::milliseconds>(*wall).time_since_epoch().count();
}

std::optional<std::uint64_t> unsigned_of(const json& value, std::uint64_t max) {
    if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<std::int64_t>() >= 0)) return std::nullopt;
    const auto v = value.get<std::uint64_t>();
    if (v > max) return std::nullopt;
    return v;
}

record_point refuse(std::string why) { return {std::nullopt, std::move(why)}; }

}  // namespace

record_point point_from_record(const json& r, const meter::list_options& res) {
    frame_point p;
    if (!r.is_object()) return refuse("expected a JSON object per line");
    for (const char* key : {"meter", "list", "sequence", "send", "values"})
        if (!r.contains(key)) return refuse(std::string("missing \"") + key + "\"");
    if (!r["meter"].is_string()) return refuse("meter: expected a name (text)");
    if (!r["list"].is_string()) return refuse("list: expected a list name (text)");
    p.list = r["list"].get<std::string>();
    const auto sequence = unsigned_of(r["sequence"], std::numeric_limits<std::uint64_t>::max());
    if (!sequence) return refuse("sequence: expected a non-negative integer");
    p.sequence = *sequence;
    const auto send = utc_ms_of(r["send"]);
    if (!send) return refuse("send: expected a UTC time like 2024-01-15T12:00:00Z");
    p.send_ms = *send;
    p.scheduled_ms = p.send_ms;
    if (r.contains("scheduled")) {
        const auto scheduled = utc_ms_of(r["scheduled"]);
        if (!scheduled) return refuse("scheduled: expected a UTC time like 2024-01-15T12:00:00Z");
        p.scheduled_ms = *scheduled;
    }
    if (r.contains("outcome")) {
        const auto outcome = r["outcome"].is_string() ? outcome_from(r["outcome"].get<std::string>()) : std::nullopt;
        if (!outcome) return refuse("outcome: expected sent, no_listener, not_requested, aborted, overrun or port_unavailable");
        p.outcome = *outcome;
    }
    if (r.contains("lateness_ms") && !r["lateness_ms"].is_null()) {
        const auto& late = r["lateness_ms"];
        if (!late.is_number() || !std::isfinite(late.get<double>()) || std::fabs(late.get<double>()) > value_limit)
            return refuse("lateness_ms: expected a number of milliseconds");
        p.lateness_ms = static_cast<float>(late.get<double>());
    }
    if (r.contains("bytes_written") && !r["bytes_written"].is_null()) {
        const auto written = unsigned_of(r["bytes_written"], std::numeric_limits<std::uint32_t>::max());
        if (!written) return refuse("bytes_written: expected a non-negative integer");
        p.bytes_written = static_cast<std::uint32_t>(*written);
    } else if (r.contains("hex") && r["hex"].is_string()) {
        p.bytes_written = static_cast<std::uint32_t>(
            std::min<std::size_t>(r["hex"].get_ref<const std::string&>().size() / 2, std::numeric_limits<std::uint32_t>::max()));
    }
    if (r.contains("invocation_counter") && !r["invocation_counter"].is_null()) {
        const auto counter = unsigned_of(r["invocation_counter"], std::numeric_limits<std::uint32_t>::max());
        if (!counter) return refuse("invocation_counter: expected an integer 0..4294967295 or null");
        p.invocation_counter = static_cast<std::uint32_t>(*counter);
    }
    if (r.contains("fault") && !r["fault"].is_null()) {
        if (!r["fault"].is_string()) return refuse("fault: expected a fault name or null");
        p.fault = r["fault"].get<std::string>();
    }
    if (r.contains("fault_effect") && r["fault_effect"].is_object()) {
        const auto& effect = r["fault_effect"];
        if (effect.contains("description") && effect["description"].is_string())
            p.fault_detail = effect["description"].get<std::string>();
    }
    if (r.contains("events") && !r["events"].is_null()) {
        if (!r["events"].is_array()) return refuse("events: expected a list of event texts");
        std::vector<std::string> events;
        for (const auto& e : r["events"]) {
            if (!e.is_string()) return refuse("events: expected a list of event texts");
            events.push_back(e.get<std::string>());
        }
        if (!events.empty()) p.events = std::make_shared<const std::vector<std::string>>(std::move(events));
    }
    if (r.contains("silenced_before") && !r["silenced_before"].is_null()) {
        const auto silenced = unsigned_of(r["silenced_before"], std::numeric_limits<std::uint32_t>::max());
        if (!silenced) return refuse("silenced_before: expected a non-negative integer");
        p.silenced_before = *silenced;
    }
    if (r.contains("timeline") && !r["timeline"].is_null()) {
        constexpr const char* expected =
            "timeline: expected a list of {\"event\": TEXT, \"kind\": KIND, \"at\": UTC, \"until\": UTC}";
        if (!r["timeline"].is_array()) return refuse(expected);
        std::vector<meter::timeline_change> changes;
        for (const auto& c : r["timeline"]) {
            if (!c.is_object() || !c.contains("event") || !c["event"].is_string() || !c.contains("at")) return refuse(expected);
            meter::timeline_change change;
            change.text = c["event"].get<std::string>();
            if (c.contains("kind") && c["kind"].is_string()) change.kind = c["kind"].get<std::string>();
            const auto at = utc_ms_of(c["at"]);
            if (!at) return refuse("timeline: at: expected a UTC time like 2024-01-15T12:00:00Z");
            change.at = meter::utc_ms(std::chrono::milliseconds(*at));
            if (c.contains("until") && !c["until"].is_null()) {
                const auto until = utc_ms_of(c["until"]);
                if (!until || *until < *at) return refuse("timeline: until: expected a UTC time at or after \"at\"");
                change.until = meter::utc_ms(std::chrono::milliseconds(*until));
            }
            changes.push_back(std::move(change));
        }
        if (!changes.empty()) p.timeline = std::make_shared<const std::vector<meter::timeline_change>>(std::move(changes));
    }
    if (!r["values"].is_object()) return refuse("values: expected an object of OBIS codes");

    const double wh = res.energy == meter::energy_resolution::ten_wh ? 10 : 1;
    const double amp = res.current == meter::current_resolution::centi_ampere ? 0.01 : 0.001;
    const double volt = res.voltage == meter::voltage_resolution::volt ? 1 : 0.01;
    const auto phase = [](int c) { return c < 40 ? 0 : c < 60 ? 1 : 2; };
    const auto as_float = [](std::optional<double> v, float otherwise) { return v ? static_cast<float>(*v) : otherwise; };
    bool any_phase_2 = false;
    bool has_energy = false;
    for (const auto& [key, value] : r["values"].items()) {
        const auto cd = obis_cd(key);
        if (!cd) continue;
        const auto [c, d] = *cd;
        if (c == 1 && d == 0 && value.is_string()) p.clock = value.get<std::string>();
        if (c == 1 && d == 0 && value.is_object() && value.contains("time") && value["time"].is_string())
            p.clock = value["time"].get<std::string>();
        if (d == 7) {
            if (c == 1) p.active_import_w = as_float(number(value, 1), 0);
            if (c == 2) p.active_export_w = as_float(number(value, 1), 0);
            if (c == 3) p.reactive_import_var = as_float(number(value, 1), 0);
            if (c == 4) p.reactive_export_var = as_float(number(value, 1), 0);
            if (c == 13) p.power_factor = as_float(number(value, 0.01), 1);
            if (c == 21 || c == 41 || c == 61) p.phase_power_w[phase(c)] += as_float(number(value, 1), 0);
            if (c == 22 || c == 42 || c == 62) p.phase_power_w[phase(c)] -= as_float(number(value, 1), 0);
            if (c == 31 || c == 51 || c == 71) p.current_a[phase(c)] = as_float(number(value, amp), 0);
            if (c == 32 || c == 52 || c == 72) p.voltage_v[phase(c)] = as_float(number(value, volt), 0);
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
    return {std::move(p), {}};
}

jsonl_reader::jsonl_reader(report_builder& report, meter::list_options resolutions)
    : report_(report), resolutions_(resolutions) {}

std::optional<std::string> jsonl_reader::add_line(std::string_view line) {
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) return std::nullopt;
    const auto record = json::parse(line.begin(), line.end(), nullptr, false);
    if (record.is_discarded()) return "not JSON";
    auto read = point_from_record(record, resolutions_);
    if (!read.point) return read.error;
    const auto name = record["meter"].get<std::string>();
    auto found = meters_.find(name);
    if (found == meters_.end()) found = meters_.emplace(name, report_.add_meter({name, "", "", 0})).first;
    report_.add(found->second, *read.point);
    ++records_;
    return std::nullopt;
}

std::uint64_t add_capture(const capture::capture& recording, const std::string& name, meter::wire_decoder_options options,
                          report_builder& report) {
    const auto& head = recording.head;
    const auto meter = report.add_meter({name, "", head.port, 0});
    const auto resolutions = options.lists;
    meter::wire_decoder decoder(std::move(options));
    const auto base = head.start.value_or(capture::wall_time{});
    std::uint64_t sequence = 0;
    const auto when = [&](const capture::record& r) {
        return r.wall ? *r.wall : base + std::chrono::duration_cast<std::chrono::microseconds>(r.offset);
    };
    const auto ms = [](capture::wall_time t) {
        return std::chrono::floor<std::chrono::milliseconds>(t).time_since_epoch().count();
    };
    const auto text_of = [](const json& d, const char* key, std::string otherwise) {
        return d.contains(key) && d[key].is_string() ? d[key].get<std::string>() : otherwise;
    };
    const auto take = [&](const std::vector<report::json>& decoded, capture::wall_time at) {
        for (const auto& d : decoded) {
            if (d.contains("error") || !d.contains("values")) {
                report.add_mark(meter, {ms(at), "fault", text_of(d, "error_kind", "undecodable"),
                                        text_of(d, "error", "no values"), std::nullopt});
                continue;
            }
            json record{{"meter", name},
                        {"list", text_of(d, "list", text_of(d, "kind", "?"))},
                        {"sequence", sequence},
                        {"send", capture::format_wall(at)},
                        {"values", d["values"]}};
            if (d.contains("length")) record["bytes_written"] = d["length"];
            if (d.contains("invocation_counter")) record["invocation_counter"] = d["invocation_counter"];
            auto read = point_from_record(record, resolutions);
            if (!read.point) {
                report.add_mark(meter, {ms(at), "fault", "unreadable", read.error, std::nullopt});
                continue;
            }
            report.add(meter, *read.point);
            ++sequence;
        }
    };
    capture::wall_time last = base;
    for (const auto& r : recording.records) {
        last = when(r);
        if (r.kind == capture::record_kind::data) {
            decoder.feed(r.bytes);
            take(decoder.drain(), last);
        } else {
            report.add_mark(meter, {ms(last), "event", r.event, r.text, std::nullopt});
        }
    }
    take(decoder.finish(), last);
    return sequence;
}

}  // namespace hansim::http
