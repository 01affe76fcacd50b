#pragma once
/// @file
/// A pseudo-terminal the simulator writes into, reachable under a stable symlink the user
/// names (e.g. /tmp/ttyHAN0 -> /dev/pts/7), so a reader is pointed at the same path every run.
///
/// * Raw mode (cfmakeraw), set once on the pair; readers may change it as they like.
/// * A PTY has no line rate, no parity and no modem lines: pacing comes from the pacer,
///   parity settings are accepted by a reader but mean nothing, and a P1 data-request line
///   must be modelled (see data_request.hpp).
/// * Readers may open, close and reopen the slave at any time. While no slave descriptor is
///   open the master reports POLLHUP (Linux); that is checked (one poll(), no waiting) at
///   frame start, and the frame is then reported as no_listener. A reader seen less than
///   `listener_recheck` (1 ms) ago is not looked for again: frames back to back (--fast,
///   an unpaced session) cost one write() each, as a plain write loop does, and a reader
///   that leaves during such a burst is noticed at the first frame start 1 ms after it was
///   last seen (frames that far apart, every paced frame among them, are always checked).
///   Chunks are written without
///   a check, so a chunk costs one write(): Linux keeps taking bytes while no slave is open,
///   so a reader that leaves mid-frame is noticed at the next frame's start (the frame it
///   left counts as sent: the port took it, as a UART sends with nobody on the line); a write
///   refused with EIO (other kernels) reports no_listener at once.
///   Bytes still queued for a reader that went away are discarded, so the next reader never
///   starts with a stale fragment.
/// * An existing symlink at the link path (stale, from a crash) is replaced; any other kind
///   of file there is refused. The link is removed by close() if it still points to this PTY.

#include <chrono>
#include <filesystem>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "hansim/io/byte_sink.hpp"

namespace hansim::io {

class pty_sink final : public byte_sink {
public:
    /// Creates the PTY and the link. Throws port_error naming the link path when it cannot
    /// be created (missing directory, no permission, a non-symlink file in the way).
    pty_sink(boost::asio::io_context& context, std::filesystem::path link);
    ~pty_sink() override;

    const std::filesystem::path& link() const { return link_; }
    const std::string& slave_path() const { return slave_path_; }

    /// True while at least one descriptor of the slave side is open.
    bool listener_present();
    /// How long a reader seen at a frame start counts as still there for the next ones.
    static constexpr std::chrono::microseconds listener_recheck{1000};

    std::string describe() const override;
    sink_status frame_begin() override;
    sink_status write(codec::byte_view chunk) override;
    sink_status write_some(codec::byte_view chunk, std::size_t& written) override;
    void frame_abort() override;
    bool output_pending() override;
    /// poll() for POLLOUT on the master: returns as soon as the reader has made room.
    void wait_writable(std::chrono::milliseconds timeout) override;
    void close() override;

private:
    void discard_queued_input();
    sink_status nobody_there();  // a write was refused with EIO: no reader

    std::filesystem::path link_;
    std::string slave_path_;
    boost::asio::posix::stream_descriptor master_;
    bool linked_ = false;
    bool may_hold_stale_input_ = false;  // a reader was there since the last flush
    std::chrono::steady_clock::time_point listener_seen_{};  // when frame_begin() last found one
};

}  // namespace hansim::io
