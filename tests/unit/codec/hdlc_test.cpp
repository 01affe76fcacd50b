#include <gtest/gtest.h>

#include "hansim/codec/apdu/llc.hpp"
#include "hansim/codec/crc.hpp"
#include "hansim/codec/hdlc/frame.hpp"
#include "hansim/codec/hdlc/stream_decoder.hpp"

using namespace hansim::codec;
using namespace hansim::codec::hdlc;

namespace {

hdlc_frame kamstrup_frame(bytes information) {
    return hdlc_frame{kamstrup_client, kamstrup_server, control_ui_final, false, std::move(information)};
}

/// Drains the decoder: every event until need_more.
std::vector<stream_event> drain(stream_decoder& decoder) {
    std::vector<stream_event> events;
    for (;;) {
        auto event = decoder.next();
        if (std::holds_alternative<need_more>(event)) return events;
        events.push_back(std::move(event));
    }
}

}  // namespace

TEST(hdlc_address, wire_forms) {
    bytes out;
    encode_address(out, kamstrup_client);
    encode_address(out, kamstrup_server);
    encode_address(out, kamstrup_ciphered_client);
    encode_address(out, kamstrup_ciphered_server);
    encode_address(out, hdlc_address{0x241, 2});
    encode_address(out, hdlc_address{(0x12u << 14) | 0x3456u, 4});
    EXPECT_EQ(to_spaced_hex(out), "2B 21 41 03 08 83 00 24 D0 AD");

    const auto two = decode_address(from_hex("08 83"));
    ASSERT_TRUE(two.ok());
    EXPECT_EQ(two->address, (hdlc_address{0x241, 2}));
    EXPECT_EQ(two->consumed, 2u);
    const auto four = decode_address(from_hex("00 24 D0 AD"));
    ASSERT_TRUE(four.ok());
    EXPECT_EQ(four->address, (hdlc_address{(0x12u << 14) | 0x3456u, 4}));
    EXPECT_FALSE(decode_address(from_hex("02 04 07")).ok());     // 3 bytes
    EXPECT_FALSE(decode_address(from_hex("02 04 06 08 0A")).ok());  // no end marker
    EXPECT_THROW(encode_address(out, hdlc_address{0x80, 1}), std::invalid_argument);
    EXPECT_THROW(encode_address(out, hdlc_address{1, 3}), std::invalid_argument);
}

TEST(hdlc_frame, green_book_and_kamstrup_headers) {
    // An information-less frame: no HCS; FCS over format..control.
    const bytes empty = encode(hdlc_frame{kamstrup_client, kamstrup_server, 0x13, false, {}});
    EXPECT_EQ(empty.size(), 9u);
    EXPECT_EQ(to_spaced_hex(byte_view(empty).first(6)), "7E A0 07 2B 21 13");
    const auto decoded_empty = decode_frame(empty);
    ASSERT_TRUE(decoded_empty.ok()) << decoded_empty.error().message;
    EXPECT_TRUE(decoded_empty->information.empty());

    // 217 information bytes give the list-1 header A0 E2 with HCS 23 9A.
    const bytes frame = encode(kamstrup_frame(bytes(217, 0x55)));
    ASSERT_EQ(frame.size(), 228u);
    EXPECT_EQ(to_spaced_hex(byte_view(frame).first(8)), "7E A0 E2 2B 21 13 23 9A");
    EXPECT_EQ(frame.back(), 0x7E);
    const auto decoded = decode_frame(frame);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(*decoded, kamstrup_frame(bytes(217, 0x55)));
}

TEST(hdlc_frame, multi_byte_addresses_and_segment_bit) {
    hdlc_frame frame{hdlc_address{0x20, 1}, hdlc_address{0x241, 2}, 0x13, true, from_hex("E6 E7 00 0F")};
    const bytes wire = encode(frame);
    EXPECT_EQ(to_spaced_hex(byte_view(wire).first(7)), "7E A8 0E 41 08 83 13");
    const auto decoded = decode_frame(wire);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(*decoded, frame);
}

