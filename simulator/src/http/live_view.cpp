#include "hansim/http/live_view.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "hansim/http/web_assets.hpp"

namespace hansim::http {

namespace {

std::string iso_utc(std::int64_t ms) {
    using namespace std::chrono;
    const sys_time<milliseconds> t{milliseconds(ms)};
    const auto day = floor<days>(t);
    const year_month_day ymd{day};
    const hh_mm_ss hms{t - day};
    char text[40];
    const auto millis = static_cast<int>(hms.subseconds().count());
    if (millis != 0)
        std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                      static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                      static_cast<int>(hms.seconds().count()), millis);
    else
        std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                      static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                      static_cast<int>(hms.seconds().count()));
    return text;
}

/// Floats to JSON with a sensible number of digits (the page shows engineering units).
double rounded(double value, double unit) {
    const double scale = std::round(1 / unit);  // divide last: 227.45, not 227.45000000000002
    return std::round(value * scale) / scale;
}

constexpr std::array outcomes{io::frame_outcome::sent,    io::frame_outcome::no_listener,
                              io::frame_outcome::not_requested, io::frame_outcome::aborted,
                              io::frame_outcome::overrun, io::frame_outcome::port_unavailable,
                              io::frame_outcome::truncated};

}  // namespace

frame_point make_point(const meter::push_frame& frame, io::frame_outcome outcome, double lateness_ms,
                       std::size_t bytes_written) {
    frame_point p;
    p.sequence = frame.sequence;
    p.scheduled_ms = frame.trigger_utc.time_since_epoch().count();
    p.send_ms = frame.send_utc().time_since_epoch().count();
    p.list = frame.list;
    p.outcome = outcome;
    p.lateness_ms = static_cast<float>(lateness_ms);
    p.bytes_written = static_cast<std::uint32_t>(bytes_written);
    p.invocation_counter = frame.invocation_counter;
    p.fault = frame.fault;
    p.fault_detail = frame.effect.description;
    if (!frame.events.empty()) p.events = std::make_shared<const std::vector<std::string>>(frame.events);
    p.silenced_before = frame.silenced_before;
    if (!frame.timeline.empty()) p.timeline = std::make_shared<const std::vector<meter::timeline_change>>(frame.timeline);
    const auto& v = frame.values;
    p.active_import_w = static_cast<float>(v.active_import_w);
    p.active_export_w = static_cast<float>(v.active_export_w);
    p.reactive_import_var = static_cast<float>(v.reactive_import_var);
    p.reactive_export_var = static_cast<float>(v.reactive_export_var);
    p.power_factor = static_cast<float>(v.power_factor);
    for (std::size_t i = 0; i < 3; ++i) {
        p.voltage_v[i] = static_cast<float>(v.phases[i].voltage_v);
        p.current_a[i] = static_cast<float>(v.phases[i].current_a);
        p.phase_power_w[i] = static_cast<float>(v.phases[i].active_import_w - v.phases[i].active_export_w);
    }
    p.energy_import_mwh = v.energy.active_import_mwh;
    p.energy_export_mwh = v.energy.active_export_mwh;
    p.reactive_import_mvarh = v.energy.reactive_import_mvarh;
    p.reactive_export_mvarh = v.energy.reactive_export_mvarh;
    p.clock = v.clock.to_iso8601();
    p.single_phase = v.wires == meter::wiring::single_phase;
    return p;
}

namespace {

/// A meter's index and who it is, as the API's summaries and the report's meters start.
json identity_json(std::size_t index, const meter_info& info) {
    json j;
    j["index"] = index;
    j["name"] = info.name;
    j["profile"] = info.profile;
    j["serial"] = info.serial;
    j["port"] = info.port;
    return j;
}

}  // namespace

