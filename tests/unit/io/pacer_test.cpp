#include <gtest/gtest.h>

#include "hansim/io/line_settings.hpp"
#include "hansim/io/pacer.hpp"

using namespace std::chrono_literals;
using hansim::io::pacer;
using hansim::io::pacing_mode;

TEST(line_settings, bits_per_character_counts_start_parity_and_stop) {
    EXPECT_EQ(hansim::io::parse_line_settings("2400:8N1").bits_per_character(), 10u);
    EXPECT_EQ(hansim::io::parse_line_settings("2400:8E1").bits_per_character(), 11u);
    EXPECT_EQ(hansim::io::parse_line_settings("9600:7O2").bits_per_character(), 11u);
    EXPECT_EQ(hansim::io::parse_line_settings("115200:8N1").baud, 115200u);
    EXPECT_EQ(hansim::io::parse_line_settings("2400:8E1").to_string(), "2400 8E1");
}

TEST(line_settings, bad_text_names_the_part) {
    auto message = [](const char* text) {
        try {
            hansim::io::parse_line_settings(text);
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(message("2400").find("BAUD:DPS"), std::string::npos);
    EXPECT_NE(message("0:8N1").find("baud rate '0'"), std::string::npos);
    EXPECT_NE(message("2400:9N1").find("data bits '9'"), std::string::npos);
    EXPECT_NE(message("2400:8X1").find("parity 'X'"), std::string::npos);
    EXPECT_NE(message("2400:8N3").find("stop bits '3'"), std::string::npos);
}

TEST(pacer, list1_three_phase_takes_950_ms_at_2400_8N1) {
    const pacer p(2400, 10);
    EXPECT_EQ(p.wire_time(228), 950ms);
    EXPECT_EQ(p.character_time(), std::chrono::nanoseconds(4'166'666));
}

TEST(pacer, list1_three_phase_takes_1045_ms_at_2400_8E1) {
    const pacer p(hansim::io::parse_line_settings("2400:8E1"));
    EXPECT_EQ(p.wire_time(228), 1045ms);
}

TEST(pacer, protocol_table_durations) {  // PROTOCOLS.md §7.4, rounded to the ms there
    const pacer han(2400, 10);
    EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(han.wire_time(302)), 1258ms);
    EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(han.wire_time(461)), 1920ms);  // 1920.8
    const pacer p1(115200, 10);
    EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(p1.wire_time(700)), 60ms);  // 60.76
}

TEST(pacer, wire_true_chunks_cover_the_frame_and_end_at_the_wire_time) {
    const pacer p(2400, 10, pacing_mode::wire_true, 10ms);
    EXPECT_EQ(p.chunk_bytes(), 2u);  // 2 x 4.17 ms fits in 10 ms
    const auto chunks = p.plan(228);
    ASSERT_EQ(chunks.size(), 114u);
    std::size_t expected_begin = 0;
    for (const auto& chunk : chunks) {
        EXPECT_EQ(chunk.begin, expected_begin);
        EXPECT_EQ(chunk.due, p.wire_time(chunk.end));  // handed over when its last byte has left
        expected_begin = chunk.end;
    }
    EXPECT_EQ(expected_begin, 228u);
    EXPECT_EQ(chunks.back().due, 950ms);
}

TEST(pacer, odd_sizes_and_fine_granularity) {
    const pacer one(2400, 10, pacing_mode::wire_true, 1ms);  // finer than a character: 1 byte
    EXPECT_EQ(one.chunk_bytes(), 1u);
    EXPECT_EQ(one.plan(3).size(), 3u);
    const pacer fast_line(115200, 10, pacing_mode::wire_true, 10ms);
    EXPECT_EQ(fast_line.chunk_bytes(), 115u);
    const auto chunks = fast_line.plan(700);
    ASSERT_EQ(chunks.size(), 7u);
    EXPECT_EQ(chunks.back().end, 700u);
    EXPECT_EQ(chunks.back().begin, 690u);
    EXPECT_TRUE(fast_line.plan(0).empty());
}

TEST(pacer, the_default_granularity_is_10_ms_or_16_characters_when_shorter) {
    using hansim::io::pacer;
    EXPECT_EQ(pacer::default_granularity(2400, 10), 10ms);      // 16 characters: 66.7 ms
    EXPECT_EQ(pacer::default_granularity(9600, 11), 10ms);      // 18.3 ms
    EXPECT_EQ(pacer::default_granularity(19200, 10), 8334us);   // 16 characters, rounded up
    EXPECT_EQ(pacer::default_granularity(115200, 10), 1389us);  // 1.39 ms
    EXPECT_EQ(pacer(2400, 10).chunk_bytes(), 2u);               // as with 10 ms, unchanged
    const pacer p1(115200, 10);
    EXPECT_EQ(p1.chunk_bytes(), 16u);
    const auto chunks = p1.plan(228);
    ASSERT_EQ(chunks.size(), 15u);  // 14 x 16 + 4
    EXPECT_EQ(chunks.front().due, p1.wire_time(16));
    EXPECT_EQ(chunks.back().due, p1.wire_time(228));
    // A granularity given is taken as it is.
    EXPECT_EQ(pacer(115200, 10, pacing_mode::wire_true, 10ms).chunk_bytes(), 115u);
}

TEST(pacer, fast_mode_sends_everything_at_once) {
    const pacer p(2400, 10, pacing_mode::fast);
    const auto chunks = p.plan(228);
    ASSERT_EQ(chunks.size(), 1u);
    EXPECT_EQ(chunks[0], (hansim::io::wire_chunk{0, 228, 0ns}));
    EXPECT_EQ(p.wire_time(228), 950ms);  // the nominal duration is still known
}

TEST(pacer, rejects_zero_rates) {
    EXPECT_THROW(pacer(0, 10), std::invalid_argument);
    EXPECT_THROW(pacer(2400, 0), std::invalid_argument);
}

TEST(pacer, pauses_inside_a_frame_split_chunks_and_delay_the_rest) {
    using namespace std::chrono_literals;
    const std::vector<hansim::meter::wire_pause> pauses{{100, 1500ms}, {150, 20ms}};
    const hansim::io::pacer wire(2400, 10, hansim::io::pacing_mode::wire_true, 10ms);
    const auto chunks = wire.plan(228, pauses);
    ASSERT_FALSE(chunks.empty());
    EXPECT_EQ(chunks.back().end, 228u);
    EXPECT_EQ(chunks.back().due, wire.wire_time(228) + 1520ms);
    bool split_at_100 = false;
    for (const auto& c : chunks) {
        EXPECT_FALSE(c.begin < 100 && c.end > 100);  // never spans a pause
        if (c.begin == 100) {
            split_at_100 = true;
            EXPECT_EQ(c.due, wire.wire_time(c.end) + 1500ms);
        }
    }
    EXPECT_TRUE(split_at_100);
    EXPECT_EQ(hansim::io::pacer::pause_time(228, pauses), 1520ms);

    const hansim::io::pacer fast(2400, 10, hansim::io::pacing_mode::fast);
    const auto pieces = fast.plan(228, pauses);
    ASSERT_EQ(pieces.size(), 3u);
    EXPECT_EQ(pieces[0], (hansim::io::wire_chunk{0, 100, 0ms}));
    EXPECT_EQ(pieces[1], (hansim::io::wire_chunk{100, 150, 1500ms}));
    EXPECT_EQ(pieces[2], (hansim::io::wire_chunk{150, 228, 1520ms}));
}
