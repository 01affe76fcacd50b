// The live view's state (http/live_view.hpp) without a server: frame points in engineering
// units, counts per outcome, the bounded history, the marks a frame's ground truth carries
// (faults, events in and out of force, silenced slots) and what listeners get.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hansim/http/live_view.hpp"

using namespace hansim;
using namespace std::chrono_literals;
using http::json;

namespace {

const meter::utc_ms t0{std::chrono::sys_days{std::chrono::year{2024} / 3 / 1}};

meter::push_frame frame(std::uint64_t sequence, std::vector<std::string> events = {}, std::string fault = {}) {
    meter::push_frame f;
    f.meter = "m";
    f.list = "list2";
    f.sequence = sequence;
    f.trigger_utc = t0 + 10s * static_cast<int>(sequence);
    f.start_offset = 250ms;
    f.values.active_import_w = 1234.56;
    f.values.active_export_w = 0;
    f.values.power_factor = 0.9567;
    const std::array<std::array<double, 3>, 3> phases{{{230.123, 2.3456, 500}, {231, 1.5, 400}, {229, 1.25, 334.56}}};
    for (std::size_t i = 0; i < 3; ++i) {
        f.values.phases[i].voltage_v = phases[i][0];
        f.values.phases[i].current_a = phases[i][1];
        f.values.phases[i].active_import_w = phases[i][2];
    }
    f.values.energy.active_import_mwh = 12'345'678'000;  // 12345.678 kWh
    f.events = std::move(events);
    f.fault = std::move(fault);
    if (!f.fault.empty()) f.effect.description = "what " + f.fault + " did";
    return f;
}

std::vector<std::string> kinds(const std::vector<http::mark>& marks) {
    std::vector<std::string> out;
    for (const auto& m : marks) out.push_back(m.kind + " " + m.text);
    return out;
}

}  // namespace

TEST(live_view, point_is_the_frame_in_engineering_units) {
    const auto point = http::make_point(frame(3), io::frame_outcome::overrun, 12.3456, 228);
    const auto j = http::point_json(point);
    EXPECT_EQ(j["sequence"], 3);
    EXPECT_EQ(j["list"], "list2");
    EXPECT_EQ(j["scheduled"], "2024-03-01T00:00:30Z");
    EXPECT_EQ(j["send"], "2024-03-01T00:00:30.250Z");
    EXPECT_EQ(j["outcome"], "overrun");
    EXPECT_DOUBLE_EQ(j["lateness_ms"].get<double>(), 12.346);
    EXPECT_EQ(j["bytes_written"], 228);
    EXPECT_DOUBLE_EQ(j["p_import_w"].get<double>(), 1234.6);
    EXPECT_DOUBLE_EQ(j["power_factor"].get<double>(), 0.957);
    EXPECT_EQ(j["u_v"], json({230.12, 231.0, 229.0}));
    EXPECT_EQ(j["i_a"], json({2.346, 1.5, 1.25}));
    EXPECT_EQ(j["p_phase_w"], json({500.0, 400.0, 334.6}));
    EXPECT_DOUBLE_EQ(j["a_import_kwh"].get<double>(), 12345.678);
    EXPECT_TRUE(j["fault"].is_null());
    EXPECT_EQ(j["events"], json::array());
    EXPECT_EQ(j["silenced_before"], 0);

    auto single = frame(0);
    single.values.wires = meter::wiring::single_phase;
    auto p = http::make_point(single);
    p.has_energy = false;  // a list without registers
    const auto s = http::point_json(p);
    EXPECT_EQ(s["u_v"].size(), 1u);
    EXPECT_TRUE(s["a_import_kwh"].is_null());
}

