#pragma once
/// @file
/// Where a meter's bytes go: one interface over PTY, serial port, TCP server, file and
/// stdout. The run loop asks frame_begin() before a frame's first byte (is anybody there?),
/// hands over paced chunks with write_some(), and ends with frame_end() or frame_abort().
/// Writes never block: a port that cannot take all of a chunk now says how much it took and
/// reports `overrun`; the caller keeps the rest and tries again (back-pressure, see
/// meter_runner.hpp), so every byte a port took is accounted to its frame and nothing is cut
/// silently. A write that fails for good (a full disk, an I/O error) reports `failed`: the run
/// stops and the command exits 1 with failure()'s message.

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "hansim/codec/bytes.hpp"
#include "hansim/meter/push_frame.hpp"

namespace hansim::io {

enum class sink_status {
    ok,
    no_listener,   ///< nobody has the port open / no TCP client: the frame would go nowhere
    overrun,       ///< the listener does not read fast enough: the port's buffer is full (for now)
    unavailable,   ///< the device is gone (unplugged) or failed; the sink retries later
    failed,        ///< a write failed for good (disk full, I/O error): see byte_sink::failure()
};

std::string_view to_string(sink_status status);

class byte_sink {
public:
    virtual ~byte_sink() = default;

    /// For people: "pty /tmp/ttyHAN0 -> /dev/pts/4", "tcp 127.0.0.1:7000", "file out.bin".
    virtual std::string describe() const = 0;

    /// Before a frame's first byte. Anything but ok means the frame is lost (the caller
    /// counts it). May reopen a vanished device; never blocks.
    virtual sink_status frame_begin() = 0;

    /// Line faults (meter::line_condition): the next frame goes out under `condition`. Called
    /// just before frame_begin() of a push that carries one. Only a real serial port can
    /// change its line for one frame (serial_sink.hpp); the default returns false, and the
    /// run loop then stops with an error rather than send the push as if it were fine (runs
    /// refuse line faults on other ports before they start: faults::check_applicable).
    virtual bool next_frame_line(const meter::line_condition& condition) {
        (void)condition;
        return false;
    }

    /// One chunk of the current frame; ok when the port took all of it. A PTY or serial port
    /// may take part of it and report overrun: whoever must know how much uses write_some().
    virtual sink_status write(codec::byte_view chunk) = 0;

    /// As much of `chunk` as the port takes now: `written` says how much (also when the status
    /// is not ok); ok when it took all of it. The runners write through this. The default is
    /// write() for ports that take all or nothing; ports that can take part override it.
    virtual sink_status write_some(codec::byte_view chunk, std::size_t& written) {
        const sink_status status = write(chunk);
        written = status == sink_status::ok ? chunk.size() : 0;
        return status;
    }

    /// The frame is complete (files flush here).
    virtual void frame_end() {}

    /// The frame was cut short (listener left, data request dropped, a stall): the caller
    /// counts what the port took as written. A port may discard queued bytes only when they
    /// reach nobody (a PTY whose reader left); bytes of earlier frames, counted as sent, are
    /// never discarded.
    virtual void frame_abort() {}

    /// Whether bytes already written still wait for the listener (unread PTY input, queued TCP
    /// writes). The session waits (bounded) for this to clear before closing ports, so the
    /// last frame of a run is not cut off by the close.
    virtual bool output_pending() { return false; }

    /// After a write that the port could not take in full: waits until the port can take
    /// bytes again or `timeout` passes, whichever comes first (a writer that waits instead of
    /// losing a frame calls this rather than sleeping blindly). The default sleeps `timeout`;
    /// ports with a descriptor wait for it to become writable.
    virtual void wait_writable(std::chrono::milliseconds timeout);

    /// After `failed`: what failed, for people ("file out.bin: write failed: No space left on
    /// device"). Empty while nothing has failed.
    virtual std::string failure() const { return {}; }

    /// Releases the port (removes a PTY's symlink, closes sockets). Idempotent; the
    /// destructor calls it too.
    virtual void close() = 0;

    /// For people: a condition the port rides out by itself (a TCP server out of file
    /// descriptors backs off and retries), said once when it starts and once when it ends.
    /// Unset: written to stderr as "hansim: TEXT".
    void on_notice(std::function<void(const std::string&)> callback) { notice_ = std::move(callback); }

protected:
    void notice(const std::string& text) const;

private:
    std::function<void(const std::string&)> notice_;
};

}  // namespace hansim::io
