#include "hansim/io/recorder.hpp"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/serial_port.hpp>

#include "hansim/capture/capture_file.hpp"

namespace hansim::io {

namespace {

std::string errno_text(int error) { return std::generic_category().message(error); }

capture::wall_time wall_now() {
    return std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now());
}

bool write_all(int fd, const codec::bytes& data) {
    std::size_t done = 0;
    while (done < data.size()) {
        const auto n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace

// ---- port_reader ----

port_reader::port_reader(port_spec spec, line_settings line) : spec_(std::move(spec)), line_(line) {
    if (spec_.kind == port_kind::file || spec_.kind == port_kind::standard_output)
        throw port_error("port '" + spec_.to_string() +
                         "': record reads a pty, serial, tcp or rfc2217 port (a file is not a port)");
}

port_reader::~port_reader() { close(); }

std::string port_reader::describe() const {
    switch (spec_.kind) {
        case port_kind::pty: return "pty " + spec_.path + (opened_as_.empty() ? "" : " -> " + opened_as_);
        case port_kind::serial: return "serial " + spec_.path + " " + line_.to_string();
        case port_kind::tcp: return "tcp " + spec_.host + ":" + std::to_string(spec_.tcp_port);
        case port_kind::rfc2217: return "rfc2217 " + spec_.host + ":" + std::to_string(spec_.tcp_port);
        default: return spec_.to_string();
    }
}

bool port_reader::open(std::string& why) {
    close();
    return spec_.kind == port_kind::tcp || spec_.kind == port_kind::rfc2217 ? open_tcp(why) : open_tty(why);
}

bool port_reader::open_tty(std::string& why) {
    if (spec_.kind == port_kind::serial) {
        // Asio knows the baud-rate constants; configure through it, then read the descriptor.
        try {
            boost::asio::io_context context;
            boost::asio::serial_port port(context, spec_.path);
            using base = boost::asio::serial_port_base;
            port.set_option(base::baud_rate(line_.baud));
            port.set_option(base::character_size(line_.data_bits));
            port.set_option(base::parity(line_.parity == parity::none   ? base::parity::none
                                         : line_.parity == parity::even ? base::parity::even
                                                                        : base::parity::odd));
            port.set_option(base::stop_bits(line_.stop_bits == 2 ? base::stop_bits::two : base::stop_bits::one));
            port.set_option(base::flow_control(base::flow_control::none));
            fd_ = ::dup(port.native_handle());
        } catch (const boost::system::system_error& e) {
            why = "cannot open serial port " + spec_.path + ": " + e.code().message();
            return false;
        }
        if (fd_ < 0) {
            why = "cannot open serial port " + spec_.path + ": " + errno_text(errno);
            return false;
        }
    } else {
        fd_ = ::open(spec_.path.c_str(), O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (fd_ < 0) {
            why = "cannot open " + spec_.path + ": " + errno_text(errno);
            return false;
        }
        std::error_code ec;
        const auto target = std::filesystem::canonical(spec_.path, ec);
        opened_as_ = ec ? std::string() : target.string();
    }
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
    termios mode{};
    if (::tcgetattr(fd_, &mode) == 0) {  // raw: no echo, no CR/LF translation (P1 ends in CR LF)
        const auto in = ::cfgetispeed(&mode), out = ::cfgetospeed(&mode);
        ::cfmakeraw(&mode);
        ::cfsetispeed(&mode, in);
        ::cfsetospeed(&mode, out);
        mode.c_cflag |= CREAD | CLOCAL;
        ::tcsetattr(fd_, TCSANOW, &mode);
    }
    return true;
}

bool port_reader::open_tcp(std::string& why) {
    const auto where = spec_.host + ":" + std::to_string(spec_.tcp_port);
    try {
        boost::asio::io_context context;
        boost::asio::ip::tcp::resolver resolver(context);
        boost::asio::ip::tcp::socket socket(context);
        boost::asio::connect(socket, resolver.resolve(spec_.host, std::to_string(spec_.tcp_port)));
        fd_ = ::dup(socket.native_handle());
    } catch (const boost::system::system_error& e) {
        why = "cannot connect to " + where + ": " + e.code().message();
        return false;
    }
    if (fd_ < 0) {
        why = "cannot connect to " + where + ": " + errno_text(errno);
        return false;
    }
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
    if (spec_.kind == port_kind::rfc2217) {
        telnet_.emplace();
        if (!write_all(fd_, rfc2217_client::hello())) {
            why = "cannot talk to " + where + ": " + errno_text(errno);
            close();
            return false;
        }
    }
    return true;
}

bool port_reader::read(codec::bytes& out, std::chrono::milliseconds timeout, std::string& why) {
    if (fd_ < 0) {
        why = "not open";
        return false;
    }
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (ready < 0) return true;  // EINTR: the caller checks for a stop request
    if (ready == 0) return true;
    std::uint8_t buffer[4096];
    const auto n = ::read(fd_, buffer, sizeof buffer);
    if (n > 0) {
        const codec::byte_view got(buffer, static_cast<std::size_t>(n));
        if (telnet_) {
            const auto replies = telnet_->receive(got, out);
            if (!replies.empty()) write_all(fd_, replies);
        } else {
            out.insert(out.end(), got.begin(), got.end());
        }
        return true;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        if (!(p.revents & (POLLHUP | POLLERR))) return true;
    }
    if (n == 0) why = spec_.kind == port_kind::tcp || spec_.kind == port_kind::rfc2217 ? "connection closed by the server"
                                                                                     : "end of file";
    else if (n < 0 && (errno == EAGAIN || errno == EINTR)) why = "hang-up";
    else why = errno_text(errno);
    close();
    return false;
}

void port_reader::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    telnet_.reset();
}

// ---- recorder ----

recorder::recorder(recorder_settings settings, int out_fd) : settings_(std::move(settings)), out_fd_(out_fd) {}

void recorder::write_line(const std::string& line) {
    if (!write_all(out_fd_, codec::bytes(line.begin(), line.end())))
        throw std::runtime_error("cannot write the capture file: " + errno_text(errno));
}

void recorder::event(std::string_view name, std::string_view text) {
    write_line(capture::format_event(std::chrono::steady_clock::now() - start_mono_, wall_now(), name, text));
    ::fdatasync(out_fd_);
    if (on_event_) on_event_(name, text);
}

recorder_stats recorder::run(const std::function<bool()>& stop_requested) {
    port_reader reader(settings_.port, settings_.line);
    recorder_stats stats;
    std::string why;
    if (!reader.open(why)) throw port_error(why);

    start_mono_ = std::chrono::steady_clock::now();
    capture::header head;
    head.recorded_by = settings_.recorded_by;
    head.port = settings_.port.to_string();
    head.line = settings_.line.spec();
    head.start = wall_now();
    write_line(capture::format_header(head));
    event("opened", reader.describe());

    const auto deadline = settings_.duration ? std::optional(start_mono_ + *settings_.duration) : std::nullopt;
    auto backoff = std::chrono::milliseconds(250);
    auto next_attempt = std::chrono::steady_clock::now();
    codec::bytes chunk;
    while (!stop_requested()) {
        if (next_note_)
            while (auto note = next_note_()) event("note", *note);
        const auto now = std::chrono::steady_clock::now();
        if (deadline && now >= *deadline) break;
        auto wait = std::chrono::milliseconds(100);
        if (deadline)
            wait = std::min(wait, std::chrono::ceil<std::chrono::milliseconds>(*deadline - now));
        if (!reader.is_open()) {
            if (now < next_attempt) {
                std::this_thread::sleep_for(std::min(wait, std::chrono::ceil<std::chrono::milliseconds>(next_attempt - now)));
                continue;
            }
            if (reader.open(why)) {
                ++stats.reopened;
                backoff = std::chrono::milliseconds(250);
                event("opened", reader.describe());
            } else {
                next_attempt = now + backoff;
                backoff = std::min(backoff * 2, std::chrono::milliseconds(8000));
            }
            continue;
        }
        chunk.clear();
        if (!reader.read(chunk, wait, why)) {
            event("closed", why);
            next_attempt = std::chrono::steady_clock::now() + backoff;
            continue;
        }
        if (chunk.empty()) continue;
        const auto offset = std::chrono::steady_clock::now() - start_mono_;
        write_line(capture::format_data(offset, wall_now(), chunk));
        ++stats.chunks;
        stats.bytes += chunk.size();
        if (on_data_) on_data_(chunk);
    }
    if (reader.is_open()) {
        reader.close();
        event("closed", "end of recording");
    }
    return stats;
}

}  // namespace hansim::io
