#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "hansim/codec/axdr/codec.hpp"
#include "hansim/codec/axdr/length.hpp"

using namespace hansim::codec;
using axdr::data;
using axdr::data_type;
using axdr::length_form;

namespace {

/// Encodes, checks the exact bytes, decodes them back and checks the value and consumed size.
void expect_round_trip(const data& value, std::string_view hex) {
    const bytes expected = from_hex(hex);
    EXPECT_EQ(to_spaced_hex(axdr::encode(value)), to_spaced_hex(expected)) << value.to_string();
    const auto decoded = axdr::decode(expected);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(decoded->value, value) << decoded->value.to_string();
    EXPECT_EQ(decoded->consumed, expected.size());
}

bytes filled(std::size_t n) {
    bytes out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(i * 7 + 1);
    return out;
}

}  // namespace

TEST(axdr, every_scalar_type_round_trips) {
    expect_round_trip(data::null(), "00");
    expect_round_trip(data::boolean(true), "03 01");
    expect_round_trip(data::boolean(false), "03 00");
    expect_round_trip(data::double_long(-2), "05 FF FF FF FE");
    expect_round_trip(data::double_long(std::numeric_limits<std::int32_t>::min()), "05 80 00 00 00");
    expect_round_trip(data::double_long_unsigned(1234), "06 00 00 04 D2");
    expect_round_trip(data::double_long_unsigned(0xFFFFFFFF), "06 FF FF FF FF");
    expect_round_trip(data::octet_string(from_hex("0101010700FF")), "09 06 01 01 01 07 00 FF");
    expect_round_trip(data::octet_string({}), "09 00");
    expect_round_trip(data::visible_string("Kamstrup_V0001"), "0A 0E 4B 61 6D 73 74 72 75 70 5F 56 30 30 30 31");
    expect_round_trip(data::utf8_string("\xC3\xA6"), "0C 02 C3 A6");
    expect_round_trip(data::bcd(0x12), "0D 12");
    expect_round_trip(data::integer(-128), "0F 80");
    expect_round_trip(data::long_(-300), "10 FE D4");
    expect_round_trip(data::unsigned_(250), "11 FA");
    expect_round_trip(data::long_unsigned(230), "12 00 E6");
    expect_round_trip(data::long64(-1), "14 FF FF FF FF FF FF FF FF");
    expect_round_trip(data::long64_unsigned(0x0102030405060708), "15 01 02 03 04 05 06 07 08");
    expect_round_trip(data::enum_(27), "16 1B");
    expect_round_trip(data::float32(1.5f), "17 3F C0 00 00");
    expect_round_trip(data::float64(-2.0), "18 C0 00 00 00 00 00 00 00");
    expect_round_trip(data::date({0x07, 0xE8, 0x01, 0x0F, 0x01}), "1A 07 E8 01 0F 01");
    expect_round_trip(data::time({0x0D, 0x2D, 0x14, 0xFF}), "1B 0D 2D 14 FF");
    expect_round_trip(data::bit_string(from_hex("A0"), 3), "04 03 A0");
    expect_round_trip(data::bit_string(from_hex("FFFF01"), 17), "04 11 FF FF 01");

    cosem_date_time dt;
    dt.year = 2024;
    dt.month = 1;
    dt.day = 15;
    dt.day_of_week = 1;
    dt.hour = 13;
    dt.minute = 45;
    dt.second = 20;
    expect_round_trip(data::date_time(dt), "19 07 E8 01 0F 01 0D 2D 14 FF 80 00 00");
}

TEST(axdr, nan_payload_survives_exactly) {
    const auto nan = data::float32_bits(0x7FA00001);
    const auto decoded = axdr::decode(axdr::encode(nan));
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(decoded->value.float_bits(), 0x7FA00001u);
    EXPECT_TRUE(std::isnan(decoded->value.as_double()));
}

