#include <gtest/gtest.h>

#include "fake_push_source.hpp"
#include "hansim/io/meter_runner.hpp"
#include "recording_sink.hpp"

using namespace std::chrono_literals;
using namespace hansim;
using io::frame_outcome;

namespace {

const meter::utc_ms t0{std::chrono::sys_days{std::chrono::year{2024} / 3 / 1} + 12h};

struct fixture {
    io::virtual_clock clock;
    std::unique_ptr<io::timer> timer = clock.make_timer();
    test::recording_sink sink{clock};
    test::fake_push_source source;
    std::vector<std::tuple<std::uint64_t, frame_outcome, std::chrono::nanoseconds, io::mono_time>> reports;

    explicit fixture(std::size_t size = 228, std::chrono::milliseconds period = 10s)
        : source(t0 + 10s, period, size) {}

    io::time_mapping mapping(double speed = 1.0) const { return {t0, clock.now(), speed}; }

    std::unique_ptr<io::meter_runner> runner(io::run_settings settings, double speed = 1.0,
                                             io::data_request* request = nullptr) {
        auto made = std::make_unique<io::meter_runner>(source, sink, *timer, mapping(speed), settings, request);
        made->on_frame([this](const io::frame_report& r) {
            reports.emplace_back(r.frame.sequence, r.outcome, r.lateness, r.scheduled);
        });
        return made;
    }
};

}  // namespace

TEST(meter_runner, frames_start_at_absolute_deadlines_and_are_paced_wire_true) {
    fixture f;
    const auto start = f.clock.now();
    io::run_settings settings;
    settings.end_utc = t0 + 35s;  // frames at +10, +20, +30
    auto runner = f.runner(settings);
    runner->start();
    f.clock.run_all();

    ASSERT_TRUE(runner->finished());
    ASSERT_EQ(f.reports.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(std::get<1>(f.reports[i]), frame_outcome::sent);
        EXPECT_EQ(std::get<2>(f.reports[i]), 0ns);
        EXPECT_EQ(std::get<3>(f.reports[i]), start + 10s * (i + 1));
    }
    ASSERT_EQ(f.sink.writes.size(), 3u * 114u);  // 2-byte chunks
    // first chunk of frame 1: its 2 bytes have left the wire 8.33 ms after the trigger
    EXPECT_EQ(f.sink.writes.front().at, start + 10s + std::chrono::nanoseconds(8'333'333));
    // last chunk of frame 1: 950 ms after the trigger
    EXPECT_EQ(f.sink.writes[113].at, start + 10s + 950ms);
    // the next frame starts exactly 10 s after the previous one: no drift
    EXPECT_EQ(f.sink.writes[114].at, start + 20s + std::chrono::nanoseconds(8'333'333));
    codec::bytes joined;
    for (std::size_t i = 0; i < 114; ++i) joined.insert(joined.end(), f.sink.writes[i].data.begin(), f.sink.writes[i].data.end());
    EXPECT_EQ(joined, test::fake_push_source::frame_bytes(0, 228));
    EXPECT_EQ(runner->summary().frames_sent, 3u);
    EXPECT_EQ(runner->summary().bytes_sent, 3u * 228u);
    EXPECT_EQ(f.sink.frames_ended, 3);
}

TEST(meter_runner, late_wakeups_are_recorded_and_do_not_accumulate) {
    fixture f;
    const auto start = f.clock.now();
    // every wake-up comes 30 ms late (a loaded machine)
    f.clock.set_wake_delay([](io::mono_time) { return std::chrono::nanoseconds(30ms); });
    io::run_settings settings;
    settings.pacing = io::pacing_mode::fast;
    settings.end_utc = t0 + 65s;
    auto runner = f.runner(settings);
    runner->start();
    f.clock.run_all();
    ASSERT_EQ(f.reports.size(), 6u);
    for (std::size_t i = 0; i < f.reports.size(); ++i) {
        EXPECT_EQ(std::get<2>(f.reports[i]), 30ms) << "frame " << i;
        EXPECT_EQ(f.sink.writes[i].at, start + 10s * (i + 1) + 30ms) << "frame " << i;  // not 30 ms * i
    }
    EXPECT_EQ(runner->summary().max_lateness, 30ms);
    EXPECT_EQ(runner->summary().mean_lateness(), 30ms);
}

