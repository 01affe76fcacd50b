#include "hansim/scenario/live_control.hpp"

#include <algorithm>
#include <cctype>

#include "hansim/faults/catalogue.hpp"
#include "hansim/meter/live_source.hpp"
#include "hansim/scenario/event_spec.hpp"
#include "hansim/scenario/scenario.hpp"
#include "hansim/security/keys.hpp"

namespace hansim::scenario {

using namespace std::chrono;

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

meter::live_source& live_side(meter::push_source& source) {
    meter::live_source* live = source.live();
    if (!live) throw live_error("this meter was started without live control (its source takes no changes)");
    return *live;
}

// The settings in force at `t`: the last settings event's configuration at or before it.
const meter::meter_config& config_in_force(const meter::meter_config& config, utc_ms t) {
    const meter::meter_config* found = &config;
    utc_ms latest = utc_ms::min();
    for (const auto& e : config.events) {
        if (!meter::changes_settings(e.kind) || !e.config_after) continue;
        const utc_ms at = e.at ? *e.at : config.start + e.after_start.value_or(milliseconds(0));
        if (at <= t && at >= latest) found = e.config_after.get(), latest = at;
    }
    return *found;
}

}  // namespace

std::string describe(const live_request& request) {
    return std::string(request.kind == live_kind::event ? "event" : "fault") + " '" + request.text + "'";
}

live_meter::live_meter(meter::meter_config config, std::string port, std::optional<utc_ms> end)
    : config_(std::move(config)), port_(std::move(port)), end_(end) {}

live_result live_meter::apply(const live_request& request, meter::push_source& source, utc_ms now) {
    // The meter's time reached the end of the run: nothing more will be sent, whatever the
    // change's time (the session stops the run a moment later).
    if (end_ && now >= *end_) throw live_error(describe(request) + ": the run has ended (its duration was reached)");
    return request.kind == live_kind::event ? apply_event(request.text, source, now)
                                            : apply_fault(request.text, source, now);
}

live_result live_meter::apply_event(std::string_view text, meter::push_source& source, utc_ms now) {
    meter::live_source& live = live_side(source);
    const std::string given(trim(text));
    auto fail = [&](const std::string& problem) -> live_error { return live_error("event '" + given + "': " + problem); };
    if (given.empty()) throw fail("expected KIND[=ARGS][@WHEN[/FOR]], e.g. load=3kW or outage@now/20m");

    const utc_ms earliest = live.earliest_change();
    const utc_ms base = std::max(now, earliest);
    std::string_view head = given;
    std::string_view when = "now";
    std::optional<std::string_view> lasts;
    if (const auto at = std::string_view(given).rfind('@'); at != std::string_view::npos) {
        head = std::string_view(given).substr(0, at);
        when = std::string_view(given).substr(at + 1);
        if (const auto slash = when.find('/'); slash != std::string_view::npos) {
            lasts = when.substr(slash + 1);
            when = when.substr(0, slash);
        }
        when = trim(when);
    }
    utc_ms at = base;
    if (when == "now") {
        at = base;
    } else if (!when.empty() && when.front() == '+') {
        try {
            at = std::max(now + parse_duration(when), earliest);
        } catch (const std::invalid_argument&) {
            throw fail("at: expected now, +DURATION after the meter's time now or an ISO 8601 time, got '" +
                       std::string(when) + "'");
        }
    } else if (!when.empty() && when.front() == '-') {
        throw fail("at: '" + std::string(when) + "' is before the meter's time now (" + format_utc_time(now) +
                   "); a live event happens now or later");
    } else {
        try {
            at = parse_utc_time(when);
        } catch (const std::invalid_argument&) {
            throw fail("at: expected now, +DURATION after the meter's time now or an ISO 8601 time, got '" +
                       std::string(when) + "'");
        }
        if (at < now)
            throw fail("at: " + format_utc_time(at) + " is before the meter's time now (" + format_utc_time(now) + ")");
        at = std::max(at, earliest);
    }
    if (end_ && at >= *end_)
        throw fail("at: " + format_utc_time(at) + " is after the end of the run (" + format_utc_time(*end_) + ")");

    std::string spec(head);
    spec += "@" + format_utc_time(at);
    if (lasts) spec += "/" + std::string(*lasts);
    meter::timeline_event event;
    try {
        event = parse_event_spec(spec);
        load_event_files(event, {});
        if (event.kind == meter::event_kind::key_change) event.keys = security::load_key_file(event.key_file).keys;
    } catch (const std::exception& e) {
        throw fail(e.what());
    }

    meter::meter_config candidate = config_;
    candidate.events.push_back(std::move(event));
    try {
        resolve_event_settings(candidate);
        check_events(candidate, std::nullopt);
        live.set_events(candidate.events);
    } catch (const std::invalid_argument& e) {
        throw fail(e.what());
    }
    live_result result;
    result.ok = true;
    result.applied = candidate.events.back().text;
    result.meter_now = now;
    result.at = at;
    config_ = std::move(candidate);
    return result;
}

