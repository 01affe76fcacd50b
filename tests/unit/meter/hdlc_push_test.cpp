// Framing a push APDU: Kamstrup addressing, one frame normally, segmentation on request.
#include <gtest/gtest.h>

#include <numeric>

#include "hansim/codec/apdu/llc.hpp"
#include "hansim/codec/hdlc/frame.hpp"
#include "hansim/meter/hdlc_push.hpp"

using namespace hansim;
using namespace hansim::meter;

namespace {

codec::bytes counting_apdu(std::size_t n) {
    codec::bytes apdu(n);
    std::iota(apdu.begin(), apdu.end(), std::uint8_t{0});
    apdu[0] = 0x0F;
    return apdu;
}

/// Splits concatenated frames using each frame's length field (L + 2 bytes on the wire).
std::vector<codec::bytes> split_frames(const codec::bytes& wire) {
    std::vector<codec::bytes> frames;
    std::size_t at = 0;
    while (at < wire.size()) {
        const std::size_t length = ((wire.at(at + 1) & 0x07U) << 8) | wire.at(at + 2);
        frames.emplace_back(wire.begin() + static_cast<std::ptrdiff_t>(at),
                            wire.begin() + static_cast<std::ptrdiff_t>(at + length + 2));
        at += length + 2;
    }
    return frames;
}

}  // namespace

TEST(hdlc_push, plain_addressing_is_2b_21_control_13) {
    const auto o = plain_push_addressing();
    const auto wire = frame_push_apdu(counting_apdu(214), o);
    ASSERT_EQ(wire.size(), 228U);  // list-1 size: 9 + 3 + 214 + flags
    EXPECT_EQ(codec::to_hex(codec::byte_view(wire).first(11)), "7EA0E22B2113239AE6E700");
    EXPECT_EQ(wire.back(), 0x7E);
    EXPECT_EQ(o.max_information, 0U);
}

TEST(hdlc_push, ciphered_addressing_is_41_03) {
    const auto wire = frame_push_apdu(counting_apdu(244), ciphered_push_addressing());
    ASSERT_EQ(wire.size(), 258U);
    EXPECT_EQ(codec::to_hex(codec::byte_view(wire).first(11)), "7EA1004103132F7AE6E700");
}

TEST(hdlc_push, no_segmentation_when_it_fits) {
    auto o = plain_push_addressing();
    o.max_information = 217;  // exactly the LLC PDU of list 1
    EXPECT_EQ(frame_push_apdu(counting_apdu(214), o), frame_push_apdu(counting_apdu(214), plain_push_addressing()));
}

TEST(hdlc_push, segments_with_s_bit_and_llc_only_first) {
    auto o = plain_push_addressing();
    o.max_information = 100;
    const auto apdu = counting_apdu(214);
    const auto frames = split_frames(frame_push_apdu(apdu, o));
    ASSERT_EQ(frames.size(), 3U);  // 217 = 100 + 100 + 17

    codec::bytes joined;
    for (std::size_t i = 0; i < frames.size(); ++i) {
        SCOPED_TRACE(i);
        const auto frame = codec::hdlc::decode_frame(frames[i]);
        ASSERT_TRUE(frame) << frame.error().message;
        EXPECT_EQ(frame->segmented, i + 1 < frames.size());
        EXPECT_EQ(frame->destination, codec::hdlc::kamstrup_client);
        EXPECT_EQ(frame->source, codec::hdlc::kamstrup_server);
        EXPECT_EQ(frame->control, 0x13);
        EXPECT_LE(frame->information.size(), 100U);
        joined.insert(joined.end(), frame->information.begin(), frame->information.end());
    }
    EXPECT_EQ(frames[0][1] & 0xF8, 0xA8);  // format A, S = 1
    EXPECT_EQ(frames[2][1] & 0xF8, 0xA0);  // last: S = 0
    EXPECT_EQ(joined, codec::apdu::wrap_llc(apdu));
}

TEST(hdlc_push, too_long_for_one_frame_throws) {
    EXPECT_THROW(frame_push_apdu(counting_apdu(2100), plain_push_addressing()), std::length_error);
    auto o = plain_push_addressing();
    o.max_information = 1010;  // Kamstrup's transmit limit: segmentation makes it fit
    EXPECT_EQ(split_frames(frame_push_apdu(counting_apdu(2100), o)).size(), 3U);
}
