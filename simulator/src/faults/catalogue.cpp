#include "hansim/faults/catalogue.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "hansim/meter/push_list.hpp"
#include "hansim/meter/time_text.hpp"

namespace hansim::faults {
namespace {

using P = parameter_spec;

constexpr std::array<P, 1> p_at{{{"at", 0, 2048, 0, "cut after this many bytes (0: a random point)"}}};
constexpr std::array<P, 1> p_segment{{{"max", 8, 1024, 64, "information bytes per segment"}}};
constexpr std::array<P, 1> p_by_length{{{"by", -64, 64, 1, "added to the length field (not 0)"}}};
constexpr std::array<P, 1> p_flips{{{"n", 1, 16, 1, "bits flipped"}}};
constexpr std::array<P, 2> p_replace{{{"at", 0, 8192, 0, "byte offset (0: a random byte)"},
                                      {"value", 0, 255, 0, "the new byte (XOR 0xFF when equal to the old)"}}};
constexpr std::array<P, 2> p_garbage{{{"kind", 0, 2, 0, "0 random bytes (never 0x7E or '/'), 1 a run of 0x7E, 2 ASCII text"},
                                      {"bytes", 1, 1024, 20, "how many"}}};
constexpr std::array<P, 1> p_bait{{{"where", 0, 1, 0, "0: the FCS holds 0x7E or 0x7D, 1: the payload holds 7E 7D 7E 7D"}}};
constexpr std::array<P, 2> p_split{{{"at", 0, 8192, 0, "pause before this byte (0: the middle)"},
                                    {"ms", 1, 600000, 1000, "pause length"}}};
constexpr std::array<P, 2> p_gaps{{{"ms", 1, 1000, 20, "gap length"}, {"every", 1, 256, 1, "a gap after every this many bytes"}}};
constexpr std::array<P, 1> p_late{{{"ms", 1, 3600000, 2000, "delay"}}};
constexpr std::array<P, 1> p_unknown{{{"value", 0, 4294967295, 12345, "the value of 1-0:99.99.0.255"}}};
constexpr std::array<P, 1> p_line{{{"line", 1, 64, 3, "which data line (1: the first after the header)"}}};
constexpr std::array<P, 2> p_unit{{{"line", 1, 64, 3, "which data line"},
                                   {"what", 0, 1, 0, "0 the unit (kW→W, kWh→Wh, V→kV, A→mA, …), 1 one decimal fewer"}}};
constexpr std::array<P, 1> p_p1cut{{{"at", 0, 8192, 0, "bytes sent before the request drops (0: random)"}}};
constexpr std::array<P, 1> p_pad{{{"bytes", 100, 8192, 1024, "telegram length after padding"}}};
constexpr std::array<P, 1> p_baud{{{"baud", 300, 1000000, 9600, "the wrong rate"}}};
constexpr std::array<P, 1> p_break{{{"ms", 1, 10000, 250, "break length"}}};
constexpr std::array<P, 1> p_jump{{{"by", 2, 1000000000, 1000, "counter step"}}};

constexpr std::span<const P> none{};

const fault_spec table[] = {
    // framing
    {"bad_fcs", "framing", applies_to::hdlc, port_need::any, none, "the FCS low byte XOR 0xFF"},
    {"bad_hcs", "framing", applies_to::hdlc, port_need::any, none, "the HCS low byte XOR 0xFF"},
    {"truncated", "framing", applies_to::hdlc, port_need::any, p_at, "the frame cut short (at least 2 bytes kept, never the whole frame)"},
    {"dropped", "framing", applies_to::any, port_need::any, none, "the push is not sent at all"},
    {"duplicated", "framing", applies_to::any, port_need::any, none, "sent twice, back to back"},
    {"twice_cut", "framing", applies_to::hdlc, port_need::any, p_at, "sent whole, then again cut short"},
    {"segmented", "framing", applies_to::hdlc, port_need::any, p_segment, "sent as HDLC segments with the segmentation bit, as other meters do"},
    {"wrong_length", "framing", applies_to::hdlc, port_need::any, p_by_length, "the length field is off, HCS and FCS computed over what is sent"},
    // bytes
    {"bit_flips", "bytes", applies_to::any, port_need::any, p_flips, "random bits flipped inside the frame (never a flag, '/' or '!')"},
    {"byte_replaced", "bytes", applies_to::any, port_need::any, p_replace, "one byte inside the frame replaced"},
    {"garbage", "bytes", applies_to::any, port_need::any, p_garbage, "noise before the push: random bytes, a run of 0x7E, or a splitter's debug text"},
    {"stuffing_bait", "bytes", applies_to::hdlc_plain, port_need::any, p_bait, "the invoke-id chosen so the FCS or payload holds 0x7E/0x7D (meters do not byte-stuff; readers that unstuff break)"},
    // timing
    {"split_pause", "timing", applies_to::any, port_need::any, p_split, "a pause inside the frame, longer than a reader's inter-byte timeout"},
    {"char_gaps", "timing", applies_to::any, port_need::any, p_gaps, "gaps between characters"},
    {"back_to_back", "timing", applies_to::any, port_need::any, none, "the next push follows this one with no idle time"},
    {"late", "timing", applies_to::any, port_need::any, p_late, "the push leaves late"},
    // content
    {"legacy_datetime", "content", applies_to::hdlc, port_need::any, none, "the header date-time in the pre-2018 form 09 0C (ciphered: in the APDU before sealing)"},
    {"list2_repeated", "content", applies_to::hdlc, port_need::any, none, "a list 2 push sent twice (other pushes pass unchanged; a meter without list 2 is refused)"},
    {"value_out_of_range", "content", applies_to::hdlc, port_need::any, none, "active power import (1.7.0) sent as 4294967295 W"},
    {"clock_unset", "content", applies_to::hdlc, port_need::any, none, "the header and clock date-time 2000-01-01 00:00:00 with status 01 (invalid)"},
    {"unknown_obis", "content", applies_to::hdlc, port_need::any, p_unknown, "an extra element 1-0:99.99.0.255 a reader does not know"},
    // P1
    {"p1_crc_wrong", "p1", applies_to::p1, port_need::any, none, "the CRC digits do not match"},
    {"p1_crc_missing", "p1", applies_to::p1, port_need::any, none, "no CRC after '!'"},
    {"p1_line_missing", "p1", applies_to::p1, port_need::any, p_line, "a data line left out (CRC recomputed)"},
    {"p1_bad_obis", "p1", applies_to::p1, port_need::any, p_line, "a malformed OBIS token such as 1-0:4:24.7.0 (CRC recomputed)"},
    {"p1_wrong_unit", "p1", applies_to::p1, port_need::any, p_unit, "a value with the wrong unit or decimals (CRC recomputed)"},
    {"p1_cut", "p1", applies_to::p1, port_need::any, p_p1cut, "the telegram cut when the data request drops"},
    {"p1_padded", "p1", applies_to::p1, port_need::any, p_pad, "a telegram longer than a reader's buffer: a long text line (0-0:96.13.0), CRC recomputed"},
    {"p1_split_pause", "p1", applies_to::p1, port_need::any, p_split, "the telegram split across reads by a pause"},
    // line
    {"wrong_parity", "line", applies_to::any, port_need::serial, none, "the push sent with even parity instead of none"},
    {"wrong_baud", "line", applies_to::any, port_need::serial, p_baud, "the push sent at the wrong baud rate"},
    {"line_break", "line", applies_to::any, port_need::serial, p_break, "a break condition before the push"},
    // ciphering (applied while the push is sealed; security/cipher_fault.hpp)
    {"wrong_encryption_key", "ciphering", applies_to::hdlc_ciphered, port_need::any, none, "sealed with every bit of EK inverted"},
    {"wrong_authentication_key", "ciphering", applies_to::hdlc_ciphered, port_need::any, none, "sealed with every bit of AK inverted"},
    {"corrupted_tag", "ciphering", applies_to::hdlc_ciphered, port_need::any, none, "last byte of the GCM tag XOR 0x01"},
    {"counter_stuck", "ciphering", applies_to::hdlc_ciphered, port_need::any, none, "the previous frame's invocation counter again"},
    {"counter_backwards", "ciphering", applies_to::hdlc_ciphered, port_need::any, none, "the previous frame's invocation counter minus 1"},
    {"counter_jump", "ciphering", applies_to::hdlc_ciphered, port_need::any, p_jump, "the invocation counter jumps ahead"},
    {"empty_system_title", "ciphering", applies_to::hdlc_ciphered, port_need::any, none, "header system title of length 0"},
    {"foreign_system_title", "ciphering", applies_to::hdlc_ciphered, port_need::any, none, "header names another meter's system title"},
    {"sc_mismatch", "ciphering", applies_to::hdlc_ciphered, port_need::any, none, "header security control differs from the one sealed with"},
    {"length_off_by_one", "ciphering", applies_to::hdlc_ciphered, port_need::any, none, "ciphered-content length one more than follows"},
};

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    return text;
}

std::uint64_t number(std::string_view text, std::string_view what) {
    text = trimmed(text);
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size())
        throw std::invalid_argument(std::string(what) + " '" + std::string(text) +
                                    "' is not a push sequence number (0, 1, 2, …)");
    return value;
}

