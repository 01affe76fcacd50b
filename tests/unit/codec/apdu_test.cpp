#include <gtest/gtest.h>

#include "hansim/codec/apdu/data_notification.hpp"
#include "hansim/codec/apdu/glo_ciphering.hpp"
#include "hansim/codec/apdu/llc.hpp"
#include "hansim/codec/apdu/notification_elements.hpp"

using namespace hansim::codec;
using namespace hansim::codec::apdu;
using axdr::data;

namespace {

const char* const small_apdu_hex =
    "0F 00 00 00 00 0C 07 E8 01 0F 01 0D 2D 14 FF 80 00 00 02 02 09 06 01 01 01 07 00 FF 06 00 00 00 00";

cosem_date_time example_time() {
    return *cosem_date_time::from_bytes(from_hex("07 E8 01 0F 01 0D 2D 14 FF 80 00 00"));
}

}  // namespace

TEST(data_notification, parses_and_rebuilds_the_small_vector) {
    const bytes wire = from_hex(small_apdu_hex);
    const auto apdu = data_notification::from_bytes(wire);
    ASSERT_TRUE(apdu.ok()) << apdu.error().message;
    EXPECT_EQ(apdu->long_invoke_id_and_priority, 0u);
    EXPECT_EQ(apdu->dt_encoding, date_time_encoding::standard);
    EXPECT_EQ(apdu->date_time, example_time());
    EXPECT_EQ(apdu->body, data::structure({obis_value(obis(1, 1, 1, 7, 0)), data::double_long_unsigned(0)}));
    EXPECT_EQ(apdu->to_bytes(), wire);
}

TEST(data_notification, three_date_time_encodings) {
    data_notification apdu;
    apdu.long_invoke_id_and_priority = 0x40000000;
    apdu.body = data::structure({data::unsigned_(1)});

    apdu.dt_encoding = date_time_encoding::absent;
    EXPECT_EQ(to_spaced_hex(apdu.to_bytes()), "0F 40 00 00 00 00 02 01 11 01");

    apdu.date_time = example_time();
    apdu.dt_encoding = date_time_encoding::standard;
    EXPECT_EQ(to_spaced_hex(apdu.to_bytes()), "0F 40 00 00 00 0C 07 E8 01 0F 01 0D 2D 14 FF 80 00 00 02 01 11 01");

    apdu.dt_encoding = date_time_encoding::legacy_09;
    const bytes legacy = apdu.to_bytes();
    EXPECT_EQ(to_spaced_hex(legacy), "0F 40 00 00 00 09 0C 07 E8 01 0F 01 0D 2D 14 FF 80 00 00 02 01 11 01");
    const auto parsed = data_notification::from_bytes(legacy);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(*parsed, apdu);

    const auto absent = data_notification::from_bytes(from_hex("0F 40 00 00 00 00 02 01 11 01"));
    ASSERT_TRUE(absent.ok());
    EXPECT_EQ(absent->dt_encoding, date_time_encoding::absent);
    EXPECT_FALSE(absent->date_time.has_value());
}

TEST(data_notification, missing_date_time_throws_when_building) {
    data_notification apdu;
    EXPECT_THROW((void)apdu.to_bytes(), std::invalid_argument);
}

TEST(data_notification, errors_name_the_offset) {
    const auto wrong_tag = data_notification::from_bytes(from_hex("0E 00"), 11);
    ASSERT_FALSE(wrong_tag.ok());
    EXPECT_EQ(wrong_tag.error().offset, 11u);

    const auto bad_length = data_notification::from_bytes(from_hex("0F 00 00 00 00 0B 07"));
    ASSERT_FALSE(bad_length.ok());
    EXPECT_EQ(bad_length.error().offset, 5u);
    EXPECT_NE(bad_length.error().message.find("0x0B"), std::string::npos);

    bytes trailing = from_hex(small_apdu_hex);
    trailing.push_back(0x00);
    const auto extra = data_notification::from_bytes(trailing);
    ASSERT_FALSE(extra.ok());
    EXPECT_EQ(extra.error().offset, 33u);

    bytes bad_tag = from_hex(small_apdu_hex);
    bad_tag[28] = 0x33;  // the value tag 06 of the P+ value
    const auto unknown = data_notification::from_bytes(bad_tag, 11);
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(unknown.error().message, "A-XDR: unknown type tag 0x33 at offset 39");

    const bytes full = from_hex(small_apdu_hex);
    for (std::size_t cut = 0; cut < full.size(); ++cut)
        EXPECT_FALSE(data_notification::from_bytes(byte_view(full).first(cut)).ok()) << cut;
}

