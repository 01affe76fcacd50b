#pragma once
// An in-memory byte_sink that records every write with the time it happened, and can be
// told that nobody listens or the buffer is full.
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
    void frame_end() override { ++frames_ended; }
    void frame_abort() override { ++frames_aborted; }
    void close() override { closed = true; }

    io::sink_status status = io::sink_status::ok;
    std::vector<write_record> writes;
    int frames_begun = 0, frames_ended = 0, frames_aborted = 0;
    bool closed = false;

private:
    const io::virtual_clock& clock_;
};

}  // namespace hansim::test
