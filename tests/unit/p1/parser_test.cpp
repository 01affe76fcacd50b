// The incremental P1 parser on hand-made streams: resync, limits, trailer and line errors.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "hansim/codec/crc.hpp"
#include "hansim/codec/p1/parser.hpp"

using namespace hansim::codec;
using namespace hansim::codec::p1;

namespace {

const std::string minimal = "/KAM5\r\n\r\n0-0:1.0.0(240115134520W)\r\n1-0:1.7.0(0001.234*kW)\r\n!0199\r\n";

byte_view ascii(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

std::vector<parse_result> drain(parser& p) {
    std::vector<parse_result> out;
    for (;;) {
        auto r = p.next();
        if (std::holds_alternative<need_more>(r)) return out;
        out.push_back(std::move(r));
    }
}

std::vector<parse_result> parse_all(std::string_view stream, parser_limits limits = {}) {
    parser p(limits);
    p.feed(ascii(stream));
    return drain(p);
}

/// A telegram with a correct CRC around arbitrary line text.
std::string with_crc(std::string body) {
    body += '!';
    const auto crc = crc16_arc(ascii(body));
    static constexpr char hex[] = "0123456789ABCDEF";
    for (int shift = 12; shift >= 0; shift -= 4) body += hex[(crc >> shift) & 0xF];
    return body + "\r\n";
}

}  // namespace

TEST(p1_parser, minimal_vector) {
    const auto results = parse_all(minimal);
    ASSERT_EQ(results.size(), 1u);
    const auto& f = std::get<telegram_frame>(results[0]);
    EXPECT_EQ(f.crc, 0x0199);
    EXPECT_EQ(f.stream_offset, 0u);
    EXPECT_TRUE(f.issues.empty());
    EXPECT_EQ(f.content.ident, "KAM5");
    EXPECT_EQ(f.content.manufacturer(), "KAM");
    ASSERT_EQ(f.content.lines.size(), 2u);
    EXPECT_EQ(f.content.number_of("1-0:1.7.0")->scaled(), 1234);
    EXPECT_EQ(f.content.timestamp_of("0-0:1.0.0")->to_text(), "240115134520W");
    EXPECT_EQ(std::string(f.raw.begin(), f.raw.end()), minimal);
}

TEST(p1_parser, garbage_before_slash_is_skipped) {
    parser p;
    const std::string noise("\r\n\0\xFF" "noise!1234\r\n", 16);
    const std::string stream = noise + minimal + "tail" + minimal;
    p.feed(ascii(stream));
    const auto results = drain(p);
    ASSERT_EQ(results.size(), 2u);
    EXPECT_EQ(std::get<telegram_frame>(results[0]).stream_offset, 16u);
    EXPECT_EQ(std::get<telegram_frame>(results[1]).stream_offset, 16u + minimal.size() + 4);
    EXPECT_EQ(p.bytes_skipped(), 20u);
    EXPECT_EQ(p.bytes_buffered(), 0u);
}

TEST(p1_parser, garbage_alone_is_not_kept) {
    parser p;
    const std::string noise(100000, 'x');
    p.feed(ascii(noise));
    EXPECT_TRUE(std::holds_alternative<need_more>(p.next()));
    EXPECT_EQ(p.bytes_buffered(), 0u);
    EXPECT_EQ(p.bytes_skipped(), noise.size());
}

TEST(p1_parser, crc_mismatch_names_sent_and_computed) {
    std::string bad = minimal;
    bad.replace(bad.find("!0199"), 5, "!0198");
    const auto results = parse_all(bad + minimal);
    ASSERT_EQ(results.size(), 2u);
    const auto& e = std::get<parse_error>(results[0]);
    EXPECT_EQ(e.stream_offset, minimal.find('!') + 1);
    EXPECT_NE(e.message.find("sent 0198"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("computed 0199"), std::string::npos) << e.message;
    EXPECT_EQ(std::get<telegram_frame>(results[1]).stream_offset, minimal.size());
}

TEST(p1_parser, cut_short_telegram_resyncs_at_the_next_slash) {
    const std::string cut = minimal.substr(0, 30);
    const auto results = parse_all(cut + minimal);
    ASSERT_EQ(results.size(), 2u);
    const auto& e = std::get<parse_error>(results[0]);
    EXPECT_EQ(e.stream_offset, 30u);
    EXPECT_NE(e.message.find("cut short"), std::string::npos) << e.message;
    EXPECT_EQ(std::get<telegram_frame>(results[1]).stream_offset, 30u);
}

TEST(p1_parser, trailer_must_be_four_upper_case_hex_digits_and_crlf) {
    for (const char* trailer : {"!01g9\r\n", "!0199\n\n", "!0199\r\r", "!019\r\n", "!a199\r\n"}) {
        std::string t = minimal;
        t.replace(t.find('!'), std::string::npos, trailer);
        const auto results = parse_all(t);
        ASSERT_EQ(results.size(), 1u) << trailer;
        const auto* e = std::get_if<parse_error>(&results[0]);
        ASSERT_NE(e, nullptr) << trailer;
        EXPECT_GT(e->stream_offset, minimal.find('!')) << trailer;
        EXPECT_NE(e->message.find("expected"), std::string::npos) << e->message;
    }
}

TEST(p1_parser, oversized_telegram_is_an_error_then_resync) {
    const std::string huge = "/KAM5\r\n\r\n" + std::string(300, 'x');
    parser p(parser_limits{256});
    p.feed(ascii(huge));
    auto r = p.next();
    const auto* e = std::get_if<parse_error>(&r);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->stream_offset, 0u);
    EXPECT_NE(e->message.find("no '!' within 256 bytes"), std::string::npos) << e->message;
    EXPECT_LE(p.bytes_buffered(), 300u + 9u);
    p.feed(ascii(minimal));
    const auto rest = drain(p);
    ASSERT_EQ(rest.size(), 1u);
    EXPECT_EQ(std::get<telegram_frame>(rest[0]).stream_offset, huge.size());
    EXPECT_EQ(p.bytes_buffered(), 0u);
}

TEST(p1_parser, telegram_of_exactly_the_limit_is_accepted) {
    const auto size_to_bang = minimal.find('!') + 1;
    EXPECT_EQ(parse_all(minimal, parser_limits{size_to_bang}).size(), 1u);
    EXPECT_TRUE(std::holds_alternative<telegram_frame>(parse_all(minimal, parser_limits{size_to_bang})[0]));
    EXPECT_TRUE(std::holds_alternative<parse_error>(parse_all(minimal, parser_limits{size_to_bang - 1})[0]));
}

TEST(p1_parser, malformed_lines_are_reported_with_offsets_and_skipped) {
    const std::string body = "/KAM5\r\n\r\n"
                             "1-0:1.8.0(00000001.000*kWh)\r\n"  // fine
                             "1-0:1.8(1)\r\n"                   // bad OBIS
                             "1-0:2.8.0(1\r\n"                  // unclosed group
                             "1-0:3.8.0(1)x\r\n"                // junk after a group
                             "1-0:4.8.0\r\n"                    // no group
                             "\r\n"                             // empty line
                             "1-0:1.7.0(0001.234*kW)\n"         // bare LF
                             "1-0:2.7.0(0000.000*kW)\r\n";
    const auto results = parse_all(with_crc(body));
    ASSERT_EQ(results.size(), 1u);
    const auto& f = std::get<telegram_frame>(results[0]);
    ASSERT_EQ(f.content.lines.size(), 3u);
    EXPECT_EQ(f.content.lines[0].obis, "1-0:1.8.0");
    EXPECT_EQ(f.content.lines[1].obis, "1-0:1.7.0");
    EXPECT_EQ(f.content.lines[2].obis, "1-0:2.7.0");
    ASSERT_EQ(f.issues.size(), 6u);
    const auto line_offset = [&](std::string_view line) { return body.find(line); };
    EXPECT_EQ(f.issues[0].stream_offset, line_offset("1-0:1.8(1)"));
    EXPECT_NE(f.issues[0].message.find("malformed OBIS '1-0:1.8'"), std::string::npos) << f.issues[0].message;
    EXPECT_EQ(f.issues[1].stream_offset, line_offset("1-0:2.8.0(1\r") + 9);
    EXPECT_NE(f.issues[1].message.find("not closed"), std::string::npos) << f.issues[1].message;
    EXPECT_EQ(f.issues[2].stream_offset, line_offset("1-0:3.8.0(1)x") + 12);
    EXPECT_NE(f.issues[2].message.find("found 'x'"), std::string::npos) << f.issues[2].message;
    EXPECT_NE(f.issues[3].message.find("no value group"), std::string::npos) << f.issues[3].message;
    EXPECT_NE(f.issues[4].message.find("empty data line"), std::string::npos) << f.issues[4].message;
    EXPECT_NE(f.issues[5].message.find("bare LF"), std::string::npos) << f.issues[5].message;
}

TEST(p1_parser, missing_empty_line_after_header_is_an_issue) {
    const auto results = parse_all(with_crc("/KAM5\r\n1-0:1.7.0(0001.234*kW)\r\n"));
    const auto& f = std::get<telegram_frame>(results.at(0));
    ASSERT_EQ(f.issues.size(), 1u);
    EXPECT_EQ(f.issues[0].stream_offset, 7u);
    ASSERT_EQ(f.content.lines.size(), 1u);
}

TEST(p1_parser, one_shot_parse_reports_incomplete_input) {
    EXPECT_TRUE(std::holds_alternative<telegram_frame>(parse_telegram(ascii(minimal))));
    const auto r = parse_telegram(ascii(minimal.substr(0, minimal.size() - 1)));
    const auto* e = std::get_if<parse_error>(&r);
    ASSERT_NE(e, nullptr);
    EXPECT_NE(e->message.find("incomplete"), std::string::npos) << e->message;
    const auto none = parse_telegram(ascii("no telegram here"));
    EXPECT_NE(std::get<parse_error>(none).message.find("no '/'"), std::string::npos);
}
