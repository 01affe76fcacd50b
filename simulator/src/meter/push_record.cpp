#include "hansim/meter/push_record.hpp"

#include <cstdio>

#include "hansim/meter/list_values.hpp"
#include "hansim/meter/p1_profile.hpp"
#include "hansim/meter/p1_telegram.hpp"
#include "hansim/meter/push_list.hpp"
#include "hansim/meter/wire_decoder.hpp"

namespace hansim::meter {

using namespace std::chrono;

namespace {

std::string iso_utc(utc_ms t) {
    const auto day = floor<days>(t);
    const year_month_day ymd{day};
    const hh_mm_ss tod{t - day};
    char buffer[40];
    const int ms = static_cast<int>(tod.subseconds().count());
    const int n = std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                                static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                                static_cast<int>(tod.seconds().count()));
    std::string text(buffer, static_cast<std::size_t>(n));
    if (ms != 0) {
        std::snprintf(buffer, sizeof buffer, ".%03d", ms);
        text += buffer;
    }
    return text + "Z";
}

// The shape `hansim decode` gives a P1 value, classified from its text as a receiver would
// (a fixed field written as "0001" reads as the number 1).
report::json p1_value(const codec::p1::value& written) {
    return p1_value_json(codec::p1::classify_value(codec::p1::to_text(written)));
}

report::json p1_values(const snapshot& values, const meter_config& config) {
    report::json out = report::json::object();
    const p1_profile* profile = find_p1_profile(config.p1_profile);
    if (!profile) return out;
    const codec::p1::telegram telegram = build_p1_telegram_model(values, *profile);
    for (const auto& line : telegram.lines) {
        if (line.values.size() == 1) {
            out[line.obis] = p1_value(line.values.front());
        } else {
            report::json items = report::json::array();
            for (const auto& v : line.values) items.push_back(p1_value(v));
            out[line.obis] = std::move(items);
        }
    }
    return out;
}

// The wall clock the frame's date-time carries; `local` without zone, as on the wire.
report::json clock_json(const codec::cosem_date_time& clock) {
    report::json out = report::json::object();
    codec::cosem_date_time local = clock;
    local.deviation = codec::cosem_date_time::deviation_not_specified;  // the zone is given apart
    out["local"] = local.to_iso8601();
    out["dst"] = (clock.clock_status & codec::cosem_date_time::status_daylight_saving) != 0;
    out["deviation_minutes"] = clock.deviation == codec::cosem_date_time::deviation_not_specified
                                   ? report::json()
                                   : report::json(static_cast<int>(clock.deviation));
    out["status"] = static_cast<unsigned>(clock.clock_status);
    return out;
}

}  // namespace

const char* to_string(line_condition::kind what) {
    switch (what) {
        case line_condition::kind::parity: return "parity";
        case line_condition::kind::baud: return "baud";
        case line_condition::kind::brk: return "break";
    }
    return "?";
}

report::json push_values_json(const push_frame& frame, const meter_config& config) {
    const snapshot& values = frame.values;
    if (frame.list == "p1") return p1_values(values, config);
    list_kind kind = list_kind::nve_list1;
    if (frame.list == "list2") kind = list_kind::nve_list2;
    else if (frame.list == "push1") kind = list_kind::push1;
    const list_options& options = frame.encoding ? *frame.encoding : config.list;
    return notification_values(build_list_body(list_rows(kind, layout_for(values.wires, options)), values, options));
}

report::json push_record_json(const push_frame& frame, const meter_config& config) {
    report::json record = report::json::object();
    record["meter"] = frame.meter;
    record["list"] = frame.list;
    record["sequence"] = static_cast<std::uint64_t>(frame.sequence);
    record["scheduled"] = iso_utc(frame.trigger_utc);
    record["send"] = iso_utc(frame.send_utc());
    record["start_offset_ms"] = static_cast<std::int64_t>(frame.start_offset.count());
    record["hex"] = codec::to_hex(frame.wire);
    report::json values = push_values_json(frame, config);
    for (const auto& [key, value] : frame.effect.values_patch.items()) {
        if (value.is_null())
            values.erase(key);
        else
            values[key] = value;
    }
    record["values"] = std::move(values);
    record["clock"] = clock_json(frame.values.clock);
    record["invocation_counter"] =
        frame.invocation_counter ? report::json(static_cast<std::uint64_t>(*frame.invocation_counter)) : report::json();
    record["fault"] = frame.fault.empty() ? report::json() : report::json(frame.fault);
    record["events"] = frame.events;
    record["silenced_before"] = static_cast<std::uint64_t>(frame.silenced_before);
    if (!frame.timeline.empty()) {  // rare: only frames after an event began or ended
        report::json changes = report::json::array();
        for (const auto& c : frame.timeline) {
            report::json change = {{"event", c.text}, {"kind", c.kind}, {"at", iso_utc(c.at)}};
            if (c.until) change["until"] = iso_utc(*c.until);
            changes.push_back(std::move(change));
        }
        record["timeline"] = std::move(changes);
    }
    if (!frame.fault.empty()) {
        report::json effect = report::json::object();
        effect["rule"] = frame.fault_rule;
        effect["description"] = frame.effect.description;
        effect["changed"] = frame.effect.changed;
        effect["cut_at"] = frame.effect.cut_at ? report::json(*frame.effect.cut_at) : report::json();
        report::json pauses = report::json::array();
        for (const auto& p : frame.pauses)
            pauses.push_back({{"offset", p.offset}, {"ms", static_cast<std::int64_t>(p.length.count())}});
        effect["pauses"] = std::move(pauses);
        report::json pieces = report::json::array();
        for (const auto& piece : frame.effect.pieces)
            pieces.push_back({{"offset", piece.offset}, {"length", piece.length}, {"reject", piece.reject},
                              {"why", piece.why}});
        effect["pieces"] = std::move(pieces);
        if (frame.line) {
            report::json line = {{"condition", to_string(frame.line->what)}};
            if (frame.line->what == line_condition::kind::baud) line["baud"] = frame.line->baud;
            if (frame.line->what == line_condition::kind::brk)
                line["break_ms"] = static_cast<std::int64_t>(frame.line->break_length.count());
            effect["line"] = std::move(line);
        }
        record["fault_effect"] = std::move(effect);
    }
    return record;
}

}  // namespace hansim::meter