live_result live_meter::apply_fault(std::string_view text, meter::push_source& source, utc_ms now) {
    meter::live_source& live = live_side(source);
    const std::string given(trim(text));
    if (given.empty()) throw live_error("fault '': expected NAME[:PARAM=VALUE]...[@SELECTION], e.g. bad_fcs@next");
    const std::uint64_t next = live.next_sequence();

    meter::fault_plan rules;
    std::vector<std::string> entries;  // as written, for messages
    std::size_t from = 0;
    for (;;) {
        const std::size_t comma = given.find(',', from);
        const std::string entry(trim(std::string_view(given).substr(from, comma == std::string::npos ? std::string::npos : comma - from)));
        auto fail = [&](const std::string& problem) -> live_error { return live_error("fault '" + entry + "': " + problem); };
        if (entry.empty()) throw live_error("fault '" + given + "': empty rule (two commas or a trailing comma)");
        const auto at = entry.rfind('@');
        const std::string head = entry.substr(0, at);
        std::string selection = at == std::string::npos ? std::string("next") : entry.substr(at + 1);
        std::optional<std::uint64_t> count;
        if (selection == "next") {
            count = 1;
        } else if (selection.rfind("next:", 0) == 0) {
            const std::string k = selection.substr(5);
            const bool digits = !k.empty() && k.size() <= 9 && std::all_of(k.begin(), k.end(), [](char c) { return c >= '0' && c <= '9'; });
            if (!digits || std::stoull(k) == 0) throw fail("next:K: expected K a whole number 1..999999999, got '" + k + "'");
            count = std::stoull(k);
        } else if (selection.rfind("time:", 0) == 0) {  // +DURATION counts from the meter's time now
            std::string rewritten = "time:";
            const std::string window = selection.substr(5);
            const auto dots = window.find("..");
            const std::string parts[2] = {window.substr(0, dots), dots == std::string::npos ? "" : window.substr(dots + 2)};
            for (int i = 0; i < (dots == std::string::npos ? 1 : 2); ++i) {
                const std::string& p = parts[i];
                if (i == 1) rewritten += "..";
                if (!p.empty() && p.front() == '-')
                    throw fail("time: '" + p + "' is before the meter's time now (" + format_utc_time(now) + ")");
                if (!p.empty() && p.front() == '+') {
                    try {
                        rewritten += format_utc_time(now + parse_duration(p));
                    } catch (const std::invalid_argument&) {
                        throw fail("time: expected +DURATION after the meter's time now or an ISO 8601 time, got '" + p + "'");
                    }
                } else {
                    rewritten += p;
                }
            }
            selection = rewritten;
        }
        const std::string rule_text = head + "@" + (count ? std::string("0") : selection);
        meter::fault_plan one;
        try {
            one = faults::parse_fault_plan(rule_text);
        } catch (const std::invalid_argument& e) {
            std::string problem = e.what();
            const std::string prefix = "fault 1 '" + rule_text + "': ";
            if (problem.rfind(prefix, 0) == 0) problem = problem.substr(prefix.size());
            throw fail(problem);
        }
        meter::fault_rule rule = one.front();
        if (count) {
            rule.selection = *count == 1 ? meter::frame_selection::single : meter::frame_selection::range;
            rule.first = next;
            rule.last = next + *count - 1;
        } else if (rule.selection == meter::frame_selection::single && rule.first < next) {
            throw fail("push " + std::to_string(rule.first) + " was already built; the next push is " +
                       std::to_string(next) + " (@next selects it)");
        } else if (rule.selection == meter::frame_selection::range && rule.last < next) {
            throw fail("pushes " + std::to_string(rule.first) + "-" + std::to_string(rule.last) +
                       " were already built; the next push is " + std::to_string(next));
        }
        rules.push_back(std::move(rule));
        entries.push_back(entry);
        if (comma == std::string::npos) break;
        from = comma + 1;
    }

    // Each rule checked alone against the meter as it is now, named as the user wrote it.
    const meter::meter_config& in_force = config_in_force(config_, std::max(now, live.earliest_change()));
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const meter::fault_plan one{rules[i]};
        try {
            faults::check_applicable(one, in_force, port_);
            meter::validate(one, in_force.security);
        } catch (const std::invalid_argument& e) {
            std::string problem = e.what();
            const std::string prefix = "fault 1 '" + meter::to_string(rules[i]) + "': ";
            if (problem.rfind(prefix, 0) == 0) problem = problem.substr(prefix.size());
            throw live_error("fault '" + entries[i] + "': " + problem);
        }
    }
    try {
        live.add_faults(rules);
    } catch (const std::invalid_argument& e) {
        throw live_error("fault '" + given + "': " + e.what());
    }
    live_result result;
    result.ok = true;
    result.applied = meter::to_string(rules);
    result.meter_now = now;
    result.at = now;
    return result;
}

std::string live_help() {
    return "live changes: an event KIND[=ARGS][@now|@+DURATION|@ISO[/FOR]] (as --event; + counts from the "
           "meter's time now, no @ means now) or a fault NAME[:PARAM=VALUE]...[@next|@next:K|@N|@A-B|@every:K|"
           "@rate:P|@time:T[..T2]] (as --faults; no @ means the next push)";
}

}  // namespace hansim::scenario
