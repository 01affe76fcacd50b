#pragma once
/// @file
/// Virtual time on a real port: a meter's pushes written as fast as the port takes them, up
/// to a meter time, then nothing until the next advance (Python: MeterBench.advance("1h")).
///
/// Which pushes fall before the time is the push source's schedule (PROTOCOLS.md §8); no
/// clock paces anything here. The line rate is the port's business: a PTY takes whole frames
/// (it ignores baud rate), a serial port's UART sends them at the line rate, a TCP client
/// reads as it likes. The same source gives the same bytes, so an advance is deterministic.
/// Pauses inside a frame (the timing faults split_pause, p1_split_pause, char_gaps) are the
/// fault itself and are kept in real time: a reader's inter-byte timeout must see them.
/// The wall clock is read only to give up on a port that takes nothing for `stall` (nobody
/// has it open, or the reader stopped reading): an unpaced_error naming the port, never a hang.
/// Frames are never lost: a port that cannot take bytes now is waited for, unlike the paced
/// meter_runner, which counts such frames as lost.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>

#include <boost/asio/io_context.hpp>

#include "hansim/io/byte_sink.hpp"
#include "hansim/meter/push_frame.hpp"

namespace hansim::io {

/// The port took nothing for the stall time, or failed for good. The message names the port.
class unpaced_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class unpaced_runner {
public:
    /// `start` is the meter time the runner stands at first (the source's start). `context`
    /// runs the sinks that need it (a TCP server accepting clients); it is polled while waiting.
    unpaced_runner(std::unique_ptr<meter::push_source> source, std::unique_ptr<byte_sink> sink,
                   boost::asio::io_context& context, meter::utc_ms start);
    ~unpaced_runner();
    unpaced_runner(const unpaced_runner&) = delete;
    unpaced_runner& operator=(const unpaced_runner&) = delete;

    /// Writes every push whose send time is before `end` (and not before now()), in order,
    /// each one whole before the next, and calls `on_frame` once a push is written. Then
    /// now() is `end`. Returns how many pushes were written. Throws unpaced_error when the port
    /// takes nothing for `stall`; the pushes already written stay written and the one in
    /// progress is tried again by the next advance_to (a reader then sees its rest).
    std::size_t advance_to(meter::utc_ms end, const std::function<void(const meter::push_frame&)>& on_frame,
                           std::chrono::milliseconds stall = std::chrono::seconds(10));

    /// Live control (scenario/live_control.hpp): calls `change` with the meter's source and
    /// now(), between advances. A push pulled but not begun is taken back first (its rebuild
    /// carries the change); one partly written by an advance that stalled is not. Not
    /// thread-safe: call between advance_to calls.
    void change_live(const std::function<void(meter::push_source&, meter::utc_ms now)>& change);

    /// The meter time reached.
    meter::utc_ms now() const { return now_; }
    std::string describe() const { return sink_->describe(); }
    /// Releases the port (a PTY's symlink is removed). Idempotent.
    void close();

private:
    void write_pending(std::chrono::milliseconds stall);

    std::unique_ptr<meter::push_source> source_;
    std::unique_ptr<byte_sink> sink_;
    boost::asio::io_context& context_;
    meter::utc_ms now_;
    std::optional<meter::push_frame> pending_;  ///< pulled from the source, not yet (fully) written
    std::size_t written_ = 0;                   ///< bytes of pending_ already on the port
    std::size_t paused_ = 0;                    ///< pauses of pending_ already kept
    bool begun_ = false;                        ///< frame_begin() accepted pending_
};

}  // namespace hansim::io
