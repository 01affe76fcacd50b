#include "hansim/meter/timeline.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

namespace hansim::meter {

using namespace std::chrono;

const std::vector<event_kind_info>& event_kinds() {
    using enum event_duration;
    static const std::vector<event_kind_info> table{
        {event_kind::load, "load",
         "W | constant:W | phases:W1[:W2:W3] | ramp:FROM:TO:OVER | daily_curve[:BASE:PEAK] | solar[:BASE:PEAK:SOLAR_PEAK] | csv:FILE | profile",
         "total load from then on (W, or 3kW; negative: export); phases: each phase's own power; csv: per-phase series, linear interpolation", none},
        {event_kind::appliance, "appliance", "NAME:W", "adds W (negative: a generator) until NAME is set again", none},
        {event_kind::noise, "noise", "REL", "relative noise (0..1) of daily_curve/solar loads, from the seed", none},
        {event_kind::voltage, "voltage", "V", "the grid level in V (sag/swell; each phase keeps its ± spread); with `for` it comes back afterwards", optional},
        {event_kind::power_factor, "power_factor", "PF[:capacitive]", "load power factor 0..1; with `for` it comes back",
         optional},
        {event_kind::outage, "outage", "", "mains lost for `for`: no pushes, energy flat, the clock runs on", required},
        {event_kind::port_cut, "port_cut", "", "HAN/P1 port without power for `for`: the meter runs, the wire is silent",
         required},
        {event_kind::data_request, "data_request", "on | off", "P1 data-request line asserted or released", optional},
        {event_kind::clock_set, "clock_set", "ISO time", "the meter clock is set to that time", none},
        {event_kind::clock_jump, "clock_jump", "+DURATION | -DURATION", "the meter clock jumps", none},
        {event_kind::clock_drift, "clock_drift", "PPM", "the meter clock gains (+) or loses (-) PPM µs per second", none},
        {event_kind::clock_rule, "clock_rule", "cet_fixed | local_dst | utc", "the wall-clock (DST) rule changes", none},
        {event_kind::key_change, "key_change", "KEY_FILE", "the keys of KEY_FILE take over", none},
        {event_kind::counter_reset, "counter_reset", "[N]", "the invocation counter restarts at N (default: initial)",
         none},
        {event_kind::security, "security", "none | encrypt | authenticate | encrypt+authenticate",
         "ciphering switched on, off or changed", none},
        {event_kind::lists, "lists", "list1,list2,push1,p1 (comma separated)", "the pushed lists switch", none},
        {event_kind::list2_delay, "list2_delay", "0..5", "list 2 moves to xx:00:05 + 10 s * k", none},
        {event_kind::p1_period, "p1_period", "DURATION", "the P1 telegram period changes", none},
        {event_kind::firmware, "firmware",
         "KEY=VALUE,... of energy_resolution, current_resolution, voltage_resolution, date_time_form, "
         "single_phase_form, power_multiplier",
         "a remote firmware update changes the wire format", none},
    };
    return table;
}

const event_kind_info& info(event_kind kind) {
    for (const auto& row : event_kinds())
        if (row.kind == kind) return row;
    throw std::logic_error("event kind missing from the table");
}

const event_kind_info* find_event_kind(std::string_view name) {
    for (const auto& row : event_kinds())
        if (row.name == name) return &row;
    return nullptr;
}

bool changes_settings(event_kind kind) {
    switch (kind) {
        case event_kind::clock_rule:
        case event_kind::security:
        case event_kind::lists:
        case event_kind::list2_delay:
        case event_kind::p1_period:
        case event_kind::firmware: return true;
        default: return false;
    }
}

namespace {

[[noreturn]] void fail(const timeline_event& e, std::size_t index, const std::string& problem) {
    if (!e.origin_file.empty() || !e.origin_field.empty()) {
        std::string where = e.origin_file;
        if (e.origin_line > 0) where += ":" + std::to_string(e.origin_line);
        if (!where.empty()) where += ": ";
        throw std::invalid_argument(where + (e.origin_field.empty() ? "" : e.origin_field + ": ") + problem);
    }
    throw std::invalid_argument("events[" + std::to_string(index) + "] '" + e.text + "': " + problem);
}

}  // namespace

resolved_timeline::resolved_timeline(const timeline& events, time_point start)
    : owned_(std::make_shared<const timeline>(events)) {
    for (std::size_t i = 0; i < owned_->size(); ++i) {
        const timeline_event& e = (*owned_)[i];
        entry x{};
        x.event = &e;
        if (e.after_start) {
            if (*e.after_start < milliseconds(0)) fail(e, i, "the time is before the start of the run");
            x.at = start + *e.after_start;
        } else if (e.at) {
            x.at = *e.at;
        } else {
            fail(e, i, "no time given");
        }
        if (x.at < start) fail(e, i, "the time is before the start of the run (" + e.text + ")");
        const event_kind_info& row = info(e.kind);
        if (e.lasts) {
            if (row.duration == event_duration::none) fail(e, i, std::string(row.name) + " takes no duration (`for`)");
            if (*e.lasts <= milliseconds(0)) fail(e, i, "the duration (`for`) must be positive");
            x.until = x.at + *e.lasts;
        } else if (row.duration == event_duration::required) {
            fail(e, i, std::string(row.name) + " needs a duration (`for`, e.g. /20m)");
        }
        switch (e.kind) {
            case event_kind::noise:
                if (e.value < 0 || e.value > 1) fail(e, i, "noise must be within 0..1");
                break;
            case event_kind::voltage:
                if (!(e.value > 0) || e.value > 1000) fail(e, i, "voltage must be within 0..1000 V");
                break;
            case event_kind::power_factor:
                if (e.value < 0 || e.value > 1) fail(e, i, "power factor must be within 0..1");
                break;
            case event_kind::clock_drift:
                if (std::abs(e.value) > 100'000) fail(e, i, "drift must be within ±100000 ppm");
                break;
            case event_kind::load:
                if (e.load.type == load_source_type::ramp && e.load.over <= milliseconds(0))
                    fail(e, i, "a ramp needs a positive duration");
                if (e.load.type == load_source_type::csv && (!e.load.series || e.load.series->rows.empty()))
                    fail(e, i, "the CSV series is not loaded or empty");
                break;
            default: break;
        }
        entries_.push_back(x);
    }
    std::stable_sort(entries_.begin(), entries_.end(), [](const entry& a, const entry& b) { return a.at < b.at; });
    // A request released for good would leave a P1 meter silent forever (no frame to return).
    const entry* last_request = nullptr;
    for (const auto& x : entries_)
        if (x.event->kind == event_kind::data_request) last_request = &x;
    if (last_request && !last_request->event->flag && !last_request->until) {
        const auto index = static_cast<std::size_t>(last_request->event - owned_->data());
        fail(*last_request->event, index, "data_request=off needs `for` or a later data_request=on");
    }
    // Outages cannot overlap: a meter cannot lose power twice.
    std::optional<time_point> outage_end;
    const timeline_event* previous = nullptr;
    for (const auto& x : entries_) {
        if (x.event->kind != event_kind::outage) continue;
        if (outage_end && x.at < *outage_end) {
            const auto index = static_cast<std::size_t>(x.event - owned_->data());
            fail(*x.event, index, "overlaps the outage '" + previous->text + "'");
        }
        outage_end = x.until;
        previous = x.event;
    }
}

bool resolved_timeline::in_outage(time_point t) const {
    for (const auto& x : entries_) {
        if (x.at > t) break;
        if (x.event->kind == event_kind::outage && x.until && t < *x.until) return true;
    }
    return false;
}

bool resolved_timeline::port_cut(time_point t) const {
    for (const auto& x : entries_) {
        if (x.at > t) break;
        if (x.event->kind == event_kind::port_cut && x.until && t < *x.until) return true;
    }
    return false;
}

bool resolved_timeline::data_request(time_point t) const {
    const entry* x = latest(event_kind::data_request, t);
    return !x || x->event->flag;
}

const resolved_timeline::entry* resolved_timeline::latest(event_kind kind, time_point t) const {
    const entry* found = nullptr;
    for (const auto& x : entries_) {
        if (x.at > t) break;
        if (x.event->kind == kind) found = &x;
    }
    if (found && found->until && t >= *found->until) return nullptr;
    return found;
}

std::vector<const resolved_timeline::entry*> resolved_timeline::changes(std::optional<time_point> after,
                                                                       time_point up_to) const {
    const auto within = [&](time_point t) { return (!after || t > *after) && t <= up_to; };
    std::vector<const entry*> out;
    for (const auto& x : entries_)
        if (within(x.at) || (x.until && within(*x.until))) out.push_back(&x);
    return out;
}

std::vector<std::string> resolved_timeline::in_force(time_point t) const {
    // channel -> index of the latest event of that channel at or before t
    std::map<std::string, std::size_t> latest_of;
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        const auto& x = entries_[i];
        if (x.at > t) break;
        const event_kind k = x.event->kind;
        std::string channel(info(k).name);
        if (k == event_kind::appliance) channel += ":" + x.event->name;
        if (k == event_kind::clock_jump || k == event_kind::clock_set || k == event_kind::firmware)
            channel += "#" + std::to_string(i);
        latest_of[channel] = i;
    }
    for (const auto& [channel, i] : latest_of) order.push_back(i);
    std::sort(order.begin(), order.end());
    std::vector<std::string> out;
    for (std::size_t i : order) {
        const auto& x = entries_[i];
        if (x.until && t >= *x.until) continue;
        out.push_back(x.event->text);
    }
    return out;
}

}  // namespace hansim::meter
