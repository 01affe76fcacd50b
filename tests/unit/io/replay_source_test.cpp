// A capture replayed through the meter runner on virtual time: bursts at the recorded times
// (first byte = first chunk's arrival minus its wire time), bytes exact, speed, loop, and
// the line chosen for replay.
#include <gtest/gtest.h>

#include "hansim/io/meter_runner.hpp"
#include "hansim/io/replay_source.hpp"
#include "recording_sink.hpp"
#include "test_data.hpp"

using namespace std::chrono_literals;
using namespace hansim;

namespace {

capture::capture example() {
    return capture::parse(test::read_text(test::data_dir() / "captures" / "nve_list1_list2.capture"));
}

struct replayed {
    std::vector<io::mono_time> starts;
    codec::bytes bytes;
    io::mono_time begin;
};

replayed run(const capture::capture& recording, double speed, bool loop, std::size_t frames_wanted = 0) {
    io::replay_options options;
    options.line = io::replay_line(recording, std::nullopt).line;
    options.loop = loop;
    io::replay_source source(recording, options);
    io::virtual_clock clock;
    auto timer = clock.make_timer();
    test::recording_sink sink(clock);
    io::run_settings settings;
    if (!loop) settings.end_utc = source.end_utc();
    replayed out;
    out.begin = clock.now();
    io::meter_runner runner(source, sink, *timer, {source.start_utc(), clock.now(), speed}, settings);
    runner.on_frame([&](const io::frame_report& r) {
        out.starts.push_back(r.started);
        if (frames_wanted != 0 && out.starts.size() == frames_wanted) runner.stop();
    });
    runner.start();
    clock.run_all();
    for (const auto& w : sink.writes) out.bytes.insert(out.bytes.end(), w.data.begin(), w.data.end());
    return out;
}

codec::bytes all_data(const capture::capture& c) {
    codec::bytes out;
    for (const auto& r : c.records) out.insert(out.end(), r.bytes.begin(), r.bytes.end());
    return out;
}

}  // namespace

TEST(replay_source, back_to_back_chunks_are_one_transmission_sent_when_its_first_byte_left) {
    const auto recording = example();
    io::replay_options options;
    options.line = io::replay_line(recording, std::nullopt).line;
    io::replay_source source(recording, options);
    ASSERT_EQ(source.burst_count(), 2u);  // list 1 in three chunks, list 2 in one
    EXPECT_EQ(source.byte_count(), all_data(recording).size());
    const auto list1 = source.next();
    EXPECT_EQ(list1.wire.size(), 228u);
    // the first 24-byte chunk arrived at +1.100 s; its first byte left 100 ms earlier
    EXPECT_EQ(list1.send_utc(), source.start_utc() + 1000ms);
    EXPECT_EQ(source.start_utc(), capture::parse_wall("2024-01-15T13:45:19Z").value());
    const auto list2 = source.next();
    EXPECT_EQ(list2.wire.size(), 302u);
    EXPECT_EQ(list2.send_utc(), source.start_utc() + 5000ms);  // 6.258333 s - 302 B at 2400 8N1
    EXPECT_TRUE(source.next().wire.empty());  // exhausted: an empty push after the end
}

TEST(replay_source, runner_sends_the_bytes_exactly_with_the_gaps_scaled_by_speed) {
    const auto recording = example();
    for (const double speed : {1.0, 4.0}) {
        const auto out = run(recording, speed, false);
        EXPECT_EQ(out.bytes, all_data(recording));
        ASSERT_EQ(out.starts.size(), 2u);
        EXPECT_EQ(out.starts[0] - out.begin, std::chrono::nanoseconds(static_cast<std::int64_t>(1e9 / speed)));
        EXPECT_EQ(out.starts[1] - out.starts[0], std::chrono::nanoseconds(static_cast<std::int64_t>(4e9 / speed)));
    }
}

TEST(replay_source, loop_starts_over_after_the_last_record_keeping_the_lead_in) {
    const auto recording = example();
    const auto out = run(recording, 1.0, true, 5);
    ASSERT_EQ(out.starts.size(), 5u);
    // a pass lasts the last record's offset (7 s) plus the 1 s lead-in
    EXPECT_EQ(out.starts[2] - out.starts[0], 8s);
    EXPECT_EQ(out.starts[4] - out.starts[2], 8s);
}

TEST(replay_source, line_comes_from_the_option_the_header_or_the_first_byte) {
    const auto recording = example();
    EXPECT_EQ(io::replay_line(recording, std::nullopt).origin, "recorded");
    EXPECT_EQ(io::replay_line(recording, std::string("2400:8E1")).line.bits_per_character(), 11u);
    EXPECT_THROW(io::replay_line(recording, std::string("fast")), std::invalid_argument);
    const auto p1 = capture::parse("+0 2F4B464D\n");
    EXPECT_EQ(io::replay_line(p1, std::nullopt).line.baud, 115200u);
    const auto han = capture::parse("7E A0 07\n");
    EXPECT_EQ(io::replay_line(han, std::nullopt).line.baud, 2400u);
    const auto bad = capture::parse("hansim-capture 1\nline 2400:9Q1\ndata +1 - 7E\n");
    try {
        io::replay_line(bad, std::nullopt);
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_EQ(std::string(e.what()).rfind("2: line: ", 0), 0u) << e.what();
    }
}
