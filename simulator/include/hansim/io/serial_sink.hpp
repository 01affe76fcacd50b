#pragma once
/// @file
/// A real serial port (USB-UART, RS-232) through boost::asio::serial_port, with termios for
/// what Asio lacks (modem-line status). Writes never block: the pacer feeds the UART at
/// its own rate. A device that vanishes (USB unplug) is closed and reopened on a later frame
/// with exponential backoff (0.25 s doubling to 8 s); frames meanwhile are port_unavailable.
/// An aborted frame discards nothing: the driver's output queue (tcflush) cannot be cut at a
/// frame boundary and may still hold earlier frames, counted as sent. Paced, it holds about
/// one chunk of the aborted frame, which then still leaves, as counted in its bytes_written.
///
/// Line faults (meter::line_condition, set with next_frame_line): for the push that carries
/// one, the port first waits for the line to drain (tcdrain) so earlier bytes leave at the
/// right settings, then sets the faulted line (tcsetattr: the other parity, or another baud
/// rate) or sends a break (tcsendbreak); after the push it waits for it to drain and sets the
/// port's own line again (also after frame_abort(): what is queued of it still leaves). Every
/// other push sees no termios call. The calls go through io::line_control (line_control.hpp),
/// which tests replace. A baud rate termios cannot set fails the run (sink_status::failed,
/// failure()).
///
/// tcdrain blocks until the UART has sent what it holds (up to a frame time: a second at
/// 2400 baud) and tcsendbreak for the break, so these calls run on a small worker thread of
/// the sink, in order, never on the io thread every meter of the process shares
/// (line_calls::on_worker). frame_begin() and frame_end() hand the calls to the worker and
/// return at once; until the worker is done, write() and write_some() take nothing and say
/// overrun, so the run loop's back-pressure (meter_runner.hpp) holds the push's bytes and
/// retries (every 1 ms doubling to 20 ms): the bytes leave after the line has switched (or the
/// break), and the next push's after the line is back, as when the calls blocked. What goes on
/// the wire is the same; the push may start up to one retry step later. A call's error is
/// seen at the next write or frame_begin(). line_calls::inline_on_caller makes the calls where
/// they are asked for (tests on a virtual clock, whose retries would not wait for a thread).

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/serial_port.hpp>

#include "hansim/io/byte_sink.hpp"
#include "hansim/io/data_request.hpp"
#include "hansim/io/line_control.hpp"
#include "hansim/io/line_settings.hpp"

namespace hansim::io {

enum class modem_line { cts, dsr };

/// Where a serial port makes its blocking line-fault calls (see the file comment).
enum class line_calls { on_worker, inline_on_caller };

class line_worker;

class serial_sink final : public byte_sink {
public:
    /// Opens and configures `device` (raw, no flow control). Throws port_error naming the
    /// device when it cannot be opened or configured at start. `control` (not owned, must
    /// outlive the sink) makes the line-fault calls; null: termios_line_control(). `calls`:
    /// on a worker thread (default), or inline (tests on a virtual clock).
    serial_sink(boost::asio::io_context& context, std::string device, line_settings line,
                line_control* control = nullptr, line_calls calls = line_calls::on_worker);
    ~serial_sink() override;

    const line_settings& line() const { return line_; }
    bool is_open() const { return port_.is_open(); }

    /// The level of CTS or DSR (TIOCMGET); nullopt when the port is closed or the device
    /// has no modem lines (a PTY, some adapters).
    std::optional<bool> modem_line_level(modem_line which);

    std::string describe() const override;
    bool next_frame_line(const meter::line_condition& condition) override;
    sink_status frame_begin() override;
    sink_status write(codec::byte_view chunk) override;
    sink_status write_some(codec::byte_view chunk, std::size_t& written) override;
    void frame_end() override;
    void frame_abort() override;
    std::string failure() const override { return failure_; }
    void close() override;

private:
    void open_and_configure();  // throws boost::system::system_error
    void lose_device();
    sink_status begin_line_fault(const meter::line_condition& condition);
    void restore_line(bool drain_first);
    /// Runs `call` (it returns 0 or an errno value and says what it did in `what`) inline or
    /// on the worker; inline, returns what line_error() makes of its result.
    sink_status line_call(std::function<int(std::string& what)> call);
    /// A line call's error: EINVAL fails the run (failure_), anything else loses the device.
    sink_status line_error(int error, const std::string& what);
    /// Before touching the port: ok when no line call is pending or failed, overrun while the
    /// worker works, else line_error() of what failed.
    sink_status line_calls_done();

    std::string device_;
    line_settings line_;
    boost::asio::serial_port port_;
    std::chrono::steady_clock::time_point next_attempt_{};
    std::chrono::milliseconds backoff_{250};
    line_control& control_;
    std::optional<meter::line_condition> next_line_;  ///< for the next frame_begin()
    bool line_changed_ = false;  ///< the current frame runs on a faulted line
    std::string failure_;
    line_calls calls_;
    std::unique_ptr<line_worker> worker_;  ///< made at the first line fault (on_worker)
};

/// The data request read from a serial port's CTS or DSR line (not asserted while the
/// port is closed or has no such line).
class modem_data_request final : public data_request {
public:
    modem_data_request(serial_sink& port, modem_line which) : port_(port), which_(which) {}
    bool asserted() override { return port_.modem_line_level(which_).value_or(false); }

private:
    serial_sink& port_;
    modem_line which_;
};

}  // namespace hansim::io
