#pragma once
// A push_source for transport tests: `size`-byte frames every `period`, starting at
// `first`, each frame's bytes derived from its sequence number so a reader can check them.
#include <chrono>
#include <vector>

#include "hansim/meter/push_frame.hpp"

namespace hansim::test {

class fake_push_source final : public meter::push_source {
public:
    fake_push_source(meter::utc_ms first, std::chrono::milliseconds period, std::size_t size,
                     unsigned baud = 2400, unsigned bits = 10)
        : next_(first), period_(period), size_(size), baud_(baud), bits_(bits) {}

    meter::push_frame next() override {
        meter::push_frame frame;
        frame.meter = "fake";
        frame.list = "list1";
        frame.sequence = sequence_++;
        frame.trigger_utc = next_;
        frame.wire = frame_bytes(frame.sequence, size_);
        frame.pauses = pauses;
        next_ += period_;
        return frame;
    }
    unsigned baud_rate() const override { return baud_; }
    unsigned bits_per_character() const override { return bits_; }

    /// 7E, sequence (4 bytes BE), then a counting pattern, 7E at the end.
    static codec::bytes frame_bytes(std::uint64_t sequence, std::size_t size) {
        codec::bytes wire(size);
        for (std::size_t i = 0; i < size; ++i) wire[i] = static_cast<std::uint8_t>((i * 7 + sequence) & 0x7F);
        if (size >= 6) {
            wire[0] = 0x7E;
            for (int i = 0; i < 4; ++i) wire[1 + i] = static_cast<std::uint8_t>(sequence >> (8 * (3 - i)));
            wire[size - 1] = 0x7E;
        }
        return wire;
    }

    std::vector<meter::wire_pause> pauses;  ///< put inside every frame (timing faults)

private:
    meter::utc_ms next_;
    std::chrono::milliseconds period_;
    std::size_t size_;
    unsigned baud_, bits_;
    std::uint64_t sequence_ = 0;
};

}  // namespace hansim::test
