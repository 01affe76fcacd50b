// The stream decoder's resynchronisation: every damaged frame in a mixed broken stream gets
// exactly one error event, at its opening flag and with its kind, and the events do not
// depend on how the stream is split (fed at every split point, and byte by byte).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hansim/codec/hdlc/frame.hpp"
#include "hansim/codec/hdlc/stream_decoder.hpp"

using namespace hansim::codec;
using namespace hansim::codec::hdlc;

namespace {

bytes frame_with(std::uint8_t tag, std::size_t size) {
    bytes information{0xE6, 0xE7, 0x00, 0x0F};
    for (std::size_t i = 0; i < size; ++i) information.push_back(static_cast<std::uint8_t>(tag + i * 37));
    information.push_back(0x7E);  // a flag inside the payload: normal, no byte stuffing
    information.push_back(0xA0);
    return encode(hdlc_frame{kamstrup_client, kamstrup_server, control_ui_final, false, information});
}

/// What a correct decoder must report for one piece of the stream.
struct expected_event {
    std::uint64_t offset;
    bool frame;                 ///< a good frame, else an error
    error_kind kind = error_kind::garbage;
};

struct built_stream {
    bytes wire;
    std::vector<expected_event> events;
};

enum class damage { none, bad_fcs, bad_hcs, truncated, garbage_text, garbage_flags, flipped_flag };

built_stream build(const std::vector<damage>& plan) {
    built_stream out;
    std::uint8_t tag = 1;
    for (const auto d : plan) {
        bytes wire = frame_with(tag, 20 + tag * 3);
        tag = static_cast<std::uint8_t>(tag + 11);
        const std::uint64_t at = out.wire.size();
        switch (d) {
            case damage::none: out.events.push_back({at, true}); break;
            case damage::bad_fcs:
                wire[wire.size() - 2] ^= 0x5A;
                out.events.push_back({at, false, error_kind::bad_fcs});
                break;
            case damage::bad_hcs:
                wire[7] ^= 0x01;
                out.events.push_back({at, false, error_kind::bad_hcs});
                break;
            case damage::truncated:
                wire.resize(wire.size() / 2);
                out.events.push_back({at, false, error_kind::truncated});
                break;
            case damage::garbage_text: {
                const std::string text = "splitter: link up\r\n";
                wire.assign(text.begin(), text.end());
                out.events.push_back({at, false, error_kind::garbage});
                break;
            }
            case damage::garbage_flags:  // fill flags between frames are not garbage
                wire.assign(5, 0x7E);
                break;
            case damage::flipped_flag:
                wire[0] ^= 0x04;  // the opening flag is gone: the frame is noise
                out.events.push_back({at, false, error_kind::garbage});
                break;
        }
        // Noise right after a cut frame or after other noise is part of that same error:
        // without flags nothing tells where one ends and the next begins.
        if (d == damage::garbage_text || d == damage::flipped_flag) {
            const auto n = out.events.size();
            if (n >= 2 && !out.events[n - 2].frame &&
                (out.events[n - 2].kind == error_kind::garbage || out.events[n - 2].kind == error_kind::truncated))
                out.events.pop_back();
        }
        out.wire.insert(out.wire.end(), wire.begin(), wire.end());
    }
    return out;
}

std::vector<stream_event> take(stream_decoder& decoder, std::vector<stream_event> events = {}) {
    for (;;) {
        auto event = decoder.next();
        if (std::holds_alternative<need_more>(event)) return events;
        events.push_back(std::move(event));
    }
}

std::vector<stream_event> decode_split(const bytes& wire, std::vector<std::size_t> cuts) {
    stream_decoder decoder;
    std::vector<stream_event> events;
    std::size_t from = 0;
    cuts.push_back(wire.size());
    for (const auto cut : cuts) {
        decoder.feed(byte_view(wire).subspan(from, cut - from));
        events = take(decoder, std::move(events));
        from = cut;
    }
    for (auto& event : decoder.finish()) events.push_back(std::move(event));
    return events;
}

std::string describe(const std::vector<stream_event>& events) {
    std::string text;
    for (const auto& event : events) {
        if (const auto* f = std::get_if<frame_event>(&event))
            text += "frame@" + std::to_string(f->offset) + " ";
        else if (const auto* e = std::get_if<error_event>(&event))
            text += std::string(to_string(e->kind)) + "@" + std::to_string(e->offset) + " ";
    }
    return text;
}

std::string describe(const std::vector<expected_event>& events) {
    std::string text;
    for (const auto& e : events)
        text += (e.frame ? std::string("frame") : std::string(to_string(e.kind))) + "@" + std::to_string(e.offset) + " ";
    return text;
}

void expect_exact(const built_stream& stream) {
    const std::string want = describe(stream.events);
    EXPECT_EQ(describe(decode_split(stream.wire, {})), want) << "whole";
    for (std::size_t cut = 1; cut < stream.wire.size(); ++cut)
        ASSERT_EQ(describe(decode_split(stream.wire, {cut})), want) << "split at " << cut;
    std::vector<std::size_t> every;
    for (std::size_t cut = 1; cut < stream.wire.size(); ++cut) every.push_back(cut);
    EXPECT_EQ(describe(decode_split(stream.wire, every)), want) << "byte by byte";
}

}  // namespace

