#pragma once
// An in-memory byte_sink that records every write with the time it happened, and can be
// told that nobody listens or the buffer is full, or be given room for only so many more
// bytes (a port buffer a reader drains: write_some then takes part of a chunk).
#include <algorithm>
#include <optional>
#include <vector>

#include "hansim/io/byte_sink.hpp"
#include "hansim/io/timer.hpp"

namespace hansim::test {

class recording_sink final : public io::byte_sink {
public:
    struct write_record {
        io::mono_time at;
        codec::bytes data;
    };
    explicit recording_sink(const io::virtual_clock& clock) : clock_(clock) {}

    std::string describe() const override { return "recording"; }
    io::sink_status frame_begin() override {
        ++frames_begun;
        return status;
    }
    io::sink_status write(codec::byte_view chunk) override {
        if (status != io::sink_status::ok) return status;
        writes.push_back({clock_.now(), codec::bytes(chunk.begin(), chunk.end())});
        return io::sink_status::ok;
    }
    io::sink_status write_some(codec::byte_view chunk, std::size_t& written) override {
        written = 0;
        if (status != io::sink_status::ok) return status;
        const std::size_t n = room ? std::min(*room, chunk.size()) : chunk.size();
        if (n > 0) writes.push_back({clock_.now(), codec::bytes(chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(n))});
        if (room) *room -= n;
        written = n;
        return n == chunk.size() ? io::sink_status::ok : io::sink_status::overrun;
    }
    /// Every byte written, in order.
    codec::bytes joined() const {
        codec::bytes out;
        for (const auto& w : writes) out.insert(out.end(), w.data.begin(), w.data.end());
        return out;
    }
    void frame_end() override { ++frames_ended; }
    void frame_abort() override { ++frames_aborted; }
    void close() override { closed = true; }

    io::sink_status status = io::sink_status::ok;
    std::optional<std::size_t> room;  ///< unset: takes everything
    std::vector<write_record> writes;
    int frames_begun = 0, frames_ended = 0, frames_aborted = 0;
    bool closed = false;

private:
    const io::virtual_clock& clock_;
};

}  // namespace hansim::test