json point_json(const frame_point& p) {
    json j;
    j["sequence"] = p.sequence;
    j["list"] = p.list;
    j["scheduled"] = iso_utc(p.scheduled_ms);
    j["send"] = iso_utc(p.send_ms);
    j["send_ms"] = p.send_ms;
    j["outcome"] = io::outcome_name(p.outcome);
    j["lateness_ms"] = rounded(p.lateness_ms, 0.001);
    j["bytes_written"] = p.bytes_written;
    j["invocation_counter"] = p.invocation_counter ? json(*p.invocation_counter) : json(nullptr);
    j["fault"] = p.fault.empty() ? json(nullptr) : json(p.fault);
    j["events"] = p.events ? json(*p.events) : json::array();
    j["silenced_before"] = p.silenced_before;
    if (p.timeline) {
        json changes = json::array();
        for (const auto& c : *p.timeline) {
            json change{{"event", c.text}, {"kind", c.kind}, {"at", iso_utc(c.at.time_since_epoch().count())}};
            if (c.until) change["until"] = iso_utc(c.until->time_since_epoch().count());
            changes.push_back(std::move(change));
        }
        j["timeline"] = std::move(changes);
    }
    j["clock"] = p.clock;
    j["p_import_w"] = rounded(p.active_import_w, 0.1);
    j["p_export_w"] = rounded(p.active_export_w, 0.1);
    j["q_import_var"] = rounded(p.reactive_import_var, 0.1);
    j["q_export_var"] = rounded(p.reactive_export_var, 0.1);
    j["power_factor"] = rounded(p.power_factor, 0.001);
    const std::size_t phases = p.single_phase ? 1 : 3;
    json u = json::array(), i = json::array(), pw = json::array();
    for (std::size_t k = 0; k < phases; ++k) {
        u.push_back(rounded(p.voltage_v[k], 0.01));
        i.push_back(rounded(p.current_a[k], 0.001));
        pw.push_back(rounded(p.phase_power_w[k], 0.1));
    }
    j["u_v"] = std::move(u);
    j["i_a"] = std::move(i);
    j["p_phase_w"] = std::move(pw);
    const auto energy = [&](std::int64_t mwh) { return p.has_energy ? json(static_cast<double>(mwh) / 1e6) : json(nullptr); };
    j["a_import_kwh"] = energy(p.energy_import_mwh);
    j["a_export_kwh"] = energy(p.energy_export_mwh);
    j["r_import_kvarh"] = energy(p.reactive_import_mvarh);
    j["r_export_kvarh"] = energy(p.reactive_export_mvarh);
    return j;
}

json mark_json(const mark& m) {
    json j{{"utc", iso_utc(m.utc_ms)}, {"utc_ms", m.utc_ms}, {"kind", m.kind}, {"text", m.text}};
    if (!m.detail.empty()) j["detail"] = m.detail;
    if (m.until_ms) {
        j["until"] = iso_utc(*m.until_ms);
        j["until_ms"] = *m.until_ms;
    }
    return j;
}

