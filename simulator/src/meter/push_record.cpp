#include "hansim/meter/push_record.hpp"

#include <array>
#include <charconv>
#include <cstdio>
#include <cstring>

#include "hansim/codec/apdu/notification_elements.hpp"
#include "hansim/codec/bytes.hpp"
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

// ---- the record as text, directly ---------------------------------------------------------
// Each piece is written as report::dump() writes the same value: compact, keys in insertion
// order, integers in decimal; strings of printable ASCII without '"' or '\' as they are, any
// other string (escapes, UTF-8, bytes that are not UTF-8) and every floating-point number by
// nlohmann itself.

namespace {

// Whether `s` is written as it is: printable ASCII without '"' or '\\'.
bool plain_text(std::string_view s) {
    static const auto special = [] {
        std::array<bool, 256> t{};
        for (std::size_t c = 0; c < t.size(); ++c) t[c] = c < 0x20 || c > 0x7E || c == '"' || c == '\\';
        return t;
    }();
    bool any = false;
    for (const char ch : s) any |= special[static_cast<unsigned char>(ch)];
    return !any;
}

// Room for `n` more characters at the end of `out`, where the caller writes them.
char* extend(std::string& out, std::size_t n) {
    const std::size_t at = out.size();
    out.resize(at + n);
    return out.data() + at;
}

void text_string(std::string& out, std::string_view s) {
    if (!plain_text(s)) {
        out += report::dump(report::json(std::string(s)));
        return;
    }
    char* p = extend(out, s.size() + 2);
    *p = '"';
    std::memcpy(p + 1, s.data(), s.size());
    p[s.size() + 1] = '"';
}

template <typename Integer>
void text_integer(std::string& out, Integer v) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, v).ptr;
    out.append(digits, end);
}

void text_key(std::string& out, std::string_view key, bool first = false) {
    if (!plain_text(key)) {
        if (!first) out += ',';
        text_string(out, key);
        out += ':';
        return;
    }
    char* p = extend(out, key.size() + (first ? 3 : 4));
    if (!first) *p++ = ',';
    *p++ = '"';
    std::memcpy(p, key.data(), key.size());
    p += key.size();
    *p++ = '"';
    *p = ':';
}

void text_bool(std::string& out, bool v) { out += v ? "true" : "false"; }

// iso_utc() written directly (the years a meter can show; others by iso_utc()).
void text_utc(std::string& out, utc_ms t) {
    const auto day = floor<days>(t);
    const year_month_day ymd{day};
    const int y = static_cast<int>(ymd.year());
    if (y < 0 || y > 9999) {
        text_string(out, iso_utc(t));
        return;
    }
    const hh_mm_ss tod{t - day};
    const int ms = static_cast<int>(tod.subseconds().count());
    char text[32];
    char* at = text;
    auto put = [&at](unsigned v, int width) {
        for (int i = width - 1; i >= 0; --i, v /= 10) at[i] = static_cast<char>('0' + v % 10);
        at += width;
    };
    *at++ = '"';
    put(static_cast<unsigned>(y), 4);
    *at++ = '-';
    put(static_cast<unsigned>(ymd.month()), 2);
    *at++ = '-';
    put(static_cast<unsigned>(ymd.day()), 2);
    *at++ = 'T';
    put(static_cast<unsigned>(tod.hours().count()), 2);
    *at++ = ':';
    put(static_cast<unsigned>(tod.minutes().count()), 2);
    *at++ = ':';
    put(static_cast<unsigned>(tod.seconds().count()), 2);
    if (ms != 0) {
        *at++ = '.';
        put(static_cast<unsigned>(ms), 3);
    }
    *at++ = 'Z';
    *at++ = '"';
    out.append(text, at);
}