/// A point on the timeline, spelled as a timeline event's `at` (meter/time_text.hpp):
/// `+DURATION` after the run's start (`+90s`, `+1h30m`, `+500ms`, `+2d`) or an absolute ISO
/// 8601 time (`2024-01-01T12:00:00Z`, `2024-01-01T13:00:00+01:00`).
meter::fault_time parse_time(std::string_view text) {
    text = trimmed(text);
    meter::fault_time t;
    try {
        if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
            t.value = meter::parse_duration(text);
        } else {
            t.relative = false;
            t.value = meter::parse_utc_time(text).time_since_epoch();
        }
    } catch (const std::invalid_argument&) {
        throw std::invalid_argument("time '" + std::string(text) +
                                    "': expected +DURATION after the start (e.g. +90s, +1h30m) or an ISO 8601 time "
                                    "(e.g. 2024-01-01T12:00:00Z), as a timeline event's `at`");
    }
    if (t.relative && t.value < std::chrono::milliseconds(0))
        throw std::invalid_argument("time '" + std::string(text) + "' is before the start of the run");
    return t;
}

void parse_selection(meter::fault_rule& rule, std::string_view frames) {
    using meter::frame_selection;
    frames = trimmed(frames);
    if (frames.starts_with("every:")) {
        rule.selection = frame_selection::every;
        rule.period = number(frames.substr(6), "period");
        if (rule.period == 0) throw std::invalid_argument("every:0 selects no push; K must be at least 1");
    } else if (frames.starts_with("rate:")) {
        rule.selection = frame_selection::rate;
        const std::string p(trimmed(frames.substr(5)));
        char* end = nullptr;
        rule.rate = std::strtod(p.c_str(), &end);
        if (p.empty() || end != p.c_str() + p.size() || !(rule.rate > 0 && rule.rate <= 1))
            throw std::invalid_argument("rate '" + p + "' must be a probability in (0, 1], e.g. rate:0.01");
    } else if (frames.starts_with("time:")) {
        const std::string_view span = frames.substr(5);
        if (const auto dots = span.find(".."); dots != std::string_view::npos) {
            rule.selection = frame_selection::time_window;
            rule.from = parse_time(span.substr(0, dots));
            rule.to = parse_time(span.substr(dots + 2));
            if (rule.from.relative == rule.to.relative && rule.to.value <= rule.from.value)
                throw std::invalid_argument("time window '" + std::string(span) + "' ends before it starts");
        } else {
            rule.selection = frame_selection::time_point;
            rule.from = parse_time(span);
        }
    } else if (const std::size_t dash = frames.find('-'); dash != std::string_view::npos) {
        rule.selection = frame_selection::range;
        rule.first = number(frames.substr(0, dash), "range start");
        rule.last = number(frames.substr(dash + 1), "range end");
        if (rule.last < rule.first)
            throw std::invalid_argument("range end " + std::to_string(rule.last) + " is before its start " +
                                        std::to_string(rule.first));
    } else {
        rule.selection = frame_selection::single;
        rule.first = number(frames, "push");
    }
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

meter::fault_rule parse_rule(std::string_view text) {
    const std::size_t at = text.find('@');
    if (at == std::string_view::npos)
        throw std::invalid_argument("expected FAULT[:PARAM=VALUE]@N, @A-B, @every:K, @rate:P or @time:T[..T2]");
    std::string_view head = trimmed(text.substr(0, at));
    const std::size_t colon = head.find(':');
    const std::string_view name = trimmed(head.substr(0, colon));
    const fault_spec* spec = find_fault(name);
    if (!spec) {
        std::string near;
        for (const auto& f : catalogue())
            if (edit_distance(name, f.name) <= 2 || (name.size() >= 4 && f.name.starts_with(name.substr(0, 4))))
                near += (near.empty() ? "" : ", ") + std::string(f.name);
        throw std::invalid_argument("unknown fault '" + std::string(name) + "'" +
                                    (near.empty() ? "" : " (did you mean " + near + "?)") + "; `hansim faults` lists all " +
                                    std::to_string(catalogue().size()));
    }
    meter::fault_rule rule;
    rule.name = std::string(spec->name);
    if (spec->group == "ciphering") rule.cipher = security::parse_cipher_fault(spec->name);
    rule.rewrites_apdu = spec->group == "content" && spec->name != "list2_repeated";
    for (const auto& p : spec->params) rule.params.emplace_back(std::string(p.name), p.fallback);
    std::string_view rest = colon == std::string_view::npos ? std::string_view{} : head.substr(colon + 1);
    while (!rest.empty()) {
        const std::size_t next = rest.find(':');
        const std::string_view item = trimmed(rest.substr(0, next));
        rest = next == std::string_view::npos ? std::string_view{} : rest.substr(next + 1);
        const std::size_t eq = item.find('=');
        const std::string_view key = trimmed(item.substr(0, eq));
        const auto found = std::find_if(spec->params.begin(), spec->params.end(),
                                        [&](const parameter_spec& p) { return p.name == key; });
        if (found == spec->params.end()) {
            std::string known;
            for (const auto& p : spec->params) known += (known.empty() ? "" : ", ") + std::string(p.name);
            throw std::invalid_argument(std::string(spec->name) + " has no parameter '" + std::string(key) + "'" +
                                        (known.empty() ? " (it takes none)" : " (it takes " + known + ")"));
        }
        if (eq == std::string_view::npos)
            throw std::invalid_argument("parameter '" + std::string(key) + "' needs a value: " + std::string(key) + "=N");
        const std::string_view value_text = trimmed(item.substr(eq + 1));
        std::int64_t value = 0;
        const auto [end, ec] = std::from_chars(value_text.data(), value_text.data() + value_text.size(), value);
        if (value_text.empty() || ec != std::errc{} || end != value_text.data() + value_text.size())
            throw std::invalid_argument(std::string(key) + "='" + std::string(value_text) + "' is not an integer");
        if (value < found->min || value > found->max)
            throw std::invalid_argument(std::string(key) + "=" + std::string(value_text) + " is out of range " +
                                        std::to_string(found->min) + ".." + std::to_string(found->max));
        if (spec->name == "wrong_length" && value == 0)
            throw std::invalid_argument("by=0 leaves the length field right");
        for (auto& [k, v] : rule.params)
            if (k == key) v = value;
    }
    parse_selection(rule, text.substr(at + 1));
    return rule;
}

}  // namespace

