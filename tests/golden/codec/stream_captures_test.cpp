// The HDLC stream decoder against every HDLC capture and vector: any split of the input
// gives the same frame, garbage is skipped with one report, and no single-bit error ever
// yields a frame with different content.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hansim/codec/hdlc/stream_decoder.hpp"
#include "test_data.hpp"

using namespace hansim::codec;
using namespace hansim::codec::hdlc;

namespace {

struct capture {
    std::string name;
    bytes wire;
};

std::vector<capture> hdlc_captures() {
    std::vector<capture> out;
    for (const char* folder : {"reference-frames", "vectors"}) {
        for (const auto& path : hansim::test::files_ending(folder, ".hex")) {
            bytes wire = hansim::test::read_hex(path);
            if (!wire.empty() && wire[0] == flag) out.push_back({path.filename().string(), std::move(wire)});
        }
    }
    return out;
}

struct outcome {
    std::vector<frame_event> frames;
    std::vector<error_event> errors;
};

void drain(stream_decoder& decoder, outcome& out) {
    for (;;) {
        auto event = decoder.next();
        if (std::holds_alternative<need_more>(event)) return;
        if (auto* frame = std::get_if<frame_event>(&event)) out.frames.push_back(std::move(*frame));
        if (auto* error = std::get_if<error_event>(&event)) out.errors.push_back(std::move(*error));
    }
}

/// Feeds `pieces` one after the other, draining after each, then finishes the stream.
outcome run(const std::vector<byte_view>& pieces) {
    stream_decoder decoder;
    outcome out;
    for (const auto piece : pieces) {
        decoder.feed(piece);
        drain(decoder, out);
    }
    for (auto& event : decoder.finish()) {
        if (auto* frame = std::get_if<frame_event>(&event)) out.frames.push_back(std::move(*frame));
        if (auto* error = std::get_if<error_event>(&event)) out.errors.push_back(std::move(*error));
    }
    return out;
}

std::string describe(const outcome& out) {
    std::string text = std::to_string(out.frames.size()) + " frames;";
    for (const auto& e : out.errors) text += " [" + e.message + "]";
    return text;
}

}  // namespace

TEST(stream_captures, there_are_hdlc_captures) { EXPECT_GE(hdlc_captures().size(), 20u); }

TEST(stream_captures, split_at_every_offset_yields_the_same_frame) {
    for (const auto& c : hdlc_captures()) {
        SCOPED_TRACE(c.name);
        const byte_view wire = c.wire;
        for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
            const auto out = run({wire.first(cut), wire.subspan(cut)});
            ASSERT_EQ(out.frames.size(), 1u) << "cut " << cut << ": " << describe(out);
            EXPECT_TRUE(out.errors.empty()) << "cut " << cut << ": " << describe(out);
            EXPECT_EQ(out.frames[0].raw, c.wire);
            EXPECT_EQ(out.frames[0].offset, 0u);
        }
    }
}

TEST(stream_captures, byte_by_byte_yields_the_same_frame) {
    for (const auto& c : hdlc_captures()) {
        SCOPED_TRACE(c.name);
        std::vector<byte_view> pieces;
        for (std::size_t i = 0; i < c.wire.size(); ++i) pieces.push_back(byte_view(c.wire).subspan(i, 1));
        const auto out = run(pieces);
        ASSERT_EQ(out.frames.size(), 1u) << describe(out);
        EXPECT_TRUE(out.errors.empty()) << describe(out);
        EXPECT_EQ(out.frames[0].raw, c.wire);
        // The frame decodes to the same content as the one-shot parser sees.
        EXPECT_EQ(out.frames[0].frame, decode_frame(c.wire).value());
    }
}

TEST(stream_captures, all_captures_back_to_back_in_odd_chunks) {
    const auto captures = hdlc_captures();
    for (const bool shared_flags : {false, true}) {
        SCOPED_TRACE(shared_flags ? "shared flags" : "separate flags");
        bytes stream;
        std::vector<std::size_t> offsets;
        for (const auto& c : captures) {
            const bool share = shared_flags && !stream.empty();
            offsets.push_back(share ? stream.size() - 1 : stream.size());
            stream.insert(stream.end(), c.wire.begin() + (share ? 1 : 0), c.wire.end());
        }
        std::vector<byte_view> pieces;
        for (std::size_t pos = 0, step = 1; pos < stream.size(); pos += step, step = step * 7 % 61 + 1)
            pieces.push_back(byte_view(stream).subspan(pos, std::min(step, stream.size() - pos)));
        const auto out = run(pieces);
        EXPECT_TRUE(out.errors.empty()) << describe(out);
        ASSERT_EQ(out.frames.size(), captures.size());
        for (std::size_t i = 0; i < captures.size(); ++i) {
            EXPECT_EQ(out.frames[i].raw, captures[i].wire) << captures[i].name;
            EXPECT_EQ(out.frames[i].offset, offsets[i]) << captures[i].name;
        }
    }
}