TEST(hdlc_frame, too_long_throws) {
    EXPECT_NO_THROW(encode(kamstrup_frame(bytes(2047 - 9, 0))));
    EXPECT_THROW(encode(kamstrup_frame(bytes(2047 - 8, 0))), std::length_error);
}

TEST(hdlc_frame, decode_frame_errors) {
    const bytes good = encode(kamstrup_frame(from_hex("E6 E7 00 0F 01 02")));
    bytes bad_fcs = good;
    bad_fcs[bad_fcs.size() - 3] ^= 0x01;
    const auto fcs = decode_frame(bad_fcs, 900);
    ASSERT_FALSE(fcs.ok());
    EXPECT_EQ(fcs.error().offset, 900u);
    EXPECT_NE(fcs.error().message.find("FCS mismatch"), std::string::npos);
    EXPECT_NE(fcs.error().message.find("in frame at offset 900"), std::string::npos);

    bytes bad_hcs = good;
    bad_hcs[6] ^= 0x80;
    EXPECT_NE(decode_frame(bad_hcs).error().message.find("HCS mismatch"), std::string::npos);

    bytes no_flag = good;
    no_flag.back() = 0x7F;
    EXPECT_NE(decode_frame(no_flag).error().message.find("closing flag"), std::string::npos);

    bytes extra = good;
    extra.push_back(0x00);
    EXPECT_FALSE(decode_frame(extra).ok());
    EXPECT_FALSE(decode_frame(byte_view(good).first(good.size() - 1)).ok());
    EXPECT_FALSE(decode_frame(from_hex("7E B0 07")).ok());
}

TEST(hdlc_frame, fcs_message_format) {
    // The worked list-1 frame with its FCS bytes altered.
    bytes frame = encode(kamstrup_frame(bytes(217, 0x55)));
    const std::uint16_t fcs = crc16_x25(byte_view(frame).subspan(1, frame.size() - 4));
    frame[frame.size() - 3] = 0x34;
    frame[frame.size() - 2] = 0x12;
    const auto decoded = decode_frame(frame, 912);
    ASSERT_FALSE(decoded.ok());
    char expected[128];
    std::snprintf(expected, sizeof expected,
                  "HDLC: FCS mismatch (got 0x1234, expected 0x%04X) in frame at offset 912", fcs);
    EXPECT_EQ(decoded.error().message, expected);
}

TEST(hdlc_segmentation, encode_and_reassemble) {
    bytes apdu(700);
    for (std::size_t i = 0; i < apdu.size(); ++i) apdu[i] = static_cast<std::uint8_t>(i);
    const bytes llc_pdu = apdu::wrap_llc(apdu);
    const auto frames = encode_segmented(kamstrup_client, kamstrup_server, 0x13, llc_pdu, 128);
    ASSERT_EQ(frames.size(), 6u);  // 703 bytes in 128-byte pieces

    stream_decoder decoder;
    segment_reassembler reassembler;
    std::optional<bytes> complete;
    std::size_t seen = 0;
    for (const auto& wire : frames) {
        decoder.feed(wire);
        for (auto& event : drain(decoder)) {
            auto* frame = std::get_if<frame_event>(&event);
            ASSERT_NE(frame, nullptr);
            ++seen;
            EXPECT_EQ(frame->frame.segmented, seen < frames.size());
            if (seen == 1) {
                EXPECT_EQ((frame->raw[1] & 0xF8), 0xA8);
                EXPECT_EQ(to_spaced_hex(byte_view(frame->frame.information).first(3)), "E6 E7 00");
            } else {
                EXPECT_NE(frame->frame.information[0], 0xE6);  // continuation bytes, no second LLC header
            }
            auto added = reassembler.add(frame->frame);
            ASSERT_TRUE(added.ok()) << added.error().message;
            if (added.value()) complete = std::move(*added.value());
        }
    }
    ASSERT_TRUE(complete.has_value());
    EXPECT_EQ(*complete, llc_pdu);
    EXPECT_EQ(reassembler.pending(), 0u);
    const auto stripped = apdu::strip_llc(*complete);
    ASSERT_TRUE(stripped.ok());
    EXPECT_EQ(bytes(stripped->begin(), stripped->end()), apdu);
}