TEST(meter_runner, the_summary_holds_lateness_quantiles_over_every_frame) {
    fixture f;
    const auto start = f.clock.now();
    // frame k (1-based, at +10 s * k) wakes k ms late
    f.clock.set_wake_delay([start](io::mono_time deadline) {
        return std::chrono::nanoseconds(std::chrono::milliseconds((deadline - start) / 10s));
    });
    io::run_settings settings;
    settings.pacing = io::pacing_mode::fast;
    settings.end_utc = t0 + 105s;  // frames 1..10
    auto runner = f.runner(settings);
    runner->start();
    f.clock.run_all();
    ASSERT_EQ(f.reports.size(), 10u);
    const auto& summary = runner->summary();
    EXPECT_EQ(summary.lateness.count(), 10u);
    EXPECT_EQ(summary.max_lateness, 10ms);
    EXPECT_EQ(summary.lateness_quantile(1.0), 10ms);
    // p50 is the 5th of 10 (5 ms), p99 the 10th; reported to 3.2 %, never below
    EXPECT_GE(summary.lateness_quantile(0.5), 5ms);
    EXPECT_LE(summary.lateness_quantile(0.5), 5ms * (1 + io::duration_histogram::resolution));
    EXPECT_EQ(summary.lateness_quantile(0.99), 10ms);
    io::run_summary twice;
    twice.add(summary);
    twice.add(summary);
    EXPECT_EQ(twice.lateness.count(), 20u);
    EXPECT_EQ(twice.lateness_quantile(0.5), summary.lateness_quantile(0.5));
}

TEST(meter_runner, speed_runs_the_meter_clock_faster_but_pacing_stays_wire_true) {
    fixture f;
    const auto start = f.clock.now();
    io::run_settings settings;
    settings.end_utc = t0 + 45s;
    auto runner = f.runner(settings, 10.0);  // 10 s of meter time per real second
    runner->start();
    f.clock.run_all();
    ASSERT_EQ(f.reports.size(), 4u);
    EXPECT_EQ(std::get<3>(f.reports[0]), start + 1s);
    EXPECT_EQ(std::get<3>(f.reports[3]), start + 4s);
    EXPECT_EQ(f.sink.writes[113].at - f.sink.writes[0].at, 950ms - std::chrono::nanoseconds(8'333'333));
}

TEST(meter_runner, frames_overlapping_a_busy_line_wait_and_report_lateness) {
    fixture f(228, 500ms);  // a frame every 0.5 s, but each takes 0.95 s on the wire
    io::run_settings settings;
    settings.end_utc = t0 + 10s + 1500ms;  // frames at +10.0, +10.5, +11.0
    auto runner = f.runner(settings);
    runner->start();
    f.clock.run_all();
    ASSERT_EQ(f.reports.size(), 3u);
    EXPECT_EQ(std::get<2>(f.reports[0]), 0ns);
    EXPECT_EQ(std::get<2>(f.reports[1]), 450ms);
    EXPECT_EQ(std::get<2>(f.reports[2]), 900ms);
    EXPECT_EQ(runner->summary().max_lateness, 900ms);
    EXPECT_EQ(runner->summary().mean_lateness(), 450ms);
}

TEST(meter_runner, nobody_listening_counts_the_frame_lost) {
    fixture f;
    io::run_settings settings;
    settings.end_utc = t0 + 35s;
    auto runner = f.runner(settings);
    runner->start();
    f.clock.run_until(f.clock.now() + 15s);  // frame 0 sent
    f.sink.status = io::sink_status::no_listener;
    f.clock.run_until(f.clock.now() + 10s);  // frame 1 lost
    f.sink.status = io::sink_status::ok;
    f.clock.run_all();  // frame 2 sent
    ASSERT_EQ(f.reports.size(), 3u);
    EXPECT_EQ(std::get<1>(f.reports[1]), frame_outcome::no_listener);
    EXPECT_EQ(runner->summary().frames_sent, 2u);
    EXPECT_EQ(runner->summary().frames_lost, 1u);
    EXPECT_EQ(runner->summary().lost_no_listener, 1u);
}

TEST(meter_runner, listener_leaving_mid_frame_aborts_it) {
    fixture f;
    io::run_settings settings;
    settings.end_utc = t0 + 25s;
    auto runner = f.runner(settings);
    runner->start();
    f.clock.run_until(f.clock.now() + 10s + 500ms);  // half of frame 0 written
    f.sink.status = io::sink_status::no_listener;
    f.clock.run_until(f.clock.now() + 1s);
    f.sink.status = io::sink_status::ok;
    f.clock.run_all();
    ASSERT_EQ(f.reports.size(), 2u);
    EXPECT_EQ(std::get<1>(f.reports[0]), frame_outcome::no_listener);
    EXPECT_EQ(std::get<1>(f.reports[1]), frame_outcome::sent);
    EXPECT_EQ(f.sink.frames_aborted, 1);
}

