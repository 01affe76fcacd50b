// Fuzz target for the HDLC stream decoder and segment reassembler. Feeds the input in
// chunks whose size depends on the input, and checks the decoder's promises: memory stays
// bounded, frame offsets increase, every delivered frame re-encodes to exactly its raw bytes
// and parses the same one-shot, and the reassembler never exceeds its limit.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <variant>

#include "hansim/codec/hdlc/frame.hpp"
#include "hansim/codec/hdlc/stream_decoder.hpp"

using namespace hansim::codec;

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    hdlc::stream_decoder decoder;
    hdlc::segment_reassembler reassembler(4096);
    const std::size_t chunk = 1 + size % 113;
    const byte_view input(data, size);
    std::uint64_t last_offset = 0;
    bool any_frame = false;
    for (std::size_t at = 0; at < size; at += chunk) {
        decoder.feed(input.subspan(at, std::min(chunk, size - at)));
        for (;;) {
            auto event = decoder.next();
            if (std::holds_alternative<hdlc::need_more>(event)) break;
            if (const auto* error = std::get_if<hdlc::error_event>(&event)) {
                check(!error->message.empty() && error->offset < size);
                continue;
            }
            const auto& frame = std::get<hdlc::frame_event>(event);
            check(!any_frame || frame.offset > last_offset);
            check(frame.offset + frame.raw.size() <= size);
            check(std::equal(frame.raw.begin(), frame.raw.end(), data + frame.offset));
            check(hdlc::encode(frame.frame) == frame.raw);
            const auto again = hdlc::decode_frame(frame.raw);
            check(again.ok() && *again == frame.frame);
            last_offset = frame.offset;
            any_frame = true;
            const auto added = reassembler.add(frame.frame);
            check(reassembler.pending() <= 4096);
            if (added.ok() && added.value()) check(added.value()->size() <= 4096);
        }
        // Undecided bytes never exceed one maximum frame (plus a kept closing flag).
        check(decoder.buffered() <= hdlc::max_frame_length + 2);
    }
    check(decoder.position() + decoder.buffered() == size);
    (void)decoder.finish();
    check(decoder.buffered() == 0);
    return 0;
}