// wire_decoder's data_value() of an A-XDR value, as text.
void text_data(std::string& out, const codec::axdr::data& value, bool clock_object) {
    using codec::axdr::data_type;
    switch (value.type()) {
        case data_type::null_data: out += "null"; return;
        case data_type::boolean: text_bool(out, value.as_bool()); return;
        case data_type::double_long:
        case data_type::integer:
        case data_type::long_:
        case data_type::long64: text_integer(out, static_cast<long long>(value.as_signed())); return;
        case data_type::double_long_unsigned:
        case data_type::unsigned_:
        case data_type::long_unsigned:
        case data_type::long64_unsigned:
        case data_type::enum_: text_integer(out, static_cast<unsigned long long>(value.as_unsigned())); return;
        case data_type::visible_string:
        case data_type::utf8_string: text_string(out, value.as_string()); return;
        case data_type::date_time: text_string(out, value.as_date_time().to_iso8601()); return;
        case data_type::octet_string: {
            const auto& raw = value.as_bytes();
            if (clock_object && raw.size() == codec::cosem_date_time::wire_size)
                text_string(out, codec::cosem_date_time::from_bytes(raw)->to_iso8601());
            else
                text_string(out, codec::to_hex(raw));
            return;
        }
        case data_type::array:
        case data_type::structure: {
            out += '[';
            bool first = true;
            for (const auto& child : value.children()) {
                if (!first) out += ',';
                first = false;
                text_data(out, child, false);
            }
            out += ']';
            return;
        }
        case data_type::float32:
        case data_type::float64: out += report::dump(report::json(value.as_double())); return;
        default: text_string(out, value.to_string()); return;
    }
}

bool is_clock_obis(const codec::obis_code& code) {
    return code.groups[0] == 0 && code.groups[2] == 1 && code.groups[3] == 0;
}

// A later value under a key already written replaces it in place (ordered_json); no list
// repeats a key, and a repetition takes the tree path.
template <typename Key>
bool unique(const std::vector<Key>& keys) {
    for (std::size_t i = 0; i < keys.size(); ++i)
        for (std::size_t j = i + 1; j < keys.size(); ++j)
            if (keys[i] == keys[j]) return false;
    return true;
}

// The values of a list in the tables' shape (the list version first, then rows with an OBIS
// and null placeholders) straight from its rows: what split_flat_body(build_list_body(...))
// gives and data_value() writes, without the A-XDR tree. Other shapes take the tree.
bool text_list_rows(std::string& out, std::span<const list_row> rows, const snapshot& values, const list_options& options) {
    if (rows.empty() || rows[0].what != list_quantity::list_version) return false;
    for (std::size_t i = 1; i < rows.size(); ++i)
        if (rows[i].what == list_quantity::list_version) return false;
    std::vector<codec::obis_code> keys;
    keys.reserve(rows.size());
    for (const auto& row : rows)
        if (row.what != list_quantity::list_version && row.what != list_quantity::absent_phase) keys.push_back(row.obis);
    if (!unique(keys)) return false;
    const std::size_t mark = out.size();
    out += '{';
    bool first = true;
    for (const auto& row : rows) {
        if (row.what == list_quantity::list_version || row.what == list_quantity::absent_phase) continue;
        text_key(out, row.obis.to_string(), first);
        first = false;
        switch (row.what) {
            case list_quantity::gs1_id: text_string(out, values.identity.gs1_id); continue;
            case list_quantity::meter_type: text_string(out, values.identity.meter_type); continue;
            case list_quantity::clock:
                text_string(out, is_clock_obis(row.obis) ? values.clock.to_iso8601() : codec::to_hex(values.clock.to_bytes()));
                continue;
            default: break;
        }
        const auto wire = row_wire_integer(row, values, options);
        if (!wire) {  // the tree refuses it, with its message
            out.resize(mark);
            return false;
        }
        text_integer(out, row.type == wire_type::long_unsigned ? std::uint64_t{static_cast<std::uint16_t>(*wire)}
                                                               : std::uint64_t{*wire});
    }
    out += '}';
    return true;
}

bool text_han_values(std::string& out, const push_frame& frame, const meter_config& config, list_kind kind) {
    const list_options& options = frame.encoding ? *frame.encoding : config.list;
    if (text_list_rows(out, list_rows(kind, layout_for(frame.values.wires, options)), frame.values, options)) return true;
    const auto body = build_list_body(list_rows(kind, layout_for(frame.values.wires, options)), frame.values, options);
    const auto elements = codec::apdu::split_flat_body(body);
    if (!elements) {
        out += "{}";
        return true;
    }
    std::vector<codec::obis_code> keys;
    keys.reserve(elements->size());
    for (const auto& e : *elements)
        if (e.obis) keys.push_back(*e.obis);
    if (!unique(keys)) return false;
    out += '{';
    bool first = true;
    for (const auto& e : *elements) {
        if (!e.obis) continue;
        text_key(out, e.obis->to_string(), first);
        first = false;
        text_data(out, e.value, is_clock_obis(*e.obis));
    }
    out += '}';
    return true;
}