TEST(axdr, structures_and_arrays_nest) {
    const auto value = data::structure({data::octet_string(from_hex("0101010700FF")), data::double_long_unsigned(1234),
                                        data::array({data::unsigned_(1), data::unsigned_(2)}), data::structure({})});
    expect_round_trip(value, "02 04 09 06 01 01 01 07 00 FF 06 00 00 04 D2 01 02 11 01 11 02 02 00");
    EXPECT_EQ(value.children().size(), 4u);
    EXPECT_EQ(value.children()[2].children()[1].as_unsigned(), 2u);
}

TEST(axdr, long_lengths_use_81_82_83_84) {
    bytes expected = from_hex("09 81 C8");
    bytes contents = filled(200);
    expected.insert(expected.end(), contents.begin(), contents.end());
    expect_round_trip(data::octet_string(contents), to_hex(expected));

    expected = from_hex("09 82 01 D0");
    contents = filled(464);
    expected.insert(expected.end(), contents.begin(), contents.end());
    expect_round_trip(data::octet_string(contents), to_hex(expected));

    expected = from_hex("09 83 01 00 00");
    contents = filled(65536);
    expected.insert(expected.end(), contents.begin(), contents.end());
    expect_round_trip(data::octet_string(contents), to_hex(expected));

    // A 200-element structure: count 81 C8.
    std::vector<data> many(200, data::null());
    bytes structure = from_hex("02 81 C8");
    structure.insert(structure.end(), 200, 0x00);
    expect_round_trip(data::structure(many), to_hex(structure));
}

TEST(axdr, length_field_forms) {
    const struct {
        std::size_t n;
        length_form form;
        const char* hex;
    } cases[] = {
        {0, length_form::minimal, "00"},
        {127, length_form::minimal, "7F"},
        {128, length_form::minimal, "81 80"},
        {255, length_form::minimal, "81 FF"},
        {256, length_form::minimal, "82 01 00"},
        {65535, length_form::minimal, "82 FF FF"},
        {65536, length_form::minimal, "83 01 00 00"},
        {0x01000000, length_form::minimal, "84 01 00 00 00"},
        {0xFFFFFFFF, length_form::minimal, "84 FF FF FF FF"},
        {14, length_form::forced_81, "81 0E"},
        {231, length_form::forced_82, "82 00 E7"},
        {5, length_form::forced_83, "83 00 00 05"},
        {5, length_form::forced_84, "84 00 00 00 05"},
    };
    for (const auto& c : cases) {
        bytes out;
        axdr::encode_length(out, c.n, c.form);
        EXPECT_EQ(to_spaced_hex(out), to_spaced_hex(from_hex(c.hex))) << c.n;
        EXPECT_EQ(axdr::encoded_length_size(c.n, c.form), out.size());
        const auto decoded = axdr::decode_length(out);
        ASSERT_TRUE(decoded.ok());
        ASSERT_TRUE(decoded.value().has_value());
        EXPECT_EQ(decoded.value()->value, c.n);
        EXPECT_EQ(decoded.value()->consumed, out.size());
        EXPECT_EQ(decoded.value()->form, c.form) << c.hex;
    }
}

TEST(axdr, forced_form_too_small_throws) {
    bytes out;
    EXPECT_THROW(axdr::encode_length(out, 300, length_form::forced_81), std::length_error);
    EXPECT_THROW(axdr::encode_length(out, 0x10000, length_form::forced_82), std::length_error);
}

TEST(axdr, decode_length_needs_more_or_fails) {
    EXPECT_FALSE(axdr::decode_length(bytes{}).value().has_value());
    EXPECT_FALSE(axdr::decode_length(from_hex("82 01")).value().has_value());
    const auto indefinite = axdr::decode_length(from_hex("80"), 10);
    ASSERT_FALSE(indefinite.ok());
    EXPECT_EQ(indefinite.error().offset, 10u);
    EXPECT_NE(indefinite.error().message.find("0x80"), std::string::npos);
    const auto too_wide = axdr::decode_length(from_hex("85 00 00 00 00 01"));
    ASSERT_FALSE(too_wide.ok());
    EXPECT_NE(too_wide.error().message.find("0x85"), std::string::npos);
}