std::span<const fault_spec> catalogue() {
    return table;
}

const fault_spec* find_fault(std::string_view name) {
    for (const auto& spec : catalogue())
        if (spec.name == name) return &spec;
    return nullptr;
}

std::string_view to_string(applies_to profiles) {
    switch (profiles) {
        case applies_to::hdlc: return "hdlc";
        case applies_to::hdlc_plain: return "hdlc (plain)";
        case applies_to::hdlc_ciphered: return "hdlc (ciphered)";
        case applies_to::p1: return "p1";
        case applies_to::any: return "hdlc, p1";
    }
    return "?";
}

std::string_view to_string(port_need ports) { return ports == port_need::serial ? "serial port only" : "any port"; }

std::string catalogue_line(const fault_spec& spec) {
    std::string params;
    for (const auto& p : spec.params)
        params += (params.empty() ? "" : " ") + std::string(p.name) + "=" + std::to_string(p.min) + ".." +
                  std::to_string(p.max) + "(" + std::to_string(p.fallback) + ")";
    if (params.empty()) params = "-";
    char line[512];
    std::snprintf(line, sizeof line, "%-25s %-44s %-16s %-17s %.*s", std::string(spec.name).c_str(), params.c_str(),
                  std::string(to_string(spec.profiles)).c_str(), std::string(to_string(spec.ports)).c_str(),
                  static_cast<int>(spec.description.size()), spec.description.data());
    return line;
}

