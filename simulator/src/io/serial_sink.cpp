#include "hansim/io/serial_sink.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <termios.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "hansim/io/port_spec.hpp"

namespace hansim::io {

namespace {
using boost::asio::serial_port_base;

serial_port_base::parity::type asio_parity(parity p) {
    switch (p) {
        case parity::none: return serial_port_base::parity::none;
        case parity::even: return serial_port_base::parity::even;
        case parity::odd: return serial_port_base::parity::odd;
    }
    return serial_port_base::parity::none;
}
}  // namespace

serial_sink::serial_sink(boost::asio::io_context& context, std::string device, line_settings line,
                         line_control* control)
    : device_(std::move(device)),
      line_(line),
      port_(context),
      control_(control ? *control : termios_line_control()) {
    try {
        open_and_configure();
    } catch (const boost::system::system_error& e) {
        throw port_error("cannot open serial port " + device_ + " at " + line_.to_string() + ": " +
                         e.code().message());
    }
}

serial_sink::~serial_sink() { close(); }

void serial_sink::open_and_configure() {
    port_.open(device_);  // Asio opens O_NOCTTY, raw, CLOCAL|CREAD
    try {
        port_.set_option(serial_port_base::baud_rate(line_.baud));
        port_.set_option(serial_port_base::character_size(line_.data_bits));
        port_.set_option(serial_port_base::parity(asio_parity(line_.parity)));
        port_.set_option(serial_port_base::stop_bits(line_.stop_bits == 2 ? serial_port_base::stop_bits::two
                                                                           : serial_port_base::stop_bits::one));
        port_.set_option(serial_port_base::flow_control(serial_port_base::flow_control::none));
        const int fd = port_.native_handle();  // Asio's own writes would wait; ours must not
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    } catch (...) {
        boost::system::error_code ignored;
        port_.close(ignored);
        throw;
    }
    backoff_ = std::chrono::milliseconds(250);
}

void serial_sink::lose_device() {
    boost::system::error_code ignored;
    port_.close(ignored);
    next_attempt_ = std::chrono::steady_clock::now() + backoff_;
}

std::optional<bool> serial_sink::modem_line_level(modem_line which) {
    if (!port_.is_open()) return std::nullopt;
    int lines = 0;
    if (::ioctl(port_.native_handle(), TIOCMGET, &lines) != 0) return std::nullopt;
    return (lines & (which == modem_line::cts ? TIOCM_CTS : TIOCM_DSR)) != 0;
}

std::string serial_sink::describe() const { return "serial " + device_ + " " + line_.to_string(); }

bool serial_sink::next_frame_line(const meter::line_condition& condition) {
    next_line_ = condition;
    return true;
}

sink_status serial_sink::frame_begin() {
    const auto condition = std::exchange(next_line_, std::nullopt);  // a lost frame takes it along
    line_changed_ = false;
    if (!port_.is_open()) {
        const auto now = std::chrono::steady_clock::now();
        if (now < next_attempt_) return sink_status::unavailable;
        try {
            open_and_configure();
        } catch (const boost::system::system_error&) {
            backoff_ = std::min(backoff_ * 2, std::chrono::milliseconds(8000));
            next_attempt_ = now + backoff_;
            return sink_status::unavailable;
        }
    }
    return condition ? begin_line_fault(*condition) : sink_status::ok;
}

sink_status serial_sink::begin_line_fault(const meter::line_condition& condition) {
    const int fd = port_.native_handle();
    int error = control_.drain(fd);  // what is still in the UART leaves on the right line
    std::string what = "drain the line";
    if (error == 0 && condition.what == meter::line_condition::kind::brk) {
        what = "send a break of " + std::to_string(condition.break_length.count()) + " ms";
        error = control_.send_break(fd, condition.break_length);
    } else if (error == 0) {
        const line_settings faulted = line_under(line_, condition);
        what = "switch to " + faulted.to_string();
        error = control_.set_line(fd, faulted);
        line_changed_ = error == 0;
    }
    if (error == 0) return sink_status::ok;
    if (error == EINVAL) {  // a setting the driver does not take: every such push would fail alike
        failure_ = describe() + ": cannot " + what + " for a line fault (" + std::strerror(error) + ")";
        restore_line(false);
        return sink_status::failed;
    }
    lose_device();  // EIO / ENXIO / ENODEV: unplugged; the reopen sets the port's own line
    return sink_status::unavailable;
}

void serial_sink::restore_line(bool drain_first) {
    if (!line_changed_ || !port_.is_open()) return;
    line_changed_ = false;
    const int fd = port_.native_handle();
    if (drain_first && control_.drain(fd) != 0) return lose_device();
    if (control_.set_line(fd, line_) != 0) lose_device();  // a reopen configures the line afresh
}

void serial_sink::frame_end() { restore_line(true); }

sink_status serial_sink::write(codec::byte_view chunk) {
    if (!port_.is_open()) return sink_status::unavailable;
    const ssize_t written = ::write(port_.native_handle(), chunk.data(), chunk.size());
    if (written == static_cast<ssize_t>(chunk.size())) return sink_status::ok;
    if (written >= 0 || errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return sink_status::overrun;
    lose_device();  // EIO / ENXIO / ENODEV: unplugged
    return sink_status::unavailable;
}

sink_status serial_sink::write_some(codec::byte_view chunk, std::size_t& written) {
    written = 0;
    if (!port_.is_open()) return sink_status::unavailable;
    const ssize_t n = ::write(port_.native_handle(), chunk.data(), chunk.size());
    if (n > 0) written = static_cast<std::size_t>(n);
    if (written == chunk.size()) return sink_status::ok;
    if (n >= 0 || errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return sink_status::overrun;
    lose_device();  // EIO / ENXIO / ENODEV: unplugged
    return sink_status::unavailable;
}

void serial_sink::frame_abort() {
    restore_line(true);  // what the driver still holds of the push leaves on its line first
}

void serial_sink::close() {
    line_changed_ = false;
    boost::system::error_code ignored;
    if (port_.is_open()) port_.close(ignored);
}

}  // namespace hansim::io
