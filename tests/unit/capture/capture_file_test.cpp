// The capture format and its imports: the examples in tests/data/captures, every bad-input
// case named by line, the writer and parser agreeing, and the parser fed every prefix.
#include <gtest/gtest.h>

#include "hansim/capture/capture_file.hpp"
#include "test_data.hpp"

namespace hansim::capture {
namespace {

using namespace std::chrono_literals;

capture parse_file(const std::string& name) { return parse(test::read_text(test::data_dir() / "captures" / name)); }

codec::bytes joined_data(const capture& c) {
    codec::bytes out;
    for (const auto& r : c.records)
        if (r.kind == record_kind::data) out.insert(out.end(), r.bytes.begin(), r.bytes.end());
    return out;
}

TEST(CaptureFile, ExampleHasHeaderChunksAndEvents) {
    const auto c = parse_file("nve_list1_list2.capture");
    ASSERT_TRUE(c.problems.empty()) << c.problems.front().line << ": " << c.problems.front().message;
    EXPECT_EQ(c.format, source_format::capture);
    EXPECT_EQ(c.head.version, 1);
    EXPECT_EQ(c.head.line, "2400:8N1");
    EXPECT_EQ(c.head.port, "pty:/tmp/ttyHAN0");
    EXPECT_EQ(c.head.recorded_by, "hansim 0.1.0 record");
    ASSERT_TRUE(c.head.start);
    EXPECT_EQ(format_wall(*c.head.start), "2024-01-15T13:45:19.000000Z");
    ASSERT_EQ(c.records.size(), 7u);
    EXPECT_EQ(c.records[0].kind, record_kind::event);
    EXPECT_EQ(c.records[0].event, "opened");
    EXPECT_EQ(c.records[0].text, "pty:/tmp/ttyHAN0 -> /dev/pts/7");
    EXPECT_EQ(c.records[1].offset, 1100ms);
    EXPECT_EQ(c.records[1].line, 9u);
    EXPECT_EQ(c.records[4].event, "note");
    EXPECT_EQ(c.records[6].event, "closed");
    auto expected = test::read_hex(test::data_dir() / "vectors" / "nve_list1_3ph.hex");
    const auto list2 = test::read_hex(test::data_dir() / "vectors" / "nve_list2_3ph.hex");
    expected.insert(expected.end(), list2.begin(), list2.end());
    EXPECT_EQ(joined_data(c), expected);
}

TEST(CaptureFile, ImportsTimedHexLog) {
    const auto c = parse_file("nve_list1_timed.log");
    ASSERT_TRUE(c.problems.empty());
    EXPECT_EQ(c.format, source_format::timed_hex);
    ASSERT_EQ(c.records.size(), 3u);
    EXPECT_EQ(c.records[1].offset, 10s);
    EXPECT_EQ(c.records[2].offset, 15s);
    EXPECT_EQ(c.records[0].bytes, test::read_hex(test::data_dir() / "vectors" / "nve_list1_3ph.hex"));
}

TEST(CaptureFile, ImportsGenerateJsonLines) {
    const auto c = parse_file("generated_no_1p.jsonl");
    ASSERT_TRUE(c.problems.empty());
    EXPECT_EQ(c.format, source_format::jsonl);
    ASSERT_GE(c.records.size(), 3u);
    EXPECT_EQ(c.records[0].offset, 0s);
    EXPECT_EQ(c.records[1].offset, 5s);  // list 2 at xx:00:05
    EXPECT_EQ(c.records[2].offset, 10s);
    ASSERT_TRUE(c.head.start);
    EXPECT_EQ(format_wall(*c.head.start), "2024-01-15T12:00:00.000000Z");
    EXPECT_EQ(c.records[0].bytes.front(), 0x7E);
}

TEST(CaptureFile, ImportsHexDumpsOfTestData) {
    for (const auto& path : test::files_ending("reference-frames", ".hex")) {
        const auto c = parse(test::read_text(path));
        EXPECT_TRUE(c.problems.empty()) << path;
        EXPECT_EQ(c.format, source_format::hex_dump) << path;
        EXPECT_EQ(joined_data(c), test::read_hex(path)) << path;
    }
    const auto two = parse("# two frames\n7E A0 07 7E\n\n7EA0087E  # second\n", {3s});
    ASSERT_EQ(two.records.size(), 2u);
    EXPECT_EQ(two.records[1].offset, 3s);
    EXPECT_EQ(two.records[1].line, 4u);
}

TEST(CaptureFile, BadHexIsNamedByLineAndLeftOut) {
    const auto c = parse_file("bad_hex.capture");
    ASSERT_EQ(c.problems.size(), 1u);
    EXPECT_EQ(c.problems[0].line, 4u);
    EXPECT_NE(c.problems[0].message.find("bad hex"), std::string::npos) << c.problems[0].message;
    EXPECT_EQ(joined_data(c), (codec::bytes{0x7E, 0xA0, 0x2B, 0x21}));
}

TEST(CaptureFile, TimeGoingBackwardsIsAProblem) {
    const auto c = parse_file("backwards.capture");
    ASSERT_EQ(c.problems.size(), 1u);
    EXPECT_EQ(c.problems[0].line, 3u);
    EXPECT_NE(c.problems[0].message.find("backwards"), std::string::npos);
    EXPECT_EQ(c.records.size(), 2u);
}

TEST(CaptureFile, UnknownVersionStopsEverything) {
    const auto c = parse_file("unknown_version.capture");
    ASSERT_EQ(c.problems.size(), 1u);
    EXPECT_EQ(c.problems[0].line, 1u);
    EXPECT_NE(c.problems[0].message.find("version 7"), std::string::npos);
    EXPECT_TRUE(c.records.empty());
}

TEST(CaptureFile, CutLastLineIsAProblem) {
    const auto c = parse_file("truncated.capture");
    ASSERT_EQ(c.problems.size(), 1u);
    EXPECT_EQ(c.problems[0].line, 4u);
    EXPECT_NE(c.problems[0].message.find("incomplete last line"), std::string::npos);
    EXPECT_EQ(joined_data(c), (codec::bytes{0x7E, 0xA0, 0xE2}));
}

TEST(CaptureFile, OtherBadLines) {
    const auto c = parse("hansim-capture 1\nbogus 1\ndata 1.0 - 7E\ndata +1.0 yesterday 7E\nevent +2 -\n"
                         "data +3 - \nport late\n{\"send\":1}\n");
    ASSERT_EQ(c.problems.size(), 7u);
    for (std::size_t i = 0; i < 7; ++i) EXPECT_EQ(c.problems[i].line, i + 2) << c.problems[i].message;
    EXPECT_TRUE(c.records.empty());
    const auto j = parse("{\"send\":\"2024-01-01T00:00:00Z\",\"hex\":\"7E\"}\nnot json\n{\"send\":5,\"hex\":\"7E\"}\n");
    ASSERT_EQ(j.problems.size(), 2u);
    EXPECT_EQ(j.records.size(), 1u);
}

TEST(CaptureFile, SignedOffsetsAreRefusedNotReadAsNegativeTimes) {
    // Found by fuzz_capture_parse (corpus/capture_parse/signed-offset-roundtrip): "+-3.0" was
    // read as -3 s, which the writer cannot write (it clamps to +0), so a record did not read
    // back the same; "+-0.5" was even read as +0.5 s.
    const auto c = parse("hansim-capture 1\ndata +-3.000000000 - 2113\ndata +-0.5 - 7E\nevent +--1 - note\n"
                         "data +1.5 - 7E\n");
    ASSERT_EQ(c.problems.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(c.problems[i].line, i + 2);
        EXPECT_NE(c.problems[i].message.find("bad time offset"), std::string::npos) << c.problems[i].message;
    }
    ASSERT_EQ(c.records.size(), 1u);
    EXPECT_EQ(c.records[0].offset, 1500ms);
    const auto timed = parse("+-3 7E\n+2 7E\n");
    ASSERT_EQ(timed.problems.size(), 1u);
    EXPECT_EQ(timed.problems[0].line, 1u);
    ASSERT_EQ(timed.records.size(), 1u);
    EXPECT_EQ(timed.records[0].offset, 2s);
}

TEST(CaptureFile, WriterAndParserAgree) {
    header head;
    head.recorded_by = "test";
    head.port = "tcp:127.0.0.1:7000";
    head.line = "115200:8N1";
    head.start = wall_time{} + 1'700'000'000'123'456us;
    const auto wall = *head.start + 1500ms;
    std::string text = format_header(head);
    text += format_event(0ns, *head.start, "opened", "tcp 127.0.0.1:7000");
    text += format_data(1'500'000'001ns, wall, codec::bytes{0x2F, 0x41, 0xFF});
    text += format_event(2s, wall, "note", "two\nlines");
    const auto c = parse(text);
    ASSERT_TRUE(c.problems.empty()) << c.problems.front().message;
    EXPECT_EQ(c.head.line, "115200:8N1");
    EXPECT_EQ(c.head.start, head.start);
    ASSERT_EQ(c.records.size(), 3u);
    EXPECT_EQ(c.records[1].offset, 1'500'000'001ns);
    EXPECT_EQ(c.records[1].wall, wall);
    EXPECT_EQ(c.records[1].bytes, (codec::bytes{0x2F, 0x41, 0xFF}));
    EXPECT_EQ(c.records[2].text, "two lines");
    EXPECT_EQ(format_wall(*parse_wall("2024-02-29T23:59:59.5Z")), "2024-02-29T23:59:59.500000Z");
    EXPECT_FALSE(parse_wall("2023-02-29T00:00:00Z"));
}

TEST(CaptureFile, EveryPrefixParsesWithoutThrowing) {
    const auto text = test::read_text(test::data_dir() / "captures" / "nve_list1_list2.capture");
    for (std::size_t n = 0; n <= text.size(); ++n) {
        const auto c = parse(std::string_view(text).substr(0, n));
        // A prefix holds the records of its complete lines and at most one problem (the cut line).
        EXPECT_LE(c.problems.size(), 1u) << n;
        if (n == text.size()) {
            EXPECT_TRUE(c.problems.empty());
        }
    }
}

}  // namespace
}  // namespace hansim::capture