TEST(glo_envelope, small_vector_header_fields) {
    const bytes wire = from_hex(
        "DB 08 4B 41 4D 45 00 BC 61 4E 82 00 32 30 00 01 23 46 08 C3 26 24 53 C8 E2 01 C8 BA E3 7A EA ED 36 8F 46 9E "
        "7A 15 31 9E 8D 1B BE 15 83 A6 7D 3F A1 0B 1B 43 1C CE DD D8 8B 78 8D AA 5A 8B CC");
    const auto envelope = glo_envelope::from_bytes(wire);
    ASSERT_TRUE(envelope.ok()) << envelope.error().message;
    EXPECT_EQ(envelope->tag, 0xDB);
    EXPECT_EQ(to_hex(envelope->system_title), "4B414D4500BC614E");
    EXPECT_EQ(envelope->length_form, axdr::length_form::forced_82);
    EXPECT_EQ(envelope->security_control, 0x30);
    EXPECT_EQ(envelope->invocation_counter, 0x00012346u);
    EXPECT_EQ(envelope->payload.size(), 33u + 12u);
    EXPECT_EQ(envelope->content_length(), 0x32u);
    EXPECT_EQ(envelope->to_bytes(), wire);
}

TEST(glo_envelope, minimal_length_form_and_ded_tag) {
    glo_envelope envelope;
    envelope.tag = general_ded_ciphering_tag;
    envelope.system_title = from_hex("4B414D4500BC614E");
    envelope.length_form = axdr::length_form::minimal;
    envelope.security_control = 0x20;
    envelope.invocation_counter = 7;
    envelope.payload = from_hex("AABB");
    const bytes wire = envelope.to_bytes();
    EXPECT_EQ(to_spaced_hex(wire), "DC 08 4B 41 4D 45 00 BC 61 4E 07 20 00 00 00 07 AA BB");
    EXPECT_EQ(glo_envelope::from_bytes(wire).value(), envelope);
}

TEST(glo_envelope, length_off_by_one_is_recognised) {
    const bytes wire = from_hex("DB 08 4B 41 4D 45 00 BC 61 4E 82 00 07 30 00 00 00 01 AA BB");
    ASSERT_TRUE(glo_envelope::from_bytes(wire).ok());

    bytes longer = wire;
    longer[12] = 0x08;
    const auto too_long = glo_envelope::from_bytes(longer, 11);
    ASSERT_FALSE(too_long.ok());
    EXPECT_EQ(too_long.error().offset, 21u);
    EXPECT_EQ(too_long.error().message,
              "glo-ciphering: ciphered-content length field at offset 21 declares 8 bytes but 7 follow");

    bytes shorter = wire;
    shorter[12] = 0x06;
    const auto too_short = glo_envelope::from_bytes(shorter);
    ASSERT_FALSE(too_short.ok());
    EXPECT_NE(too_short.error().message.find("declares 6 bytes but 7 follow"), std::string::npos);
}

TEST(glo_envelope, rejects_other_tags_and_truncation) {
    EXPECT_FALSE(glo_envelope::from_bytes(from_hex("DD 08")).ok());
    EXPECT_FALSE(glo_envelope::from_bytes(from_hex("DB 08 4B 41")).ok());
    EXPECT_FALSE(glo_envelope::from_bytes(from_hex("DB 00 03 30 00 00")).ok());  // content shorter than SC + IC
    glo_envelope bad;
    bad.tag = 0xDF;
    EXPECT_THROW((void)bad.to_bytes(), std::invalid_argument);
}