std::vector<mark> mark_tracker::marks_for(const frame_point& point) {
    std::vector<mark> marks;
    const auto at = point.send_ms;
    static const std::vector<std::string> none;
    const auto& events = point.events ? *point.events : none;
    if (point.silenced_before != 0)
        marks.push_back({at, "silenced", std::to_string(point.silenced_before) + " push slot" +
                                             (point.silenced_before == 1 ? "" : "s") + " not carried",
                         "the port was cut or the P1 data request released before this frame", std::nullopt});
    const auto has = [](const std::vector<std::string>& list, const std::string& text) {
        return std::find(list.begin(), list.end(), text) != list.end();
    };
    // Exact times from the timeline: what began or ended since the previous frame's trigger.
    const auto within = [&](std::int64_t t) { return (!previous_ms_ || t > *previous_ms_) && t <= point.scheduled_ms; };
    std::vector<std::string> ran_out;  // events whose `for` ended here: no second end mark
    if (point.timeline) {
        for (const auto& c : *point.timeline) {
            const std::int64_t begin = c.at.time_since_epoch().count();
            const std::optional<std::int64_t> end =
                c.until ? std::optional<std::int64_t>(c.until->time_since_epoch().count()) : std::nullopt;
            if (!has(exact_, c.text)) exact_.push_back(c.text);
            if (c.kind == "outage") {
                marks.push_back({begin, "outage", c.text, "the meter was off: no pushes were made", end});
                continue;
            }
            if (within(begin)) marks.push_back({begin, "event", c.text, end ? "in force for its duration" : "in force from here", end});
            if (end && within(*end)) {
                marks.push_back({*end, "event_end", c.text, "its duration ran out", std::nullopt});
                ran_out.push_back(c.text);
            }
        }
    }
    for (const auto& was : in_force_)
        if (!has(events, was) && !has(ran_out, was))
            marks.push_back({point.scheduled_ms, "event_end", was, "no longer in force at this push (replaced)", std::nullopt});
    for (const auto& now : events)
        if (!has(in_force_, now) && !has(exact_, now))
            marks.push_back({point.scheduled_ms, "event", now, "in force from this push", std::nullopt});
    in_force_ = events;
    previous_ms_ = point.scheduled_ms;
    // In time order: what happened between the frames, then what the frame itself carries.
    std::stable_sort(marks.begin(), marks.end(), [](const mark& a, const mark& b) { return a.utc_ms < b.utc_ms; });
    if (!point.fault.empty()) marks.push_back({at, "fault", point.fault, point.fault_detail, std::nullopt});
    return marks;
}

void outcome_counts::add(const frame_point& point) {
    ++by_outcome.at(static_cast<std::size_t>(point.outcome));
    ++frames;
    max_lateness_ms = std::max(max_lateness_ms, static_cast<double>(point.lateness_ms));
    total_lateness_ms += point.lateness_ms;
}

json outcome_counts::to_json() const {
    json j;
    for (const auto outcome : outcomes) j[std::string(io::outcome_name(outcome))] = by_outcome[static_cast<std::size_t>(outcome)];
    j["max_lateness_ms"] = rounded(max_lateness_ms, 0.001);
    j["mean_lateness_ms"] = frames ? rounded(total_lateness_ms / static_cast<double>(frames), 0.001) : 0.0;
    return j;
}

// ---- live view --------------------------------------------------------------------------

live_view::live_view(std::size_t history, std::size_t marks_kept) : history_(std::max<std::size_t>(history, 1)), marks_kept_(marks_kept) {}

std::size_t live_view::add_meter(meter_info info) {
    meters_.push_back({std::move(info), {}, {}, {}, {}});
    return meters_.size() - 1;
}

void live_view::record(std::size_t meter, const frame_point& point) {
    auto& state = meters_.at(meter);
    state.counts.add(point);
    if (state.frames.size() == history_) state.frames.pop_front();
    state.frames.push_back(point);
    // Frames under the same events share one list.
    if (state.frames.size() >= 2) {
        auto& kept = state.frames.back().events;
        const auto& before = state.frames[state.frames.size() - 2].events;
        if (kept && before && kept != before && *kept == *before) kept = before;
    }
    for (auto& m : state.tracker.marks_for(point)) add_mark(meter, std::move(m));
    if (listening()) {
        auto j = point_json(point);
        j["meter"] = state.info.name;
        j["index"] = meter;
        listener_(meter, "frame", report::dump(j));
    }
}

void live_view::add_mark(std::size_t meter, mark m) {
    auto& state = meters_.at(meter);
    if (state.marks.size() == marks_kept_ && !state.marks.empty()) state.marks.pop_front();
    if (marks_kept_ != 0) state.marks.push_back(m);
    if (listening()) {
        auto j = mark_json(m);
        j["meter"] = state.info.name;
        j["index"] = meter;
        listener_(meter, "mark", report::dump(j));
    }
}