TEST(stream_resync, bad_hcs_right_after_bad_fcs_gets_its_own_record) {
    expect_exact(build({damage::none, damage::bad_fcs, damage::bad_hcs, damage::none}));
}

TEST(stream_resync, two_bad_hcs_frames_in_a_row_are_two_records) {
    expect_exact(build({damage::bad_hcs, damage::bad_hcs, damage::none}));
}

TEST(stream_resync, truncated_frame_then_damaged_frames) {
    expect_exact(build({damage::none, damage::truncated, damage::bad_hcs, damage::truncated, damage::bad_fcs,
                        damage::none}));
}

TEST(stream_resync, garbage_flags_and_a_lost_opening_flag) {
    expect_exact(build({damage::garbage_text, damage::none, damage::garbage_flags, damage::flipped_flag, damage::none,
                        damage::garbage_text, damage::bad_fcs, damage::none}));
}

TEST(stream_resync, truncated_at_the_end_and_a_good_frame_behind_a_long_cut) {
    // The cut frame declares more bytes than the rest of the stream holds: the good frame
    // behind it must still be found when the stream ends.
    bytes big = encode(hdlc_frame{kamstrup_client, kamstrup_server, control_ui_final, false, bytes(400, 0x11)});
    big.resize(30);
    const bytes good = frame_with(9, 20);
    built_stream cut;
    cut.wire = big;
    cut.events.push_back({0, false, error_kind::truncated});
    cut.events.push_back({cut.wire.size(), true});
    cut.wire.insert(cut.wire.end(), good.begin(), good.end());
    const std::size_t tail = cut.wire.size();
    cut.wire.insert(cut.wire.end(), big.begin(), big.begin() + 12);
    cut.events.push_back({tail, false, error_kind::truncated});
    expect_exact(cut);
}

TEST(stream_resync, every_damage_after_every_other) {
    const std::vector<damage> kinds{damage::none,          damage::bad_fcs,       damage::bad_hcs,
                                    damage::truncated,     damage::garbage_text,  damage::flipped_flag};
    for (const auto a : kinds)
        for (const auto b : kinds) {
            const auto stream = build({damage::none, a, b, damage::none});
            const std::string want = describe(stream.events);
            EXPECT_EQ(describe(decode_split(stream.wire, {})), want)
                << static_cast<int>(a) << " then " << static_cast<int>(b);
            std::vector<std::size_t> every;
            for (std::size_t cut = 1; cut < stream.wire.size(); ++cut) every.push_back(cut);
            EXPECT_EQ(describe(decode_split(stream.wire, every)), want)
                << static_cast<int>(a) << " then " << static_cast<int>(b) << " byte by byte";
        }
}