TEST(mark_tracker, marks_what_the_ground_truth_carries_at_the_frame) {
    http::mark_tracker tracker;
    EXPECT_TRUE(tracker.marks_for(http::make_point(frame(0))).empty());
    // An event comes into force; a fault in the same frame.
    auto marks = tracker.marks_for(http::make_point(frame(1, {"load=constant:2000@+10s"}, "bad_fcs")));
    EXPECT_EQ(kinds(marks), (std::vector<std::string>{"event load=constant:2000@+10s", "fault bad_fcs"}));
    // Without timeline changes (a record from before they were kept) at the frame's trigger;
    // the fault at the frame's send time.
    EXPECT_EQ(marks[0].utc_ms, (t0 + 10s).time_since_epoch().count());
    EXPECT_EQ(marks[1].utc_ms, (t0 + 10s + 250ms).time_since_epoch().count());
    EXPECT_EQ(marks[1].detail, "what bad_fcs did");
    // Still in force: no new mark. A second one joins.
    EXPECT_TRUE(tracker.marks_for(http::make_point(frame(2, {"load=constant:2000@+10s"}))).empty());
    marks = tracker.marks_for(http::make_point(frame(3, {"load=constant:2000@+10s", "voltage=200@+30s/15s"})));
    EXPECT_EQ(kinds(marks), (std::vector<std::string>{"event voltage=200@+30s/15s"}));
    // It ends; the port was cut before the next frame.
    auto after_cut = frame(4, {"load=constant:2000@+10s"});
    after_cut.silenced_before = 2;
    marks = tracker.marks_for(http::make_point(after_cut));
    EXPECT_EQ(kinds(marks), (std::vector<std::string>{"event_end voltage=200@+30s/15s", "silenced 2 push slots not carried"}));
    // Replaced by a later event of the same channel: one ends, the other starts.
    marks = tracker.marks_for(http::make_point(frame(5, {"load=constant:500@+50s"})));
    EXPECT_EQ(kinds(marks), (std::vector<std::string>{"event_end load=constant:2000@+10s", "event load=constant:500@+50s"}));
}

TEST(mark_tracker, marks_timeline_changes_at_their_exact_times_and_an_outage_as_a_span) {
    http::mark_tracker tracker;
    const auto ms = [](meter::utc_ms t) { return t.time_since_epoch().count(); };
    EXPECT_TRUE(tracker.marks_for(http::make_point(frame(0))).empty());
    // An event at +13s shows in the frame at +20s: marked at +13s, not at the frame.
    auto f = frame(2, {"load=constant:2000@+13s"}, "bad_fcs");
    f.timeline = {{"load=constant:2000@+13s", "load", t0 + 13s, std::nullopt}};
    auto marks = tracker.marks_for(http::make_point(f));
    EXPECT_EQ(kinds(marks), (std::vector<std::string>{"event load=constant:2000@+13s", "fault bad_fcs"}));
    EXPECT_EQ(marks[0].utc_ms, ms(t0 + 13s));
    EXPECT_FALSE(marks[0].until_ms);
    // An outage from +21s to +47s: no frame in it; the frame at +50s carries it: one span.
    f = frame(5, {"load=constant:2000@+13s"});
    f.timeline = {{"outage@+21s/26s", "outage", t0 + 21s, t0 + 47s}};
    marks = tracker.marks_for(http::make_point(f));
    ASSERT_EQ(kinds(marks), (std::vector<std::string>{"outage outage@+21s/26s"}));
    EXPECT_EQ(marks[0].utc_ms, ms(t0 + 21s));
    EXPECT_EQ(marks[0].until_ms, ms(t0 + 47s));
    const auto j = http::mark_json(marks[0]);
    EXPECT_EQ(j["utc"], "2024-03-01T00:00:21Z");
    EXPECT_EQ(j["until"], "2024-03-01T00:00:47Z");
    EXPECT_EQ(j["until_ms"], ms(t0 + 47s));
    // An event with `for` begins before one frame and ends before a later one: its end at
    // its exact time, and no second end when it leaves the frame's events.
    f = frame(6, {"load=constant:2000@+13s", "voltage=200@+55s/12s"});
    f.timeline = {{"voltage=200@+55s/12s", "voltage", t0 + 55s, t0 + 67s}};
    marks = tracker.marks_for(http::make_point(f));
    ASSERT_EQ(kinds(marks), (std::vector<std::string>{"event voltage=200@+55s/12s"}));
    EXPECT_EQ(marks[0].until_ms, ms(t0 + 67s));
    EXPECT_TRUE(tracker.marks_for(http::make_point(frame(6, {"load=constant:2000@+13s", "voltage=200@+55s/12s"}))).empty());
    f = frame(7, {"load=constant:2000@+13s"});
    f.timeline = {{"voltage=200@+55s/12s", "voltage", t0 + 55s, t0 + 67s}};
    marks = tracker.marks_for(http::make_point(f));
    ASSERT_EQ(kinds(marks), (std::vector<std::string>{"event_end voltage=200@+55s/12s"}));
    EXPECT_EQ(marks[0].utc_ms, ms(t0 + 67s));
    EXPECT_EQ(http::point_json(http::make_point(f))["timeline"],
              json::parse(R"([{"event":"voltage=200@+55s/12s","kind":"voltage","at":"2024-03-01T00:00:55Z","until":"2024-03-01T00:01:07Z"}])"));
}

