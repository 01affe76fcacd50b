#pragma once
/// @file
/// `hansim replay`: a capture (hansim/capture/capture_file.hpp) as a push source, so a
/// recording goes out through the same runner and pacer as a simulated meter: at the line
/// rate, with the recorded gaps (scaled by the session's speed), lateness reported alike.
///
/// Chunks that arrived back to back (each within its own wire time plus `burst_gap` of the
/// previous one) are one transmission ("burst"), sent as one paced frame. A burst leaves
/// when its first byte left the recorded wire: the first chunk's arrival minus that chunk's
/// wire time. Events in the capture are not sent. With `loop`, the capture starts over after
/// its last record, keeping the lead-in before its first chunk, for ever.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "hansim/capture/capture_file.hpp"
#include "hansim/io/line_settings.hpp"
#include "hansim/meter/push_frame.hpp"

namespace hansim::io {

struct replay_options {
    line_settings line;   ///< the recorded line (its rate paces the bytes)
    bool loop = false;
    std::chrono::nanoseconds burst_gap = std::chrono::milliseconds(50);
    std::string name = "replay";  ///< push_frame::meter
};

/// The line a capture is replayed at, and where that came from (for people).
struct chosen_line {
    line_settings line;
    std::string origin;  ///< "--line", "recorded", "assumed for P1, give --line", ...
};

/// `override_text` (BAUD:DPS) when given, else the capture's `line` header, else assumed from
/// the first byte (an import has no header): '/' (P1) 115200 8N1, anything else 2400 8N1.
/// Throws std::invalid_argument: "line: ..." for a bad override, "LINE: line: ..." (the text
/// line of the header) for a bad header.
chosen_line replay_line(const capture::capture& recording, const std::optional<std::string>& override_text);

class replay_source final : public meter::push_source {
public:
    replay_source(const capture::capture& recording, replay_options options);

    /// The next burst; once a capture without loop is exhausted, an empty push at end_utc().
    meter::push_frame next() override;
    unsigned baud_rate() const override { return options_.line.baud; }
    unsigned bits_per_character() const override { return options_.line.bits_per_character(); }

    /// Meter UTC of the capture's offset 0 (its start time, else the epoch).
    meter::utc_ms start_utc() const { return start_utc_; }
    /// Without loop: the first instant after the last burst began (the runner's end_utc).
    meter::utc_ms end_utc() const;
    std::size_t burst_count() const { return bursts_.size(); }
    std::size_t byte_count() const;
    /// How long one pass takes at speed 1 (the last record's offset plus the lead-in).
    std::chrono::nanoseconds period() const { return period_; }

private:
    struct burst {
        std::chrono::nanoseconds at;  // first byte, from the capture's offset 0
        codec::bytes bytes;
    };
    replay_options options_;
    std::vector<burst> bursts_;
    std::chrono::nanoseconds period_{0};
    meter::utc_ms start_utc_{};
    std::size_t next_ = 0;
    std::uint64_t pass_ = 0;
    std::uint64_t sequence_ = 0;
};

}  // namespace hansim::io
