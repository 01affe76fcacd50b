#pragma once
/// @file
/// The run loop for one meter: pulls pushes from a push_source in send order, maps each
/// push's meter UTC to a monotonic deadline, waits for it on a timer (absolute deadlines,
/// so waiting never drifts), and writes the frame through a byte_sink in paced chunks.
/// Every frame ends as a frame_report (sent, or lost and why, with its lateness and exactly
/// how many of its bytes reached the port); the summary holds the counters. Time comes from
/// the timer passed in, so tests run the same loop on virtual time.
///
/// Back-pressure: a port whose buffer is full (a reader that does not keep up, a UART still
/// sending) takes part of a chunk or none; the runner keeps the rest and tries again (1 ms,
/// doubling to 20 ms) instead of losing the frame, and the frame and the ones after it are
/// late by as much. Only a port that takes nothing for `run_settings::stall_limit` ends the
/// frame: `overrun` when none of it went out, `truncated` when part did. Either way
/// `bytes_written` is what the port took, so the bytes on the wire are always the records'.
///
/// A push with a line fault (push_frame.line) is paced at the line it goes out on (another
/// baud rate, a parity bit more) and, for a break, starts its bytes once the break is over;
/// the sink is told with byte_sink::next_frame_line() before frame_begin(). A sink that
/// cannot change its line stops the run (failure()) rather than send the push unchanged.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "hansim/io/byte_sink.hpp"
#include "hansim/io/data_request.hpp"
#include "hansim/io/duration_histogram.hpp"
#include "hansim/io/pacer.hpp"
#include "hansim/io/timer.hpp"
#include "hansim/meter/push_frame.hpp"

namespace hansim::io {

/// Meter clock -> monotonic clock. With speed X the meter clock runs X times faster than
/// the monotonic clock from `start_utc` (which corresponds to `start_mono`).
struct time_mapping {
    meter::utc_ms start_utc{};
    mono_time start_mono{};
    double speed = 1.0;  ///< > 0

    mono_time to_mono(meter::utc_ms utc) const;
    /// The meter UTC at monotonic time `mono` (the inverse of to_mono, to the millisecond).
    meter::utc_ms to_utc(mono_time mono) const;
};

enum class frame_outcome {
    sent,
    no_listener,      ///< nobody listening at frame start, or a port that says mid-frame that
                      ///< its listener left (TCP; a PTY finds out at the next frame's start)
    not_requested,    ///< the data-request line was not asserted at frame start
    aborted,          ///< the data request dropped mid-frame and the policy is abort
    overrun,          ///< the port's buffer stayed full for the stall limit; none of it went out
    port_unavailable, ///< the device is missing or failed
    truncated,        ///< the port's buffer stayed full for the stall limit mid-frame: only
                      ///< `bytes_written` of it went out (the reader sees a cut frame)
};

std::string_view to_string(frame_outcome outcome);

/// The enumerator's name ("sent", "no_listener", "not_requested", "aborted", "overrun",
/// "port_unavailable", "truncated"), for machine-readable records; to_string is the text for
/// people.
std::string_view outcome_name(frame_outcome outcome);

struct run_settings {
    pacing_mode pacing = pacing_mode::wire_true;
    std::optional<std::chrono::microseconds> granularity;  ///< see pacer; unset: its default for the line
    /// Pushes whose send time (meter UTC) is at or after this are not sent; the runner
    /// finishes once the last earlier frame is done. Unset: runs until stop().
    std::optional<meter::utc_ms> end_utc;
    request_drop_policy on_request_drop = request_drop_policy::finish;
    /// The port's line when it differs from the source's (e.g. a serial port set to 8E1);
    /// unset: the source's baud_rate() and bits_per_character().
    std::optional<line_settings> line;
    /// How long a frame waits for a port that takes nothing (back-pressure, see above)
    /// before it is given up as overrun / truncated. 0: never wait (a full port loses the
    /// frame at once, with what it took counted).
    std::chrono::milliseconds stall_limit = std::chrono::seconds(5);
};

/// What happened to one frame. `frame` is valid only during the callback.
struct frame_report {
    const meter::push_frame& frame;
    frame_outcome outcome;
    mono_time scheduled;                 ///< when its first byte was due
    mono_time started;                   ///< when the runner actually began it
    std::chrono::nanoseconds lateness;   ///< started - scheduled (never negative)
    /// Exactly what the port took of `frame.wire` (its first bytes_written bytes): all of it
    /// when sent; fewer when cut short (truncated, aborted, the listener left, the port failed).
    std::size_t bytes_written;
};

struct run_summary {
    std::uint64_t frames_sent = 0;
    std::uint64_t frames_lost = 0;  ///< sum of the per-reason counters below
    std::uint64_t lost_no_listener = 0;
    std::uint64_t lost_not_requested = 0;
    std::uint64_t lost_aborted = 0;
    std::uint64_t lost_overrun = 0;
    std::uint64_t lost_port_unavailable = 0;
    std::uint64_t lost_truncated = 0;  ///< part went out: counted here, and its bytes in bytes_sent
    std::uint64_t bytes_sent = 0;      ///< every byte the port took, of sent and cut frames alike
    std::chrono::nanoseconds max_lateness{0};
    std::chrono::nanoseconds total_lateness{0};  ///< over every frame begun (sent or lost)
    std::uint64_t frames_begun = 0;
    /// Every frame's lateness (frames begun), for p50 / p99 to 3.2 % (duration_histogram.hpp).
    duration_histogram lateness;

