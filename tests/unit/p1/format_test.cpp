// Number formatting, value classification, timestamps and OBIS text of the P1 codec.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>

#include "hansim/codec/p1/telegram.hpp"
#include "hansim/codec/p1/writer.hpp"

using namespace hansim::codec::p1;

TEST(p1_format_fixed, fixed_widths_of_the_kamstrup_list) {
    EXPECT_EQ(format_fixed(123456789, 8, 3), "00123456.789");
    EXPECT_EQ(format_fixed(1234, 4, 3), "0001.234");
    EXPECT_EQ(format_fixed(0, 4, 3), "0000.000");
    EXPECT_EQ(format_fixed(2301, 3, 1), "230.1");
    EXPECT_EQ(format_fixed(56, 3, 1), "005.6");
    EXPECT_EQ(format_fixed(2, 3, 0), "002");
    EXPECT_EQ(format_fixed(758, 1, 3), "0.758");
    EXPECT_EQ(format_fixed(5, 0, 2), "0.05");
}

TEST(p1_format_fixed, wider_values_and_negatives) {
    EXPECT_EQ(format_fixed(123456789012, 8, 3), "123456789.012");  // width is a minimum
    EXPECT_EQ(format_fixed(-15, 3, 1), "-001.5");
    EXPECT_EQ(format_fixed(INT64_MIN, 1, 0), "-9223372036854775808");
}

TEST(p1_number, make_number_and_accessors) {
    const auto n = make_number(1234, 4, 3, "kW");
    EXPECT_EQ(n.to_text(), "0001.234*kW");
    EXPECT_EQ(n.scaled(), 1234);
    EXPECT_DOUBLE_EQ(n.value(), 1.234);
    EXPECT_EQ(n.unit, "kW");
    EXPECT_EQ(make_number(-5, 2, 1).to_text(), "-00.5");
    EXPECT_EQ(make_number(2, 3, 0, "A").to_text(), "002*A");
    EXPECT_THROW(make_number(1, 4, 3, "k W"), std::invalid_argument);
    EXPECT_THROW(make_number(1, 16, 3), std::invalid_argument);
}

TEST(p1_value, classification_keeps_the_written_form) {
    for (const char* content : {"00123456.789*kWh", "230.1*V", "002*A", "0.758", "0001", "1234567890", "-0.5*kW",
                                "240115134520W", "240407122854S", "", "ON", "AUX1234567890123", "202056789012W",
                                "12.", ".5", "1.5*", "1.5*k W", "+1", "1234567890123456789", "a(b", "m3"}) {
        EXPECT_EQ(to_text(classify_value(content)), content) << content;
    }
    EXPECT_TRUE(std::holds_alternative<number>(classify_value("0001")));
    EXPECT_TRUE(std::holds_alternative<number>(classify_value("123456789012345678")));
    EXPECT_TRUE(std::holds_alternative<text>(classify_value("1234567890123456789")));  // 19 digits
    EXPECT_TRUE(std::holds_alternative<text>(classify_value("202056789012W")));        // month 20
    EXPECT_TRUE(std::holds_alternative<text>(classify_value("ON")));
    EXPECT_TRUE(std::holds_alternative<text>(classify_value("1.5*k-W")));

    const auto v = classify_value("00009876.543*kVArh");
    const auto& n = std::get<number>(v);
    EXPECT_EQ(n.scaled(), 9876543);
    EXPECT_EQ(n.integer_digits, 8);
    EXPECT_EQ(n.decimals, 3);
    EXPECT_EQ(n.unit, "kVArh");
}

TEST(p1_timestamp, fields_and_flag) {
    const auto v = classify_value("240407122854S");
    const auto& t = std::get<timestamp>(v);
    EXPECT_EQ(t.full_year(), 2024);
    EXPECT_EQ(t.month, 4);
    EXPECT_EQ(t.day, 7);
    EXPECT_EQ(t.hour, 12);
    EXPECT_EQ(t.minute, 28);
    EXPECT_EQ(t.second, 54);
    EXPECT_TRUE(t.daylight_saving);
    timestamp w{24, 1, 15, 13, 45, 20, false};
    EXPECT_EQ(w.to_text(), "240115134520W");
    EXPECT_TRUE(w.valid());
    w.hour = 24;
    EXPECT_FALSE(w.valid());
}

TEST(p1_obis, p1_text_form) {
    const auto code = parse_p1_obis("1-0:21.7.0");
    ASSERT_TRUE(code);
    EXPECT_EQ(*code, hansim::codec::obis(1, 0, 21, 7, 0));
    EXPECT_EQ(parse_p1_obis("0-0:96.50.68.255"), hansim::codec::obis(0, 0, 96, 50, 68, 255));
    for (const char* bad : {"", "1-0:1.8", "1-0:1.8.0.", "1-0:256.8.0", "1-0;1.8.0", "1-0:1.8.0x", "1-0:0001.8.0"})
        EXPECT_FALSE(parse_p1_obis(bad)) << bad;
    data_line line{"1-0:1.8.0", {classify_value("00000896.020*kWh")}};
    EXPECT_EQ(line.parsed_obis(), hansim::codec::obis(1, 0, 1, 8, 0));
    ASSERT_NE(line.number_at(0), nullptr);
    EXPECT_EQ(line.timestamp_at(0), nullptr);
    EXPECT_EQ(line.number_at(1), nullptr);
}

namespace {
// format_fixed as first written (digits inserted in front one by one), for comparison.
std::string format_fixed_by_inserting(std::int64_t scaled, unsigned integer_digits, unsigned decimals) {
    const bool negative = scaled < 0;
    std::uint64_t magnitude = negative ? static_cast<std::uint64_t>(-(scaled + 1)) + 1 : static_cast<std::uint64_t>(scaled);
    std::string digits;
    do {
        digits.insert(digits.begin(), static_cast<char>('0' + magnitude % 10));
        magnitude /= 10;
    } while (magnitude != 0);
    const std::size_t min_integer = integer_digits == 0 ? 1 : integer_digits;
    if (digits.size() < decimals + min_integer) digits.insert(0, decimals + min_integer - digits.size(), '0');
    if (decimals > 0) digits.insert(digits.size() - decimals, 1, '.');
    return negative ? "-" + digits : digits;
}
}  // namespace

TEST(p1_format_fixed, equals_the_digit_by_digit_form_for_any_value_and_layout) {
    std::uint64_t state = 0x13198A2E03707344ull;
    for (int i = 0; i < 200'000; ++i) {
        state ^= state << 13, state ^= state >> 7, state ^= state << 17;
        const auto scaled = static_cast<std::int64_t>(state >> (i % 64));
        const unsigned width = static_cast<unsigned>(i % 13), decimals = static_cast<unsigned>((i / 13) % 9);
        const std::int64_t v = i % 2 ? scaled : -scaled;
        ASSERT_EQ(format_fixed(v, width, decimals), format_fixed_by_inserting(v, width, decimals)) << v;
    }
    for (std::int64_t v : {INT64_MIN, INT64_MAX, std::int64_t{0}, std::int64_t{-1}})
        for (unsigned w = 0; w < 22; ++w)
            for (unsigned d = 0; d < 22; ++d) ASSERT_EQ(format_fixed(v, w, d), format_fixed_by_inserting(v, w, d));
}