json live_view::summary_json(std::size_t index) const {
    const auto& state = meters_.at(index);
    json j = identity_json(index, state.info);
    // A port's reader is seen at frame start: the last frame says whether one was there.
    if (state.frames.empty()) j["reader"] = nullptr;
    else j["reader"] = state.frames.back().outcome != io::frame_outcome::no_listener;
    j["counts"] = state.counts.to_json();
    j["last"] = state.frames.empty() ? json(nullptr) : point_json(state.frames.back());
    return j;
}

json live_view::meters_json() const {
    json list = json::array();
    for (std::size_t i = 0; i < meters_.size(); ++i) list.push_back(summary_json(i));
    return list;
}

json live_view::meter_json(std::size_t meter) const {
    auto j = summary_json(meter);
    j["frames"] = frames_json(meter, std::nullopt);
    json marks = json::array();
    for (const auto& m : meters_.at(meter).marks) marks.push_back(mark_json(m));
    j["marks"] = std::move(marks);
    return j;
}

json live_view::frames_json(std::size_t meter, std::optional<std::uint64_t> since) const {
    json list = json::array();
    for (const auto& point : meters_.at(meter).frames)
        if (!since || point.sequence > *since) list.push_back(point_json(point));
    return list;
}

// ---- report -----------------------------------------------------------------------------

report_builder::report_builder(std::size_t buckets, std::size_t marks_kept)
    : max_buckets_(std::max<std::size_t>(buckets, 2) & ~std::size_t{1}), marks_kept_(marks_kept) {}

std::size_t report_builder::add_meter(meter_info info) {
    meter_state state;
    state.info = std::move(info);
    meters_.push_back(std::move(state));
    return meters_.size() - 1;
}

void report_builder::merge(meter_state& s) {
    std::vector<bucket> merged;
    merged.reserve(max_buckets_);
    for (std::size_t i = 0; i < s.buckets.size(); i += 2) {
        bucket b = s.buckets[i];
        if (i + 1 < s.buckets.size()) {
            const auto& o = s.buckets[i + 1];
            if (b.frames == 0) {
                const auto start = b.start_ms;
                b = o;
                b.start_ms = start;
            } else if (o.frames != 0) {
                b.frames += o.frames;
                b.lost += o.lost;
                if (o.p_count) {
                    b.p_min = b.p_count ? std::min(b.p_min, o.p_min) : o.p_min;
                    b.p_max = b.p_count ? std::max(b.p_max, o.p_max) : o.p_max;
                }
                b.p_sum += o.p_sum;
                b.p_count += o.p_count;
                b.late_max = std::max(b.late_max, o.late_max);
                b.late_sum += o.late_sum;
                if (o.has_energy) {
                    b.has_energy = true;
                    b.energy_import_mwh = o.energy_import_mwh;
                    b.energy_export_mwh = o.energy_export_mwh;
                }
            }
        }
        merged.push_back(b);
    }
    s.buckets = std::move(merged);
    s.width_ms *= 2;
}

void report_builder::add(std::size_t meter, const frame_point& point) {
    auto& s = meters_.at(meter);
    s.counts.add(point);
    s.last = point;
    for (auto& m : s.tracker.marks_for(point)) add_mark(meter, std::move(m));
    if (point.outcome != io::frame_outcome::sent)
        add_mark(meter, {point.send_ms, "lost", std::string(io::outcome_name(point.outcome)), "", std::nullopt});
    if (s.buckets.empty()) {
        s.origin_ms = point.send_ms;
        s.width_ms = 1000;
    }
    const auto offset = std::max<std::int64_t>(point.send_ms - s.origin_ms, 0);
    while (offset / s.width_ms >= static_cast<std::int64_t>(max_buckets_)) merge(s);
    const auto index = static_cast<std::size_t>(offset / s.width_ms);
    while (s.buckets.size() <= index) {
        bucket b;
        b.start_ms = s.origin_ms + static_cast<std::int64_t>(s.buckets.size()) * s.width_ms;
        s.buckets.push_back(b);
    }
    auto& b = s.buckets[index];
    const float p = point.active_import_w - point.active_export_w;
    // List 2 and P1 carry energies; every list here carries power (list 1 only P+).
    b.p_min = b.p_count ? std::min(b.p_min, p) : p;
    b.p_max = b.p_count ? std::max(b.p_max, p) : p;
    b.p_sum += p;
    ++b.p_count;
    ++b.frames;
    if (point.outcome != io::frame_outcome::sent) ++b.lost;
    b.late_max = std::max(b.late_max, point.lateness_ms);
    b.late_sum += point.lateness_ms;
    if (point.has_energy) {
        b.has_energy = true;
        b.energy_import_mwh = point.energy_import_mwh;
        b.energy_export_mwh = point.energy_export_mwh;
    }
}

