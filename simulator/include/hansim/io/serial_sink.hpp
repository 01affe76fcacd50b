#pragma once
/// @file
/// A real serial port (USB-UART, RS-232) through boost::asio::serial_port, with termios for
/// what Asio lacks (modem-line status). Writes never block: the pacer feeds the UART at
/// its own rate. A device that vanishes (USB unplug) is closed and reopened on a later frame
/// with exponential backoff (0.25 s doubling to 8 s); frames meanwhile are port_unavailable.
/// An aborted frame discards nothing: the driver's output queue (tcflush) cannot be cut at a
/// frame boundary and may still hold earlier frames, counted as sent. Paced, it holds about
/// one chunk of the aborted frame, which then still leaves, as counted in its bytes_written.

#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/serial_port.hpp>

#include "hansim/io/byte_sink.hpp"
#include "hansim/io/data_request.hpp"
#include "hansim/io/line_settings.hpp"

namespace hansim::io {

enum class modem_line { cts, dsr };

class serial_sink final : public byte_sink {
public:
    /// Opens and configures `device` (raw, no flow control). Throws port_error naming the
    /// device when it cannot be opened or configured at start.
    serial_sink(boost::asio::io_context& context, std::string device, line_settings line);
    ~serial_sink() override;

    const line_settings& line() const { return line_; }
    bool is_open() const { return port_.is_open(); }

    /// The level of CTS or DSR (TIOCMGET); nullopt when the port is closed or the device
    /// has no modem lines (a PTY, some adapters).
    std::optional<bool> modem_line_level(modem_line which);

    std::string describe() const override;
    sink_status frame_begin() override;
    sink_status write(codec::byte_view chunk) override;
    sink_status write_some(codec::byte_view chunk, std::size_t& written) override;
    void close() override;

private:
    void open_and_configure();  // throws boost::system::system_error
    void lose_device();

    std::string device_;
    line_settings line_;
    boost::asio::serial_port port_;
    std::chrono::steady_clock::time_point next_attempt_{};
    std::chrono::milliseconds backoff_{250};
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