TEST(hdlc_segmentation, small_pdu_is_one_plain_frame) {
    const auto frames = encode_segmented(kamstrup_client, kamstrup_server, 0x13, from_hex("E6 E7 00 0F"), 128);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0][1], 0xA0);
    EXPECT_THROW(encode_segmented(kamstrup_client, kamstrup_server, 0x13, from_hex("E6"), 0), std::invalid_argument);
}

TEST(hdlc_segmentation, reassembler_limits_and_address_changes) {
    segment_reassembler reassembler(10);
    hdlc_frame first{kamstrup_client, kamstrup_server, 0x13, true, bytes(6, 1)};
    EXPECT_FALSE(reassembler.add(first).value().has_value());
    EXPECT_FALSE(reassembler.add(first).ok());  // 12 > 10
    EXPECT_EQ(reassembler.pending(), 0u);

    EXPECT_TRUE(reassembler.add(first).ok());
    hdlc_frame other{kamstrup_ciphered_client, kamstrup_ciphered_server, 0x13, false, bytes(2, 2)};
    const auto mixed = reassembler.add(other);
    ASSERT_FALSE(mixed.ok());
    EXPECT_EQ(mixed.error().offset, 6u);
    const auto fresh = reassembler.add(other);
    ASSERT_TRUE(fresh.ok());
    EXPECT_EQ(*fresh.value(), bytes(2, 2));
}

TEST(stream_decoder, garbage_fill_flags_and_shared_flags) {
    const bytes a = encode(kamstrup_frame(from_hex("E6 E7 00 0F 7E 7E 01")));
    const bytes b = encode(kamstrup_frame(from_hex("E6 E7 00 0F 02")));
    bytes stream = from_hex("01 02 03 7E 04");  // garbage, including a flag that starts nothing
    const std::size_t a_offset = stream.size();
    stream.insert(stream.end(), a.begin(), a.end());
    stream.insert(stream.end(), {0x7E, 0x7E});  // fill flags
    const std::size_t b_offset = stream.size();
    stream.insert(stream.end(), b.begin(), b.end());
    // Shared flag: the closing flag of b opens c.
    const bytes c = encode(kamstrup_frame(from_hex("E6 E7 00 0F 03")));
    const std::size_t c_offset = stream.size() - 1;
    stream.insert(stream.end(), c.begin() + 1, c.end());

    stream_decoder decoder;
    decoder.feed(stream);
    const auto events = drain(decoder);
    ASSERT_EQ(events.size(), 4u);
    const auto* garbage = std::get_if<error_event>(&events[0]);
    ASSERT_NE(garbage, nullptr);
    EXPECT_EQ(garbage->offset, 0u);
    EXPECT_EQ(garbage->message, "HDLC: skipped 5 bytes of garbage at offset 0");
    const auto* fa = std::get_if<frame_event>(&events[1]);
    const auto* fb = std::get_if<frame_event>(&events[2]);
    const auto* fc = std::get_if<frame_event>(&events[3]);
    ASSERT_TRUE(fa && fb && fc);
    EXPECT_EQ(fa->offset, a_offset);
    EXPECT_EQ(fa->raw, a);
    EXPECT_EQ(fb->offset, b_offset);
    EXPECT_EQ(fc->offset, c_offset);
    EXPECT_EQ(fc->raw, c);
    EXPECT_TRUE(decoder.finish().empty());
}