void report_builder::add_mark(std::size_t meter, mark m) {
    auto& s = meters_.at(meter);
    if (s.marks.size() < marks_kept_) s.marks.push_back(std::move(m));
    else ++s.marks_dropped;
}

json report_builder::to_json(const std::string& title) const {
    json j;
    j["generated_by"] = "hansim";
    j["title"] = title;
    json meters = json::array();
    for (std::size_t i = 0; i < meters_.size(); ++i) {
        const auto& s = meters_[i];
        json m = identity_json(i, s.info);
        m["counts"] = s.counts.to_json();
        m["last"] = s.last ? point_json(*s.last) : json(nullptr);
        m["bucket_ms"] = s.width_ms;
        json series = json::array();
        for (const auto& b : s.buckets) {
            if (b.frames == 0) continue;
            series.push_back(json{{"t", b.start_ms},
                                  {"frames", b.frames},
                                  {"lost", b.lost},
                                  {"p", b.p_count ? rounded(b.p_sum / b.p_count, 0.1) : 0.0},
                                  {"p_min", rounded(b.p_min, 0.1)},
                                  {"p_max", rounded(b.p_max, 0.1)},
                                  {"late_max", rounded(b.late_max, 0.001)},
                                  {"late", rounded(b.late_sum / b.frames, 0.001)},
                                  {"a_import_kwh", b.has_energy ? json(static_cast<double>(b.energy_import_mwh) / 1e6) : json(nullptr)},
                                  {"a_export_kwh", b.has_energy ? json(static_cast<double>(b.energy_export_mwh) / 1e6) : json(nullptr)}});
        }
        m["series"] = std::move(series);
        json marks = json::array();
        for (const auto& mk : s.marks) marks.push_back(mark_json(mk));
        m["marks"] = std::move(marks);
        m["marks_dropped"] = s.marks_dropped;
        meters.push_back(std::move(m));
    }
    j["meters"] = std::move(meters);
    return j;
}

// ---- the page ---------------------------------------------------------------------------

std::string_view page_script() { return detail::web_app_js; }
std::string_view page_style() { return detail::web_app_css; }

std::string page_html(const json* report) {
    std::string html = detail::web_index_html;
    if (report == nullptr) return html;
    // One file: the style and script inline, the data as JSON that cannot close its element.
    auto data = report::dump(*report);
    std::string safe;
    safe.reserve(data.size());
    for (const char c : data) {
        if (c == '<') safe += "\\u003c";
        else safe += c;
    }
    const auto replace = [&](std::string_view what, const std::string& with) {
        const auto at = html.find(what);
        if (at != std::string::npos) html.replace(at, what.size(), with);
    };
    replace("<link rel=\"stylesheet\" href=\"app.css\">", "<style>\n" + std::string(detail::web_app_css) + "</style>");
    replace("<script src=\"app.js\"></script>",
            "<script id=\"hansim-report\" type=\"application/json\">" + safe + "</script>\n<script>\n" +
                std::string(detail::web_app_js) + "</script>");
    return html;
}

}  // namespace hansim::http