TEST(llc, wrap_and_strip) {
    const bytes apdu = from_hex("0F 00");
    const bytes wrapped = wrap_llc(apdu);
    EXPECT_EQ(to_spaced_hex(wrapped), "E6 E7 00 0F 00");
    const auto stripped = strip_llc(wrapped);
    ASSERT_TRUE(stripped.ok());
    EXPECT_EQ(bytes(stripped->begin(), stripped->end()), apdu);
    EXPECT_TRUE(strip_llc(from_hex("E6 E6 00")).ok());
}

TEST(llc, bad_headers_name_the_byte) {
    const auto source = strip_llc(from_hex("E6 E8 00 0F"), 8);
    ASSERT_FALSE(source.ok());
    EXPECT_EQ(source.error().offset, 9u);
    EXPECT_EQ(source.error().message, "LLC: source LSAP 0xE8 at offset 9 (expected 0xE7 or 0xE6)");
    EXPECT_FALSE(strip_llc(from_hex("E7 E7 00")).ok());
    EXPECT_FALSE(strip_llc(from_hex("E6 E7 01")).ok());
    EXPECT_FALSE(strip_llc(from_hex("E6 E7")).ok());
}

TEST(notification_elements, split_and_rebuild_with_placeholders) {
    const auto body = data::structure({
        data::visible_string("Kamstrup_V0001"),
        obis_value(obis(1, 1, 31, 7, 0)), data::double_long_unsigned(567),
        data::null(), data::null(),
        data::null(), data::null(),
        obis_value(obis(1, 1, 32, 7, 0)), data::long_unsigned(230),
    });
    const auto elements = split_flat_body(body);
    ASSERT_TRUE(elements.ok()) << elements.error().message;
    ASSERT_EQ(elements->size(), 5u);
    EXPECT_FALSE((*elements)[0].obis.has_value());
    EXPECT_EQ((*elements)[0].value.as_string(), "Kamstrup_V0001");
    EXPECT_EQ((*elements)[1].obis, obis(1, 1, 31, 7, 0));
    EXPECT_EQ((*elements)[1].value.as_unsigned(), 567u);
    EXPECT_TRUE((*elements)[2].is_placeholder());
    EXPECT_TRUE((*elements)[3].is_placeholder());
    EXPECT_EQ((*elements)[4].value.as_unsigned(), 230u);
    EXPECT_EQ(make_flat_body(*elements), body);
}

TEST(notification_elements, malformed_bodies) {
    EXPECT_FALSE(split_flat_body(data::array({data::null()})).ok());
    EXPECT_FALSE(split_flat_body(data::structure({})).ok());
    const auto dangling = split_flat_body(data::structure({data::visible_string("v"), obis_value(obis(1, 1, 1, 7, 0))}));
    ASSERT_FALSE(dangling.ok());
    EXPECT_EQ(dangling.error().offset, 1u);
    const auto not_obis =
        split_flat_body(data::structure({data::visible_string("v"), data::octet_string(from_hex("0101")), data::null()}));
    ASSERT_FALSE(not_obis.ok());
    EXPECT_NE(not_obis.error().message.find("member 1"), std::string::npos);
    const auto half_placeholder =
        split_flat_body(data::structure({data::visible_string("v"), data::null(), data::unsigned_(1)}));
    ASSERT_FALSE(half_placeholder.ok());
    EXPECT_EQ(half_placeholder.error().offset, 2u);
    EXPECT_THROW(make_flat_body({element{std::nullopt, data::visible_string("v")},
                                 element{std::nullopt, data::unsigned_(3)}}),
                 std::invalid_argument);
}

TEST(notification_elements, obis_of) {
    EXPECT_EQ(obis_of(obis_value(obis(0, 1, 1, 0, 0))), obis(0, 1, 1, 0, 0));
    EXPECT_FALSE(obis_of(data::octet_string(from_hex("0001010000"))).has_value());
    EXPECT_FALSE(obis_of(data::visible_string("000101")).has_value());
}
