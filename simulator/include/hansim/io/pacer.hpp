#pragma once
/// @file
/// Wire-true pacing, without I/O: turns a frame into chunks with the time, relative to
/// the frame's first bit, at which each chunk is handed to the port.
///
/// A chunk is due when its last character would have left a real UART
/// (`end * character_time`), so a reader on a PTY (which has no line rate of its own) sees
/// bytes arrive no earlier than it would on a 2400-baud wire, and a real serial port is fed
/// continuously. Chunks are as large as fit in the granularity (at least one character):
/// coarser granularity costs accuracy of the arrival times, finer costs wake-ups. The
/// default granularity (default_granularity()) is 10 ms, or the time of 16 characters when
/// that is shorter: at 2400 baud a chunk is 2 characters, at 115200 baud 16 (1.4 ms), so a
/// fast line's frame is not handed over in two halves whose timing one late wake-up spoils.

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "hansim/meter/push_frame.hpp"

#include "hansim/io/line_settings.hpp"

namespace hansim::io {

enum class pacing_mode {
    wire_true,  ///< bytes leave at the line rate
    fast,       ///< the whole frame at once (`--fast`)
};

struct wire_chunk {
    std::size_t begin = 0;           ///< first byte of the chunk (index into the frame)
    std::size_t end = 0;             ///< one past its last byte
    std::chrono::nanoseconds due{};  ///< when to hand it over, from the frame's first bit
    friend bool operator==(const wire_chunk&, const wire_chunk&) = default;
};

class pacer {
public:
    /// `baud` > 0 and `bits_per_character` > 0, or std::invalid_argument.
    /// `granularity` unset: default_granularity() of the line.
    pacer(unsigned baud, unsigned bits_per_character, pacing_mode mode = pacing_mode::wire_true,
          std::optional<std::chrono::microseconds> granularity = std::nullopt);
    pacer(const line_settings& line, pacing_mode mode = pacing_mode::wire_true,
          std::optional<std::chrono::microseconds> granularity = std::nullopt);
    /// 10 ms, or 16 characters' time (rounded up to whole microseconds) when that is shorter.
    static std::chrono::microseconds default_granularity(unsigned baud, unsigned bits_per_character);

    /// One character on the wire: bits_per_character / baud seconds.
    std::chrono::nanoseconds character_time() const;

    /// `bytes` characters back to back (228 B at 2400 8N1 = 950 ms). Exact to the nanosecond
    /// (rounded down), independent of the pacing mode.
    std::chrono::nanoseconds wire_time(std::size_t bytes) const;

    /// Bytes per chunk in wire-true mode.
    std::size_t chunk_bytes() const { return chunk_bytes_; }

    pacing_mode mode() const { return mode_; }

    /// The chunks for a frame of `frame_bytes`; empty for an empty frame. Fast mode: one
    /// chunk due at 0. Wire-true: consecutive chunks covering the frame, the last due at
    /// wire_time(frame_bytes).
    std::vector<wire_chunk> plan(std::size_t frame_bytes) const;

    /// The same with pauses inside the frame (timing faults, meter/push_frame.hpp): a chunk
    /// never spans a pause offset, and every chunk after a pause is due that much later. In
    /// fast mode the frame is one chunk per stretch between pauses, each due after the pauses
    /// before it: a pause is the fault, so it is kept even with --fast.
    std::vector<wire_chunk> plan(std::size_t frame_bytes, std::span<const meter::wire_pause> pauses) const;

    /// Sum of the pauses that fall inside a frame of `frame_bytes`.
    static std::chrono::nanoseconds pause_time(std::size_t frame_bytes, std::span<const meter::wire_pause> pauses);

private:
    unsigned baud_;
    unsigned bits_per_character_;
    pacing_mode mode_;
    std::size_t chunk_bytes_;
};

}  // namespace hansim::io