TEST(meter_runner, a_failed_port_loses_the_frame_and_stops_the_meter) {
    fixture f;
    auto runner = f.runner({});
    bool finished = false;
    runner->on_finished([&] { finished = true; });
    runner->start();
    f.clock.run_until(f.clock.now() + 10s + 500ms);  // half of frame 0 written
    f.sink.status = io::sink_status::failed;
    f.clock.run_until(f.clock.now() + 1s);
    EXPECT_TRUE(finished);
    EXPECT_FALSE(runner->failure().empty());
    ASSERT_EQ(f.reports.size(), 1u);
    EXPECT_EQ(std::get<1>(f.reports[0]), frame_outcome::port_unavailable);
    EXPECT_EQ(runner->summary().frames_sent, 0u);
    EXPECT_EQ(runner->summary().frames_lost, 1u);
    EXPECT_EQ(f.clock.run_all(), 0u);  // nothing left scheduled: no further frames
}

TEST(meter_runner, data_request_gates_frames_and_the_drop_policy_decides_mid_frame) {
    for (const auto policy : {io::request_drop_policy::finish, io::request_drop_policy::abort}) {
        fixture f;
        io::manual_data_request request(false);
        io::run_settings settings;
        settings.end_utc = t0 + 35s;
        settings.on_request_drop = policy;
        auto runner = f.runner(settings, 1.0, &request);
        runner->start();
        f.clock.run_until(f.clock.now() + 15s);  // frame 0: not requested
        request.set(true);
        f.clock.run_until(f.clock.now() + 5s + 400ms);  // frame 1 begins at +20 s
        request.set(false);  // dropped mid-telegram
        f.clock.run_all();   // frame 2: not requested
        ASSERT_EQ(f.reports.size(), 3u);
        EXPECT_EQ(std::get<1>(f.reports[0]), frame_outcome::not_requested);
        EXPECT_EQ(std::get<1>(f.reports[1]),
                  policy == io::request_drop_policy::finish ? frame_outcome::sent : frame_outcome::aborted);
        EXPECT_EQ(std::get<1>(f.reports[2]), frame_outcome::not_requested);
    }
}

TEST(meter_runner, stop_mid_frame_counts_it_aborted_and_finishes) {
    fixture f;
    auto runner = f.runner({});
    bool finished = false;
    runner->on_finished([&] { finished = true; });
    runner->start();
    f.clock.run_until(f.clock.now() + 10s + 300ms);
    runner->stop();
    EXPECT_TRUE(finished);
    EXPECT_EQ(runner->summary().lost_aborted, 1u);
    EXPECT_EQ(f.clock.run_all(), 0u);  // nothing left scheduled
}

TEST(time_mapping, maps_meter_time_to_monotonic_with_speed) {
    const io::mono_time base{} ;
    const io::time_mapping m{t0, base + 5s, 4.0};
    EXPECT_EQ(m.to_mono(t0), base + 5s);
    EXPECT_EQ(m.to_mono(t0 + 40s), base + 15s);
    EXPECT_EQ(m.to_mono(t0 - 4s), base + 4s);
}

namespace {

struct exact_report {
    std::uint64_t sequence;
    frame_outcome outcome;
    std::size_t bytes_written;
    std::chrono::nanoseconds lateness;
};

std::vector<exact_report>& record_exactly(io::meter_runner& runner, std::vector<exact_report>& out) {
    runner.on_frame([&out](const io::frame_report& r) {
        out.push_back({r.frame.sequence, r.outcome, r.bytes_written, r.lateness});
    });
    return out;
}

/// What the records say went out: the first bytes_written bytes of each frame, in order.
codec::bytes bytes_per_records(const std::vector<exact_report>& reports, std::size_t size) {
    codec::bytes out;
    for (const auto& r : reports) {
        const auto wire = test::fake_push_source::frame_bytes(r.sequence, size);
        out.insert(out.end(), wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(r.bytes_written));
    }
    return out;
}

}  // namespace

