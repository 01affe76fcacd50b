// The offline report (http/live_view.hpp report_builder, http/record_reader.hpp): a whole run
// in a bounded number of time buckets that merge as the run grows, its marks, and the records
// `hansim report` reads (JSON lines, captures) with their errors named.
#include <gtest/gtest.h>

#include <cmath>

#include "hansim/capture/capture_file.hpp"
#include "hansim/http/record_reader.hpp"
#include "test_data.hpp"

using namespace hansim;
using namespace std::chrono_literals;
using http::json;

namespace {

constexpr std::int64_t start_ms = 1'709'251'200'000;  // 2024-03-01T00:00:00Z

http::frame_point point(std::int64_t at_ms, float watts, std::int64_t energy_mwh,
                        io::frame_outcome outcome = io::frame_outcome::sent) {
    http::frame_point p;
    p.send_ms = p.scheduled_ms = at_ms;
    p.active_import_w = watts;
    p.energy_import_mwh = energy_mwh;
    p.outcome = outcome;
    p.lateness_ms = watts / 1000;
    return p;
}

std::uint64_t frames_in(const json& series) {
    std::uint64_t n = 0;
    for (const auto& b : series) n += b["frames"].get<std::uint64_t>();
    return n;
}

}  // namespace

TEST(report_builder, a_day_fits_its_buckets_and_keeps_every_frame) {
    http::report_builder report(100);
    const auto m = report.add_meter({"m", "kamstrup-no-3p", "generated", 1});
    std::uint64_t frames = 0;
    for (std::int64_t t = 0; t < 86'400'000; t += 10'000, ++frames)  // a list 1 every 10 s
        report.add(m, point(start_ms + t, static_cast<float>(1000 + (t / 3'600'000) * 100), t));
    const auto j = report.to_json("day")["meters"][0];
    EXPECT_EQ(j["counts"]["sent"], frames);
    EXPECT_EQ(frames_in(j["series"]), frames);
    EXPECT_LE(j["series"].size(), 100u);
    EXPECT_GE(j["series"].size(), 50u);  // merged pairwise: never below half
    const auto width = j["bucket_ms"].get<std::int64_t>();
    EXPECT_EQ(width % 1000, 0);
    EXPECT_GE(width * 100, 86'400'000);
    std::int64_t previous = -1;
    for (const auto& b : j["series"]) {
        const auto t = b["t"].get<std::int64_t>();
        EXPECT_EQ((t - start_ms) % width, 0) << "buckets start on the grid";
        EXPECT_GT(t, previous);
        previous = t;
        EXPECT_LE(b["p_min"].get<double>(), b["p"].get<double>());
        EXPECT_LE(b["p"].get<double>(), b["p_max"].get<double>());
        EXPECT_GE(b["late_max"].get<double>(), b["late"].get<double>());
        // The energy of a bucket is its last frame's: the last one before the next bucket.
        const double last_t = std::floor(static_cast<double>(t - start_ms + width - 1) / 10'000) * 10'000;
        EXPECT_DOUBLE_EQ(b["a_import_kwh"].get<double>(), std::min(last_t, 86'390'000.0) / 1e6);
    }
    EXPECT_DOUBLE_EQ(j["series"].front()["p_min"].get<double>(), 1000);
    EXPECT_DOUBLE_EQ(j["series"].back()["p_max"].get<double>(), 3300);
}

TEST(report_builder, lost_frames_faults_and_events_are_marked_and_marks_are_bounded) {
    http::report_builder report(20, 3);
    const auto m = report.add_meter({"m", "", "", 0});
    auto p = point(start_ms, 100, 0);
    p.fault = "bad_fcs";
    p.fault_detail = "FCS low byte XOR 0xFF";
    p.events = std::make_shared<const std::vector<std::string>>(std::vector<std::string>{"voltage=207@+0s/20s"});
    report.add(m, p);
    report.add(m, point(start_ms + 10'000, 100, 0, io::frame_outcome::no_listener));  // the event ended; lost
    report.add(m, point(start_ms + 20'000, 100, 0));
    report.add(m, point(start_ms + 30'000, 100, 0, io::frame_outcome::overrun));
    const auto j = report.to_json("t")["meters"][0];
    ASSERT_EQ(j["marks"].size(), 3u);
    EXPECT_EQ(j["marks_dropped"], 2);  // the two lost frames' marks
    EXPECT_EQ(j["marks"][0]["kind"], "event");
    EXPECT_EQ(j["marks"][1]["kind"], "fault");
    EXPECT_EQ(j["marks"][1]["detail"], "FCS low byte XOR 0xFF");
    EXPECT_EQ(j["marks"][2]["kind"], "event_end");
    EXPECT_EQ(j["marks"][2]["utc_ms"], start_ms + 10'000);
    EXPECT_EQ(j["counts"]["sent"], 2);
    std::uint64_t lost = 0;
    for (const auto& b : j["series"]) lost += b["lost"].get<std::uint64_t>();
    EXPECT_EQ(lost, 2u);

    // A meter without frames is still listed.
    const auto empty = report.add_meter({"quiet", "", "", 0});
    const auto q = report.to_json("t")["meters"][empty];
    EXPECT_TRUE(q["last"].is_null());
    EXPECT_TRUE(q["series"].empty());
}

TEST(report_builder, page_embeds_the_data_so_it_cannot_close_its_script) {
    http::report_builder report;
    const auto m = report.add_meter({"</script><script>alert(1)</script>", "", "", 0});
    auto p = point(start_ms, 1, 0);
    p.fault = std::string("bad \xff utf-8");  // invalid UTF-8 from a capture: replaced, not thrown
    report.add(m, p);
    const auto data = report.to_json("t");
    const auto html = http::page_html(&data);
    EXPECT_EQ(html.find("</script><script>alert"), std::string::npos);
    EXPECT_NE(html.find("\\u003c/script>"), std::string::npos);
    EXPECT_NE(html.find("id=\"hansim-report\""), std::string::npos);
}

TEST(record_reader, han_records_are_scaled_by_the_profile_resolutions) {
    const auto record = json::parse(R"({"meter":"m","list":"list2","sequence":7,"scheduled":"2024-03-01T00:00:10Z",
        "send":"2024-03-01T00:00:10.500Z","values":{"0-0:1.0.0.255":"2024-03-01T01:00:10","1-1:1.7.0.255":1500,
        "1-1:2.7.0.255":0,"1-1:31.7.0.255":652,"1-1:32.7.0.255":229,"1-1:52.7.0.255":231,"1-1:72.7.0.255":230,
        "1-1:1.8.0.255":1234567},"invocation_counter":null,"fault":"bad_fcs",
        "fault_effect":{"description":"FCS low byte XOR 0xFF"},"events":["load=constant:1500@+5s"],"silenced_before":3})");
    meter::list_options norway;  // 10 Wh, 0.01 A, 1 V
    const auto read = http::point_from_record(record, norway);
    ASSERT_TRUE(read.point) << read.error;
    const auto& p = *read.point;
    EXPECT_EQ(p.sequence, 7u);
    EXPECT_EQ(p.send_ms, 1'709'251'210'500);
    EXPECT_EQ(p.scheduled_ms, 1'709'251'210'000);
    EXPECT_FLOAT_EQ(p.active_import_w, 1500);
    EXPECT_FLOAT_EQ(p.current_a[0], 6.52f);
    EXPECT_FLOAT_EQ(p.voltage_v[1], 231);
    EXPECT_EQ(p.energy_import_mwh, 12'345'670'000);  // 1234567 × 10 Wh
    EXPECT_FALSE(p.single_phase);
    EXPECT_TRUE(p.has_energy);
    EXPECT_EQ(p.fault, "bad_fcs");
    EXPECT_EQ(p.fault_detail, "FCS low byte XOR 0xFF");
    ASSERT_TRUE(p.events);
    EXPECT_EQ(*p.events, std::vector<std::string>{"load=constant:1500@+5s"});
    EXPECT_EQ(p.silenced_before, 3u);

    meter::list_options fine;
    fine.energy = meter::energy_resolution::one_wh;
    fine.current = meter::current_resolution::milli_ampere;
    fine.voltage = meter::voltage_resolution::centi_volt;
    const auto again = http::point_from_record(record, fine);
    ASSERT_TRUE(again.point);
    EXPECT_FLOAT_EQ(again.point->current_a[0], 0.652f);
    EXPECT_FLOAT_EQ(again.point->voltage_v[1], 2.31f);
    EXPECT_EQ(again.point->energy_import_mwh, 1'234'567'000);
}

TEST(record_reader, p1_numbers_carry_their_units) {
    const auto record = json::parse(R"({"meter":"p","list":"p1","sequence":0,"send":"2024-06-01T12:00:00Z",
        "values":{"0-0:1.0.0":{"time":"2024-06-01T14:00:00","dst":true},"1-0:1.7.0":{"value":1.234,"unit":"kW"},
        "1-0:1.8.0":{"value":5.5,"unit":"kWh"},"1-0:32.7.0":{"value":230.1,"unit":"V"},"1-0:31.7.0":{"value":5,"unit":"A"}}})");
    const auto read = http::point_from_record(record, {});
    ASSERT_TRUE(read.point) << read.error;
    EXPECT_FLOAT_EQ(read.point->active_import_w, 1234);
    EXPECT_EQ(read.point->energy_import_mwh, 5'500'000);
    EXPECT_FLOAT_EQ(read.point->voltage_v[0], 230.1f);
    EXPECT_EQ(read.point->clock, "2024-06-01T14:00:00");
    EXPECT_TRUE(read.point->single_phase);
}

TEST(record_reader, bad_records_are_refused_naming_the_field) {
    const std::string good = R"("meter":"m","list":"list1","sequence":1,"send":"2024-03-01T00:00:00Z","values":{})";
    const auto why = [&](const std::string& extra) {
        const auto read = http::point_from_record(json::parse("{" + good + extra + "}"), {});
        return read.point ? std::string("accepted") : read.error;
    };
    EXPECT_EQ(why(""), "accepted");
    EXPECT_EQ(why(R"(,"outcome":"lost")").rfind("outcome:", 0), 0u);
    EXPECT_EQ(why(R"(,"lateness_ms":"slow")").rfind("lateness_ms:", 0), 0u);
    EXPECT_EQ(why(R"(,"invocation_counter":4294967296)").rfind("invocation_counter:", 0), 0u);
    EXPECT_EQ(why(R"(,"events":"load")").rfind("events:", 0), 0u);
    EXPECT_EQ(why(R"(,"events":[1])").rfind("events:", 0), 0u);
    EXPECT_EQ(why(R"(,"fault":3)").rfind("fault:", 0), 0u);
    EXPECT_EQ(why(R"(,"scheduled":"soon")").rfind("scheduled:", 0), 0u);
    EXPECT_EQ(why(R"(,"silenced_before":-1)").rfind("silenced_before:", 0), 0u);
    EXPECT_EQ(why(R"(,"timeline":[{"event":"outage@+1m/2m","kind":"outage","at":"2024-03-01T00:01:00Z","until":"2024-03-01T00:03:00Z"}])"),
              "accepted");
    EXPECT_EQ(why(R"(,"timeline":{})").rfind("timeline:", 0), 0u);
    EXPECT_EQ(why(R"(,"timeline":[{"event":"x"}])").rfind("timeline:", 0), 0u);
    EXPECT_EQ(why(R"(,"timeline":[{"event":"x","at":"soon"}])").rfind("timeline: at:", 0), 0u);
    EXPECT_EQ(why(R"(,"timeline":[{"event":"x","at":"2024-03-01T00:01:00Z","until":"2024-03-01T00:00:00Z"}])")
                  .rfind("timeline: until:", 0), 0u);
    const auto refused = [](const std::string& text) { return http::point_from_record(json::parse(text), {}).error; };
    EXPECT_EQ(refused("[1]"), "expected a JSON object per line");
    EXPECT_EQ(refused(R"({"meter":"m"})"), "missing \"list\"");
    EXPECT_EQ(refused(R"({"meter":"m","list":"l","sequence":-1,"send":"x","values":{}})").rfind("sequence:", 0), 0u);
    EXPECT_EQ(refused(R"({"meter":"m","list":"l","sequence":1.5e300,"send":"x","values":{}})").rfind("sequence:", 0), 0u);
    EXPECT_EQ(refused(R"({"meter":"m","list":"l","sequence":1,"send":"x","values":{}})").rfind("send:", 0), 0u);
    EXPECT_EQ(refused(R"({"meter":"m","list":"l","sequence":1,"send":"2024-03-01T00:00:00Z","values":[]})").rfind("values:", 0), 0u);
    // Values out of any meter's range are left out, not cast.
    const auto huge = http::point_from_record(
        json::parse("{" + good.substr(0, good.size() - 2) + R"({"1-1:1.7.0.255":1e300,"1-1:1.8.0.255":-1e40}})"), {});
    ASSERT_TRUE(huge.point) << huge.error;
    EXPECT_FLOAT_EQ(huge.point->active_import_w, 0);
    EXPECT_FALSE(huge.point->has_energy);
}

TEST(record_reader, jsonl_reader_makes_a_meter_per_name) {
    http::report_builder report;
    http::jsonl_reader reader(report, {});
    EXPECT_FALSE(reader.add_line(R"({"meter":"a","list":"list1","sequence":0,"send":"2024-03-01T00:00:00Z","values":{}})"));
    EXPECT_FALSE(reader.add_line("   \r"));
    EXPECT_FALSE(reader.add_line(R"({"meter":"b","list":"list1","sequence":0,"send":"2024-03-01T00:00:00Z","values":{}})"));
    EXPECT_FALSE(reader.add_line(R"({"meter":"a","list":"list1","sequence":1,"send":"2024-03-01T00:00:10Z","values":{}})"));
    EXPECT_EQ(reader.add_line("{\"meter\": "), "not JSON");
    EXPECT_EQ(reader.add_line(R"({"meter":7,"list":"list1","sequence":0,"send":"2024-03-01T00:00:00Z","values":{}})"),
              "meter: expected a name (text)");
    EXPECT_EQ(reader.records(), 3u);
    const auto j = report.to_json("t");
    ASSERT_EQ(j["meters"].size(), 2u);
    EXPECT_EQ(j["meters"][0]["name"], "a");
    EXPECT_EQ(j["meters"][0]["counts"]["sent"], 2);
    EXPECT_EQ(j["meters"][1]["counts"]["sent"], 1);
}

TEST(record_reader, a_capture_is_decoded_at_the_times_it_was_read) {
    const auto parsed = capture::parse(test::read_text(test::data_dir() / "captures" / "nve_list1_list2.capture"));
    ASSERT_TRUE(parsed.problems.empty());
    http::report_builder report;
    EXPECT_EQ(http::add_capture(parsed, "han", {}, report), 2u);
    const auto m = report.to_json("t")["meters"][0];
    EXPECT_EQ(m["name"], "han");
    EXPECT_EQ(m["counts"]["sent"], 2);
    EXPECT_EQ(m["last"]["list"], "list2");
    EXPECT_TRUE(m["last"]["a_import_kwh"].is_number());

    // The capture's events are marked at their times.
    std::vector<std::string> kinds;
    for (const auto& mk : m["marks"]) kinds.push_back(mk["kind"].get<std::string>() + " " + mk["text"].get<std::string>());
    EXPECT_EQ(kinds, (std::vector<std::string>{"event opened", "event note", "event closed"}));

    // A byte of list 2 changed on the line: that frame is marked as the decoder's error.
    auto bad = parsed;
    for (auto it = bad.records.rbegin(); it != bad.records.rend(); ++it)
        if (it->kind == capture::record_kind::data) {
            it->bytes.at(30) ^= 0xFF;
            break;
        }
    http::report_builder again;
    EXPECT_EQ(http::add_capture(bad, "han", {}, again), 1u);
    kinds.clear();
    const auto marks = again.to_json("t")["meters"][0]["marks"];
    for (const auto& mk : marks)
        kinds.push_back(mk["kind"].get<std::string>() + " " + mk["text"].get<std::string>() + " @" + mk["utc"].get<std::string>());
    ASSERT_EQ(kinds.size(), 4u);
    EXPECT_EQ(kinds[2], "fault bad_fcs @2024-01-15T13:45:25.258Z");
}