    std::chrono::nanoseconds mean_lateness() const;
    /// lateness.quantile(q): 0.5 and 0.99 for the summaries.
    std::chrono::nanoseconds lateness_quantile(double q) const { return lateness.quantile(q); }
    void add(const run_summary& other);  ///< totals for many meters
};

class meter_runner {
public:
    /// All references must outlive the runner. `request` may be null (always requested).
    meter_runner(meter::push_source& source, byte_sink& sink, timer& clock, time_mapping mapping,
                 run_settings settings, data_request* request = nullptr);
    meter_runner(const meter_runner&) = delete;
    meter_runner& operator=(const meter_runner&) = delete;
    ~meter_runner();

    /// Called for every frame as it ends (sent or lost).
    void on_frame(std::function<void(const frame_report&)> callback) { on_frame_ = std::move(callback); }
    /// Called once when the runner finishes (end_utc reached, or stop()).
    void on_finished(std::function<void()> callback) { on_finished_ = std::move(callback); }

    /// Pulls the first push and schedules it.
    void start();
    /// Stops at once; a frame in progress is counted as aborted. Idempotent.
    void stop();

    /// Live control (scenario/live_control.hpp, meter/live_source.hpp): calls `change` with
    /// the meter's source and its time now, between frames. A push built but not begun is
    /// taken back first and built again after `change` (also when it throws), so the change
    /// shows from the next frame not yet on the line. Call on the runner's thread.
    /// Throws std::invalid_argument when the runner has finished.
    void change_live(const std::function<void(meter::push_source&, meter::utc_ms now)>& change);

    bool finished() const { return finished_; }
    /// Why the runner stopped early: its port failed for good (sink_status::failed, e.g. a
    /// full disk). Empty otherwise. That frame is counted lost (port_unavailable).
    const std::string& failure() const { return failure_; }
    const run_summary& summary() const { return summary_; }

private:
    void schedule_next();
    void begin_frame();
    void send_chunk();
    void end_frame(frame_outcome outcome, bool continue_after = true);
    void finish();
    void fail(std::string why = {});

    meter::push_source& source_;
    byte_sink& sink_;
    timer& clock_;
    time_mapping mapping_;
    run_settings settings_;
    data_request* request_;
    pacer pacer_;
    line_settings line_;  ///< the port's own line (settings.line, else the source's)
    std::chrono::nanoseconds frame_time_{};  ///< the current frame on the wire, pauses and break included

    meter::push_frame current_{};
    std::vector<wire_chunk> chunks_;
    std::size_t next_chunk_ = 0;
    std::size_t chunk_taken_ = 0;    // bytes of chunks_[next_chunk_] the port took already
    std::size_t bytes_written_ = 0;
    std::chrono::nanoseconds held_{0};  // how far back-pressure pushed this frame's chunks
    std::optional<mono_time> stalled_since_;  // the port last took nothing since then
    std::chrono::nanoseconds retry_{0};
    mono_time scheduled_{};
    mono_time started_{};
    mono_time line_free_{};  // end of the previous frame on the wire
    bool in_frame_ = false;
    bool pending_built_ = false;  // current_ pulled from the source, its first byte not yet sent
    bool finished_ = false;
    bool started_once_ = false;
    std::string failure_;
    run_summary summary_;
    std::function<void(const frame_report&)> on_frame_;
    std::function<void()> on_finished_;
};

}  // namespace hansim::io