void text_p1_value(std::string& out, const codec::p1::value& written) {
    const codec::p1::value v = codec::p1::classify_value(codec::p1::to_text(written));
    if (const auto* n = std::get_if<codec::p1::number>(&v)) {
        out += "{\"value\":";
        out += report::dump(report::json(n->value()));
        if (!n->unit.empty()) {
            text_key(out, "unit");
            text_string(out, n->unit);
        }
        out += '}';
        return;
    }
    if (std::holds_alternative<codec::p1::timestamp>(v)) {
        out += report::dump(p1_value_json(v));
        return;
    }
    text_string(out, std::get<codec::p1::text>(v).content);
}

bool text_p1_values(std::string& out, const push_frame& frame, const meter_config& config) {
    const p1_profile* profile = find_p1_profile(config.p1_profile);
    if (!profile) {
        out += "{}";
        return true;
    }
    const codec::p1::telegram telegram = build_p1_telegram_model(frame.values, *profile);
    std::vector<std::string_view> keys;
    keys.reserve(telegram.lines.size());
    for (const auto& line : telegram.lines) keys.push_back(line.obis);
    if (!unique(keys)) return false;
    out += '{';
    bool first = true;
    for (const auto& line : telegram.lines) {
        text_key(out, line.obis, first);
        first = false;
        if (line.values.size() == 1) {
            text_p1_value(out, line.values.front());
        } else {
            out += '[';
            for (std::size_t i = 0; i < line.values.size(); ++i) {
                if (i > 0) out += ',';
                text_p1_value(out, line.values[i]);
            }
            out += ']';
        }
    }
    out += '}';
    return true;
}

}  // namespace

void append_push_record_text(std::string& out, const push_frame& frame, const meter_config& config) {
    const auto tree = [&] { out += report::dump(push_record_json(frame, config)); };
    // Rare frames (a fault, a values patch, events beginning or ending) take the tree.
    if (!frame.fault.empty() || !frame.effect.values_patch.empty() || !frame.timeline.empty()) return tree();
    const std::size_t mark = out.size();
    out += '{';
    text_key(out, "meter", true);
    text_string(out, frame.meter);
    text_key(out, "list");
    text_string(out, frame.list);
    text_key(out, "sequence");
    text_integer(out, static_cast<std::uint64_t>(frame.sequence));
    text_key(out, "scheduled");
    text_utc(out, frame.trigger_utc);
    text_key(out, "send");
    text_utc(out, frame.send_utc());
    text_key(out, "start_offset_ms");
    text_integer(out, static_cast<std::int64_t>(frame.start_offset.count()));
    text_key(out, "hex");
    char* p = extend(out, 2 * frame.wire.size() + 2);
    *p++ = '"';
    *codec::write_hex(p, frame.wire) = '"';
    text_key(out, "values");
    bool written = false;
    if (frame.list == "p1") written = text_p1_values(out, frame, config);
    else if (frame.list == "list2") written = text_han_values(out, frame, config, list_kind::nve_list2);
    else if (frame.list == "push1") written = text_han_values(out, frame, config, list_kind::push1);
    else written = text_han_values(out, frame, config, list_kind::nve_list1);
    if (!written) {
        out.resize(mark);
        return tree();
    }
    const codec::cosem_date_time& clock = frame.values.clock;
    codec::cosem_date_time local = clock;
    local.deviation = codec::cosem_date_time::deviation_not_specified;
    text_key(out, "clock");
    out += '{';
    text_key(out, "local", true);
    text_string(out, local.to_iso8601());
    text_key(out, "dst");
    text_bool(out, (clock.clock_status & codec::cosem_date_time::status_daylight_saving) != 0);
    text_key(out, "deviation_minutes");
    if (clock.deviation == codec::cosem_date_time::deviation_not_specified) out += "null";
    else text_integer(out, static_cast<int>(clock.deviation));
    text_key(out, "status");
    text_integer(out, static_cast<unsigned>(clock.clock_status));
    out += '}';
    text_key(out, "invocation_counter");
    if (frame.invocation_counter) text_integer(out, static_cast<std::uint64_t>(*frame.invocation_counter));
    else out += "null";
    text_key(out, "fault");
    out += "null";
    text_key(out, "events");
    out += '[';
    for (std::size_t i = 0; i < frame.events.size(); ++i) {
        if (i > 0) out += ',';
        text_string(out, frame.events[i]);
    }
    out += ']';
    text_key(out, "silenced_before");
    text_integer(out, static_cast<std::uint64_t>(frame.silenced_before));
    out += '}';
}

}  // namespace hansim::meter