meter::fault_plan parse_fault_plan(std::string_view text) {
    meter::fault_plan plan;
    if (trimmed(text).empty()) return plan;
    std::size_t from = 0;
    for (std::size_t index = 1;; ++index) {
        const std::size_t comma = text.find(',', from);
        const std::string_view entry =
            trimmed(text.substr(from, comma == std::string_view::npos ? std::string_view::npos : comma - from));
        try {
            if (entry.empty()) throw std::invalid_argument("empty rule (two commas or a trailing comma)");
            plan.push_back(parse_rule(entry));
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument("fault " + std::to_string(index) + " '" + std::string(entry) + "': " + e.what());
        }
        if (comma == std::string_view::npos) return plan;
        from = comma + 1;
    }
}

void check_applicable(const meter::fault_plan& plan, const meter::meter_config& config, std::string_view port) {
    using meter::push_kind;
    const bool p1 = std::find(config.lists.begin(), config.lists.end(), push_kind::p1) != config.lists.end();
    const bool han = std::any_of(config.lists.begin(), config.lists.end(), [](push_kind k) { return k != push_kind::p1; });
    const bool ciphered = config.security != security::security_policy::none;
    for (std::size_t i = 0; i < plan.size(); ++i) {
        const auto& rule = plan[i];
        const fault_spec* spec = find_fault(rule.name);
        const std::string who = "fault " + std::to_string(i + 1) + " '" + meter::to_string(rule) + "': ";
        if (!spec) throw std::invalid_argument(who + "unknown fault '" + rule.name + "'");
        switch (spec->profiles) {
            case applies_to::p1:
                if (!p1) throw std::invalid_argument(who + rule.name + " is a P1 fault; this meter sends no P1 telegrams (HDLC)");
                break;
            case applies_to::hdlc:
            case applies_to::hdlc_plain:
            case applies_to::hdlc_ciphered:
                if (!han) throw std::invalid_argument(who + rule.name + " is an HDLC fault; this meter sends P1 telegrams");
                if (spec->profiles == applies_to::hdlc_plain && ciphered)
                    throw std::invalid_argument(who + rule.name +
                                                " rewrites the plain APDU; this meter ciphers its pushes (security " +
                                                std::string(security::to_string(config.security)) + ")");
                if (spec->profiles == applies_to::hdlc_ciphered && !ciphered)
                    throw std::invalid_argument(who + "ciphering faults need security encrypt, authenticate or "
                                                      "encrypt+authenticate (security is none)");
                break;
            case applies_to::any: break;
        }
        if (rule.name == "list2_repeated" &&
            std::find(config.lists.begin(), config.lists.end(), push_kind::list2) == config.lists.end())
            throw std::invalid_argument(who + "list2_repeated repeats list 2 pushes; this meter sends no list 2 (" +
                                        config.profile + ")");
        const bool rewrites_text = spec->name == "bit_flips" || spec->name == "byte_replaced" || spec->name == "garbage";
        if (p1 && ciphered && rewrites_text)
            throw std::invalid_argument(who + rule.name +
                                        " rewrites P1 text; this meter ciphers its telegrams (the raw 0xDB wrapper)");
        if (p1 && ciphered && spec->profiles == applies_to::p1)
            throw std::invalid_argument(who + rule.name +
                                        " rewrites P1 text; this meter ciphers its telegrams (the raw 0xDB wrapper)");
        if (spec->ports == port_need::serial) {
            if (port.empty())
                throw std::invalid_argument(who + rule.name + " is a line condition (parity, baud, break), not bytes: "
                                                  "only `hansim run` on a real serial port (serial:DEVICE) can send it");
            if (!port.starts_with("serial:")) {
                const std::string kind(port.substr(0, port.find(':')));
                std::string what;
                if (kind == "pty")
                    what = "a PTY, which ignores parity and baud and has no break condition";
                else if (kind == "rfc2217")
                    // RFC 2217 could only say so out of band (NOTIFY-LINESTATE), see PROTOCOLS.md §7.5.
                    what = "an RFC 2217 server, which carries bytes; its line-state notification (NOTIFY-LINESTATE) "
                           "is not tied to any byte, and what a real access server forwards for a character with a "
                           "parity or framing error depends on its UART settings, so it would not be what a reader "
                           "on the wire gets";
                else if (kind == "tcp")
                    what = "a TCP socket, which carries bytes, not line conditions";
                else if (kind == "file")
                    what = "a file, which holds bytes, not line conditions";
                else
                    what = "standard output, which carries bytes, not line conditions";
                throw std::invalid_argument(who + rule.name + " needs a real serial port (serial:DEVICE); port '" +
                                            std::string(port) + "' is " + what);
            }
        }
    }
}

}  // namespace hansim::faults