TEST(stream_captures, garbage_before_and_between_frames_is_reported_once_each) {
    const auto captures = hdlc_captures();
    // Noise that contains flags, a fake "7E A0" header and a lone closing-flag lookalike.
    const bytes noise = from_hex("00 FF 7E 13 2B 7E A0 E2 2B 21 13 00 00 55 7E");
    for (std::size_t i = 0; i + 1 < captures.size(); ++i) {
        const auto& a = captures[i];
        const auto& b = captures[i + 1];
        SCOPED_TRACE(a.name + " + " + b.name);
        bytes stream = noise;
        stream.insert(stream.end(), a.wire.begin(), a.wire.end());
        stream.insert(stream.end(), noise.begin(), noise.end());
        stream.insert(stream.end(), b.wire.begin(), b.wire.end());
        for (const std::size_t chunk : {stream.size(), std::size_t{1}, std::size_t{64}}) {
            std::vector<byte_view> pieces;
            for (std::size_t pos = 0; pos < stream.size(); pos += chunk)
                pieces.push_back(byte_view(stream).subspan(pos, std::min(chunk, stream.size() - pos)));
            const auto out = run(pieces);
            ASSERT_EQ(out.frames.size(), 2u) << describe(out);
            EXPECT_EQ(out.frames[0].raw, a.wire);
            EXPECT_EQ(out.frames[0].offset, noise.size());
            EXPECT_EQ(out.frames[1].raw, b.wire);
            EXPECT_EQ(out.frames[1].offset, 2 * noise.size() + a.wire.size());
            ASSERT_EQ(out.errors.size(), 2u) << describe(out);
            EXPECT_EQ(out.errors[0].offset, 0u);
            // 14, not 15: the noise's last 0x7E is followed by the opening flag, i.e. a fill flag.
            EXPECT_EQ(out.errors[0].message.rfind("HDLC: skipped 14 bytes of garbage at offset 0", 0), 0u)
                << out.errors[0].message;
            EXPECT_EQ(out.errors[1].offset, noise.size() + a.wire.size());
        }
    }
}

TEST(stream_captures, every_single_bit_flip_is_rejected) {
    for (const auto& c : hdlc_captures()) {
        SCOPED_TRACE(c.name);
        for (std::size_t i = 0; i < c.wire.size(); ++i) {
            for (int bit = 0; bit < 8; ++bit) {
                bytes stream = c.wire;
                stream[i] ^= static_cast<std::uint8_t>(1u << bit);
                const std::size_t corrupted_size = stream.size();
                // A clean copy follows so resynchronisation and reporting can be checked.
                stream.insert(stream.end(), c.wire.begin(), c.wire.end());
                const auto out = run({stream});
                ASSERT_FALSE(out.errors.empty()) << "byte " << i << " bit " << bit << ": " << describe(out);
                ASSERT_EQ(out.frames.size(), 1u) << "byte " << i << " bit " << bit << ": " << describe(out);
                EXPECT_EQ(out.frames[0].raw, c.wire);
                EXPECT_EQ(out.frames[0].offset, corrupted_size) << "byte " << i << " bit " << bit;
            }
        }
    }
}

TEST(stream_captures, bit_flips_alone_never_yield_a_frame) {
    for (const auto& c : hdlc_captures()) {
        SCOPED_TRACE(c.name);
        for (std::size_t i = 0; i < c.wire.size(); ++i) {
            for (int bit = 0; bit < 8; ++bit) {
                bytes corrupted = c.wire;
                corrupted[i] ^= static_cast<std::uint8_t>(1u << bit);
                const auto out = run({corrupted});
                ASSERT_TRUE(out.frames.empty()) << "byte " << i << " bit " << bit;
                EXPECT_FALSE(out.errors.empty()) << "byte " << i << " bit " << bit;
                EXPECT_FALSE(decode_frame(corrupted).ok());
            }
        }
    }
}