// Issue 13, partial frames: a port that took part of a frame and then nothing more made the
// frame "overrun" (lost, 0 bytes) although its first bytes were on the wire. Now the runner
// waits for the port (back-pressure) and the frame goes out whole, late, in wire-true pacing too.
TEST(meter_runner, a_full_port_is_waited_for_and_every_frame_goes_out_whole) {
    for (const auto pacing : {io::pacing_mode::fast, io::pacing_mode::wire_true}) {
        fixture f;
        io::run_settings settings;
        settings.pacing = pacing;
        settings.stall_limit = 30s;
        settings.end_utc = t0 + 35s;  // frames at +10, +20, +30
        auto runner = f.runner(settings);
        std::vector<exact_report> reports;
        record_exactly(*runner, reports);
        const auto start = f.clock.now();
        f.sink.room = 300;  // frame 0 and 72 bytes of frame 1 fit, then the reader stalls
        runner->start();
        f.clock.run_until(start + 32s);  // 12 s of stall: frame 1 waits, frame 2 is not begun
        ASSERT_EQ(reports.size(), 1u);
        f.sink.room.reset();  // the reader reads again
        f.clock.run_all();
        ASSERT_EQ(reports.size(), 3u);
        for (const auto& r : reports) {
            EXPECT_EQ(r.outcome, frame_outcome::sent) << r.sequence;
            EXPECT_EQ(r.bytes_written, 228u);
        }
        EXPECT_EQ(reports[1].lateness, 0ns);  // it began on time; its rest waited
        EXPECT_GE(reports[2].lateness, 2s);   // the line was busy with frame 1 until ~+32 s
        EXPECT_LE(reports[2].lateness, 2s + 1s);
        EXPECT_EQ(f.sink.joined(), bytes_per_records(reports, 228));
        EXPECT_EQ(runner->summary().frames_sent, 3u);
        EXPECT_EQ(runner->summary().frames_lost, 0u);
        EXPECT_EQ(runner->summary().bytes_sent, 3u * 228u);
    }
}

// A port that takes nothing for the stall limit ends the frame; what it took is recorded to
// the byte: `truncated` with bytes_written when part went out, `overrun` when none did.
TEST(meter_runner, a_stall_past_the_limit_records_exactly_what_went_out) {
    fixture f;
    io::run_settings settings;
    settings.pacing = io::pacing_mode::fast;
    settings.stall_limit = 1s;
    settings.end_utc = t0 + 45s;  // frames at +10, +20, +30, +40
    auto runner = f.runner(settings);
    std::vector<exact_report> reports;
    record_exactly(*runner, reports);
    const auto start = f.clock.now();
    f.sink.room = 300;
    runner->start();
    f.clock.run_until(start + 35s);  // frame 1 cut after 72 bytes, frame 2 gets nothing
    f.sink.room.reset();
    f.clock.run_all();
    ASSERT_EQ(reports.size(), 4u);
    EXPECT_EQ(reports[0].outcome, frame_outcome::sent);
    EXPECT_EQ(reports[1].outcome, frame_outcome::truncated);
    EXPECT_EQ(reports[1].bytes_written, 72u);
    EXPECT_EQ(reports[2].outcome, frame_outcome::overrun);
    EXPECT_EQ(reports[2].bytes_written, 0u);
    EXPECT_EQ(reports[3].outcome, frame_outcome::sent);
    EXPECT_EQ(f.sink.joined(), bytes_per_records(reports, 228));
    const auto& s = runner->summary();
    EXPECT_EQ(s.frames_sent, 2u);
    EXPECT_EQ(s.frames_lost, 2u);
    EXPECT_EQ(s.lost_truncated, 1u);
    EXPECT_EQ(s.lost_overrun, 1u);
    EXPECT_EQ(s.bytes_sent, 228u + 72u + 228u);
    EXPECT_EQ(f.sink.frames_aborted, 2);
    EXPECT_EQ(io::outcome_name(frame_outcome::truncated), "truncated");
}

// Every cut frame carries the bytes the port took, whatever cut it (here the listener left).
TEST(meter_runner, a_frame_cut_by_a_leaving_listener_records_its_bytes) {
    fixture f;
    io::run_settings settings;
    settings.end_utc = t0 + 15s;
    auto runner = f.runner(settings);
    std::vector<exact_report> reports;
    record_exactly(*runner, reports);
    runner->start();
    f.clock.run_until(f.clock.now() + 10s + 500ms);
    f.sink.status = io::sink_status::no_listener;
    f.clock.run_all();
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_EQ(reports[0].outcome, frame_outcome::no_listener);
    EXPECT_GT(reports[0].bytes_written, 0u);
    EXPECT_EQ(f.sink.joined(), bytes_per_records(reports, 228));
    EXPECT_EQ(runner->summary().bytes_sent, reports[0].bytes_written);
}