TEST(stream_decoder, broken_frame_reports_once_and_resynchronises) {
    bytes bad = encode(kamstrup_frame(from_hex("E6 E7 00 0F 7E A0 11 22 33 7E 44")));
    bad[bad.size() - 3] ^= 0xFF;  // FCS
    const bytes good = encode(kamstrup_frame(from_hex("E6 E7 00 0F 05")));
    stream_decoder decoder;
    decoder.feed(bad);
    decoder.feed(good);
    const auto events = drain(decoder);
    ASSERT_EQ(events.size(), 2u) << (std::holds_alternative<error_event>(events[1])
                                         ? std::get<error_event>(events[1]).message
                                         : std::string{});
    const auto* error = std::get_if<error_event>(&events[0]);
    ASSERT_NE(error, nullptr);
    EXPECT_EQ(error->offset, 0u);
    EXPECT_NE(error->message.find("FCS mismatch"), std::string::npos);
    const auto* frame = std::get_if<frame_event>(&events[1]);
    ASSERT_NE(frame, nullptr);
    EXPECT_EQ(frame->offset, bad.size());
}

TEST(stream_decoder, finish_reports_cut_off_frames_and_trailing_garbage) {
    const bytes good = encode(kamstrup_frame(from_hex("E6 E7 00 0F 05")));
    stream_decoder decoder;
    decoder.feed(byte_view(good).first(10));
    EXPECT_TRUE(drain(decoder).empty());
    const auto cut = decoder.finish();
    ASSERT_EQ(cut.size(), 1u);
    const auto* cut_error = std::get_if<error_event>(&cut[0]);
    ASSERT_NE(cut_error, nullptr);
    EXPECT_EQ(cut_error->kind, error_kind::truncated);
    EXPECT_EQ(cut_error->offset, 0u);
    EXPECT_NE(cut_error->message.find("cut off by the end of the stream after 10 bytes"), std::string::npos)
        << cut_error->message;

    decoder.feed(from_hex("01 02 03"));
    EXPECT_TRUE(drain(decoder).empty());
    const auto garbage = decoder.finish();
    ASSERT_EQ(garbage.size(), 1u);
    EXPECT_EQ(std::get<error_event>(garbage[0]).message, "HDLC: skipped 3 bytes of garbage at offset 10");
    EXPECT_EQ(std::get<error_event>(garbage[0]).kind, error_kind::garbage);
    EXPECT_TRUE(decoder.finish().empty());
}

TEST(stream_decoder, memory_stays_bounded_on_endless_garbage) {
    stream_decoder decoder;
    const bytes noise(4096, 0x55);
    for (int i = 0; i < 100; ++i) {
        decoder.feed(noise);
        EXPECT_TRUE(drain(decoder).empty());
        EXPECT_EQ(decoder.buffered(), 0u);
    }
    EXPECT_EQ(decoder.position(), 409600u);
    const auto report = decoder.finish();
    ASSERT_EQ(report.size(), 1u);
    EXPECT_EQ(std::get<error_event>(report[0]).message, "HDLC: skipped 409600 bytes of garbage at offset 0");
}

TEST(stream_decoder, one_two_and_four_byte_addresses_and_empty_frames) {
    const std::vector<hdlc_frame> frames{
        {hdlc_address{0x20, 1}, hdlc_address{0x241, 2}, 0x13, false, from_hex("E6 E7 00 0F 40 00 00 00")},  // Aidon style
        {hdlc_address{0x10, 2}, hdlc_address{0x123456, 4}, 0x13, false, from_hex("E6 E7 00 7E 7E")},
        {kamstrup_client, kamstrup_server, 0x93, false, {}},  // no information field, no HCS
    };
    bytes stream;
    for (const auto& frame : frames) {
        const bytes wire = encode(frame);
        stream.insert(stream.end(), wire.begin(), wire.end());
    }
    EXPECT_EQ(to_spaced_hex(byte_view(stream).first(6)), "7E A0 12 41 08 83");
    stream_decoder decoder;
    for (const auto b : stream) decoder.feed(byte_view(&b, 1));
    const auto events = drain(decoder);
    ASSERT_EQ(events.size(), frames.size());
    for (std::size_t i = 0; i < frames.size(); ++i) {
        const auto* frame = std::get_if<frame_event>(&events[i]);
        ASSERT_NE(frame, nullptr) << std::get<error_event>(events[i]).message;
        EXPECT_EQ(frame->frame, frames[i]);
    }
    EXPECT_TRUE(decoder.finish().empty());
}
