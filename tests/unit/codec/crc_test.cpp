#include <gtest/gtest.h>

#include <string_view>

#include "hansim/codec/crc.hpp"

using namespace hansim::codec;

namespace {
byte_view ascii(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }
}  // namespace

TEST(crc16_x25, check_value) { EXPECT_EQ(crc16_x25(ascii("123456789")), 0x906E); }

TEST(crc16_x25, green_book_sequence) {
    const bytes body{0x03, 0x3F};
    EXPECT_EQ(crc16_x25(body), 0xEC5B);
}

TEST(crc16_x25, kamstrup_headers) {
    EXPECT_EQ(crc16_x25(from_hex("A0E22B2113")), 0x9A23);
    EXPECT_EQ(crc16_x25(from_hex("A12C2B2113")), 0x04FC);
    EXPECT_EQ(crc16_x25(from_hex("A0BA2B2113")), 0xAAED);
    EXPECT_EQ(crc16_x25(from_hex("A1E9410313")), 0x37C6);
}

TEST(crc16_x25, update_equals_whole) {
    const auto data = ascii("123456789");
    EXPECT_EQ(crc16_x25_update(crc16_x25(data.first(4)), data.subspan(4)), 0x906E);
    EXPECT_EQ(crc16_x25_update(0, data), 0x906E);
}

TEST(crc16_arc, check_value) {
    EXPECT_EQ(crc16_arc(ascii("123456789")), 0xBB3D);
    EXPECT_EQ(crc16_arc_update(crc16_arc(ascii("1234")), ascii("56789")), 0xBB3D);
}

namespace {
// Bit-at-a-time definitions (the textbook form), independent of the sliced tables.
std::uint16_t bitwise_reflected(std::uint16_t poly, std::uint16_t crc, byte_view data) {
    for (auto b : data) {
        crc ^= b;
        for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? static_cast<std::uint16_t>((crc >> 1) ^ poly) : crc >> 1;
    }
    return crc;
}
}  // namespace

// The sixteen-bytes-at-a-time path must agree with the bitwise definition at every length
// and alignment (the tail loop, the block loop, and where they meet), and when continued.
TEST(crc16, sliced_tables_equal_the_bitwise_definition_at_every_length_and_offset) {
    bytes data(300);
    std::uint32_t x = 12345;
    for (auto& b : data) b = static_cast<std::uint8_t>((x = x * 1103515245u + 12345u) >> 16);
    for (std::size_t offset = 0; offset < 17; ++offset)
        for (std::size_t n = 0; offset + n <= data.size(); ++n) {
            const byte_view v = byte_view(data).subspan(offset, n);
            ASSERT_EQ(crc16_x25(v), bitwise_reflected(0x8408, 0xFFFF, v) ^ 0xFFFF) << offset << "+" << n;
            ASSERT_EQ(crc16_arc(v), bitwise_reflected(0xA001, 0, v)) << offset << "+" << n;
            const std::size_t cut = n / 3;
            ASSERT_EQ(crc16_x25_update(crc16_x25(v.first(cut)), v.subspan(cut)), crc16_x25(v));
            ASSERT_EQ(crc16_arc_update(crc16_arc(v.first(cut)), v.subspan(cut)), crc16_arc(v));
        }
}

TEST(hex, round_trip_and_errors) {
    const auto b = from_hex("7E a0\nE2 ");
    ASSERT_EQ(b.size(), 3u);
    EXPECT_EQ(to_hex(b), "7EA0E2");
    EXPECT_EQ(to_spaced_hex(b), "7E A0 E2");
    EXPECT_THROW(from_hex("7E A"), std::invalid_argument);
    EXPECT_THROW(from_hex("7G"), std::invalid_argument);
}