TEST(axdr, non_minimal_lengths_are_accepted) {
    const auto decoded = axdr::decode(from_hex("0A 82 00 03 41 42 43"));
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(decoded->value.as_string(), "ABC");
    EXPECT_EQ(decoded->consumed, 7u);
    const auto structure = axdr::decode(from_hex("02 81 01 12 00 E6"));
    ASSERT_TRUE(structure.ok());
    EXPECT_EQ(structure->value.children().at(0).as_unsigned(), 230u);
}

TEST(axdr, decode_leaves_trailing_bytes) {
    const auto decoded = axdr::decode(from_hex("11 05 FF FF"));
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(decoded->consumed, 2u);
}

TEST(axdr, unknown_tag_names_tag_and_offset) {
    const auto decoded = axdr::decode(from_hex("02 02 12 00 E6 33"), 52);
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.error().offset, 57u);
    EXPECT_EQ(decoded.error().message, "A-XDR: unknown type tag 0x33 at offset 57");
}

TEST(axdr, truncation_is_an_error_where_the_input_ends) {
    const bytes full = from_hex("02 02 09 06 01 01 01 07 00 FF 06 00 00 04 D2");
    for (std::size_t cut = 0; cut < full.size(); ++cut) {
        const auto decoded = axdr::decode(byte_view(full).first(cut));
        ASSERT_FALSE(decoded.ok()) << "cut at " << cut;
        EXPECT_EQ(decoded.error().offset, cut) << decoded.error().message;
    }
    const auto string = axdr::decode(from_hex("09 0C 01 02"));
    ASSERT_FALSE(string.ok());
    EXPECT_NE(string.error().message.find("octet-string of 12 bytes"), std::string::npos) << string.error().message;
}

TEST(axdr, huge_counts_are_rejected_before_allocating) {
    const auto decoded = axdr::decode(from_hex("01 84 FF FF FF FF 00"));
    ASSERT_FALSE(decoded.ok());
    EXPECT_NE(decoded.error().message.find("4294967295 elements"), std::string::npos) << decoded.error().message;
}

TEST(axdr, nesting_depth_is_limited) {
    bytes deep;
    for (std::size_t i = 0; i <= axdr::max_nesting_depth; ++i) {
        deep.push_back(0x02);
        deep.push_back(0x01);
    }
    deep.push_back(0x00);
    const auto too_deep = axdr::decode(deep);  // 33 nested structures
    ASSERT_FALSE(too_deep.ok());
    EXPECT_NE(too_deep.error().message.find("nests deeper than 32"), std::string::npos);
    EXPECT_TRUE(axdr::decode(byte_view(deep).subspan(2)).ok());  // 32 nested structures
}

TEST(axdr, accessors_reject_wrong_types) {
    EXPECT_THROW((void)data::visible_string("x").as_unsigned(), std::logic_error);
    EXPECT_THROW((void)data::double_long_unsigned(1).as_signed(), std::logic_error);
    EXPECT_THROW((void)data::null().children(), std::logic_error);
    EXPECT_THROW((void)data::integer(1).as_bytes(), std::logic_error);
    EXPECT_THROW(data::bit_string(from_hex("00"), 9), std::invalid_argument);
    EXPECT_EQ(data::enum_(3).as_unsigned(), 3u);
    EXPECT_EQ(data::long_(-3).as_signed(), -3);
}

TEST(axdr, equality_distinguishes_types) {
    EXPECT_NE(data::unsigned_(1), data::enum_(1));
    EXPECT_NE(data::octet_string(from_hex("41")), data::visible_string("A"));
    EXPECT_NE(data::visible_string("A").type(), data_type::utf8_string);
    EXPECT_EQ(data::structure({data::unsigned_(1)}), data::structure({data::unsigned_(1)}));
}

TEST(axdr, to_string_is_readable) {
    const auto value = data::structure({data::octet_string(from_hex("0101010700FF")), data::double_long_unsigned(1234)});
    EXPECT_EQ(value.to_string(), "structure[2]{octet-string(0101010700FF), double-long-unsigned(1234)}");
}

TEST(axdr, to_string_escapes_strings) {
    EXPECT_EQ(data::visible_string(std::string("a\"b\\\x01", 5)).to_string(), R"(visible-string("a\"b\\\x01"))");
}
