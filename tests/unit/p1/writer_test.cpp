// The P1 writer: exact bytes, CRC placement and refusal of unwritable content.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string_view>

#include "hansim/codec/crc.hpp"
#include "hansim/codec/p1/writer.hpp"

using namespace hansim::codec;
using namespace hansim::codec::p1;

namespace {
byte_view ascii(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

telegram minimal() {
    telegram t;
    t.ident = "KAM5";
    t.lines.push_back({"0-0:1.0.0", {timestamp{24, 1, 15, 13, 45, 20, false}}});
    t.lines.push_back({"1-0:1.7.0", {make_number(1234, 4, 3, "kW")}});
    return t;
}
}  // namespace

TEST(p1_crc, check_value) { EXPECT_EQ(telegram_crc(ascii("123456789")), 0xBB3D); }

TEST(p1_writer, minimal_vector_of_protocols_md) {
    EXPECT_EQ(write_telegram_text(minimal()),
              "/KAM5\r\n\r\n0-0:1.0.0(240115134520W)\r\n1-0:1.7.0(0001.234*kW)\r\n!0199\r\n");
}

TEST(p1_writer, crc_covers_slash_to_bang) {
    const auto text = write_telegram_text(minimal());
    const auto bang = text.find('!');
    EXPECT_EQ(crc16_arc(ascii(std::string_view(text).substr(0, bang + 1))), 0x0199);
    EXPECT_EQ(write_telegram(minimal()), bytes(text.begin(), text.end()));
}

TEST(p1_writer, multiple_groups_and_continuation_lines) {
    telegram t;
    t.ident = "XYZ5 test";
    t.lines.push_back({"0-0:98.1.0", {timestamp{21, 3, 1, 0, 0, 0, false}, make_number(249070, 6, 3, "kWh"), text{}}});
    t.lines.push_back({"", {text{"m3"}}});
    const auto s = write_telegram_text(t);
    EXPECT_NE(s.find("0-0:98.1.0(210301000000W)(000249.070*kWh)()\r\n(m3)\r\n!"), std::string::npos) << s;
}

TEST(p1_writer, refuses_what_would_break_framing) {
    auto t = minimal();
    t.ident = "KAM5\r\n";
    EXPECT_THROW(write_telegram(t), std::invalid_argument);
    t = minimal();
    t.lines[1].values[0] = text{"1)2"};
    try {
        write_telegram(t);
        FAIL() << "a ')' in a text value must be refused";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("line 2 (1-0:1.7.0)"), std::string::npos) << e.what();
    }
    t = minimal();
    t.lines[1].obis = "1-0:1.7";
    EXPECT_THROW(write_telegram(t), std::invalid_argument);
    t = minimal();
    t.lines[1].values.clear();
    EXPECT_THROW(write_telegram(t), std::invalid_argument);
    t = minimal();
    t.lines[0].values[0] = timestamp{24, 13, 1, 0, 0, 0, false};
    EXPECT_THROW(write_telegram(t), std::invalid_argument);
}