TEST(live_view, keeps_a_bounded_history_and_counts_every_outcome) {
    http::live_view view(4, 3);
    const auto a = view.add_meter({"a", "kamstrup-no-3p", "pty /tmp/x", 12345678});
    const auto b = view.add_meter({"b", "kamstrup-p1", "file /tmp/y", 2});
    EXPECT_EQ(view.meter_count(), 2u);
    EXPECT_TRUE(view.meters_json()[a]["reader"].is_null());  // no frame yet
    for (std::uint64_t i = 0; i < 10; ++i)
        view.record(a, http::make_point(frame(i), i % 3 == 2 ? io::frame_outcome::no_listener : io::frame_outcome::sent,
                                        static_cast<double>(i)));
    view.record(b, http::make_point(frame(0)));

    const auto summary = view.meters_json()[a];
    EXPECT_EQ(summary["name"], "a");
    EXPECT_EQ(summary["serial"], 12345678);
    EXPECT_EQ(summary["counts"]["sent"], 7);
    EXPECT_EQ(summary["counts"]["no_listener"], 3);
    EXPECT_DOUBLE_EQ(summary["counts"]["max_lateness_ms"].get<double>(), 9);
    EXPECT_DOUBLE_EQ(summary["counts"]["mean_lateness_ms"].get<double>(), 4.5);
    EXPECT_EQ(summary["last"]["sequence"], 9);
    EXPECT_EQ(summary["reader"], true);  // frame 9 went to a reader

    const auto frames = view.frames_json(a, std::nullopt);
    ASSERT_EQ(frames.size(), 4u);  // the history bound
    EXPECT_EQ(frames.front()["sequence"], 6);
    EXPECT_EQ(view.frames_json(a, 7).size(), 2u);
    EXPECT_EQ(view.frames_json(a, 9).size(), 0u);
    EXPECT_EQ(view.meter_json(b)["frames"].size(), 1u);
    EXPECT_THROW(view.frames_json(2, std::nullopt), std::out_of_range);

    view.record(a, http::make_point(frame(10), io::frame_outcome::no_listener));
    EXPECT_EQ(view.meters_json()[a]["reader"], false);

    for (int i = 0; i < 5; ++i) view.add_mark(a, {i, "control", "c" + std::to_string(i), ""});
    const auto marks = view.meter_json(a)["marks"];
    ASSERT_EQ(marks.size(), 3u);  // the marks bound: the newest kept
    EXPECT_EQ(marks[0]["text"], "c2");
    EXPECT_FALSE(marks[0].contains("detail"));
}

TEST(live_view, listeners_get_frames_and_marks_only_while_someone_listens) {
    http::live_view view;
    const auto m = view.add_meter({"m", "", "", 0});
    std::vector<std::pair<std::string, json>> got;
    bool active = false;
    view.set_listener([&](std::size_t meter, const std::string& event, const std::string& text) {
        EXPECT_EQ(meter, m);
        got.emplace_back(event, json::parse(text));
    }, [&] { return active; });
    view.record(m, http::make_point(frame(0, {}, "bad_fcs")));
    EXPECT_TRUE(got.empty());
    active = true;
    view.record(m, http::make_point(frame(1, {"outage@+1h/1m"}, "truncated")));
    ASSERT_EQ(got.size(), 3u);  // the marks first, then the frame they belong to
    EXPECT_EQ(got[0].first, "mark");
    EXPECT_EQ(got[0].second["kind"], "event");
    EXPECT_EQ(got[0].second["meter"], "m");
    EXPECT_EQ(got[1].second["kind"], "fault");
    EXPECT_EQ(got[1].second["detail"], "what truncated did");
    EXPECT_EQ(got[2].first, "frame");
    EXPECT_EQ(got[2].second["events"], json({"outage@+1h/1m"}));
    EXPECT_EQ(got[2].second["index"], 0);
    // Marks made while nobody listened are still kept.
    EXPECT_EQ(view.meter_json(m)["marks"].size(), 3u);
}

TEST(live_view, frames_under_the_same_events_share_one_list) {
    http::live_view view(100);
    const auto m = view.add_meter({"m", "", "", 0});
    const std::vector<std::string> events{"load=constant:2000@+10s", "noise=0.1@+10s"};
    for (std::uint64_t i = 0; i < 50; ++i) view.record(m, http::make_point(frame(i, events)));
    const auto frames = view.frames_json(m, std::nullopt);
    ASSERT_EQ(frames.size(), 50u);
    for (const auto& f : frames) EXPECT_EQ(f["events"], json(events));
    EXPECT_EQ(view.meter_json(m)["marks"].size(), 2u);  // marked once, when they came into force
}
