#pragma once
// Progress of long work on a terminal, one line redrawn in place on stderr: simulated time
// reached, frames sent, faults injected, rate and time left. The one progress reporter of
// `hansim generate`, `hansim replay` and accelerated `hansim run`. It stays silent unless
// both stdout and stderr are terminals and --quiet was not given; callers that print their
// own lines call clear() first so the two never mix on a line.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "hansim/meter/push_frame.hpp"

namespace hansim::app {

struct progress_state {
    std::optional<meter::utc_ms> simulated;  ///< simulated (meter) time reached
    std::uint64_t frames = 0;                ///< frames sent (or written)
    std::uint64_t faults = 0;                ///< frames with a fault injected
    std::optional<double> done;              ///< fraction of the work done, 0..1, when known

    /// Counts one frame of a run from `start` to `end` (unknown end: no fraction, no time left).
    void count(const meter::push_frame& frame, bool sent, meter::utc_ms start, std::optional<meter::utc_ms> end);
};

class progress {
public:
    /// `label` starts the line ("generate", "replay", "run"). Enabled as the file comment says.
    progress(std::string label, bool quiet);
    ~progress();

    bool enabled() const { return enabled_; }
    /// Redraws the line, at most a few times a second (call as often as convenient).
    void update(const progress_state& state);
    /// Wipes the line (before printing something else on the terminal).
    void clear();
    /// Draws the final state and ends the line.
    void finish(const progress_state& state);

private:
    void draw(const progress_state& state, bool final);

    std::string label_;
    bool enabled_ = false;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point started_;
    std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace hansim::app
