#include "hansim/io/pty_sink.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>

#include "hansim/io/port_spec.hpp"

namespace hansim::io {

namespace {

std::string errno_text(int error) { return std::generic_category().message(error); }

int open_master() {
    const int fd = ::posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) throw port_error("cannot open a pseudo-terminal: " + errno_text(errno));
    if (::grantpt(fd) != 0 || ::unlockpt(fd) != 0) {
        const int error = errno;
        ::close(fd);
        throw port_error("cannot unlock a pseudo-terminal: " + errno_text(error));
    }
    return fd;
}

std::string slave_name(int master) {
    char name[128];
    if (::ptsname_r(master, name, sizeof name) != 0)
        throw port_error("cannot name the pseudo-terminal's slave: " + errno_text(errno));
    return name;
}

// Opening and closing the slave once puts the master into the "hung up" state, so POLLHUP
// reports "no reader" from the start; raw mode set here stays with the pair.
void prime_slave(const std::string& slave) {
    const int fd = ::open(slave.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) throw port_error("cannot open " + slave + ": " + errno_text(errno));
    termios mode{};
    if (::tcgetattr(fd, &mode) == 0) {
        ::cfmakeraw(&mode);
        ::tcsetattr(fd, TCSANOW, &mode);
    }
    ::close(fd);
}

void place_link(const std::filesystem::path& link, const std::string& target) {
    std::error_code ec;
    const auto status = std::filesystem::symlink_status(link, ec);
    if (!ec && std::filesystem::exists(status) && !std::filesystem::is_symlink(status))
        throw port_error("cannot create PTY link " + link.string() +
                         ": a file that is not a symlink is in the way");
    // Create beside it, then rename over: the link never points nowhere, and a stale one
    // left by a crash is replaced atomically.
    auto temporary = link;
    temporary += ".hansim-" + std::to_string(::getpid());
    std::filesystem::remove(temporary, ec);
    std::filesystem::create_symlink(target, temporary, ec);
    if (ec) throw port_error("cannot create PTY link " + link.string() + ": " + ec.message());
    std::filesystem::rename(temporary, link, ec);
    if (ec) {
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        throw port_error("cannot create PTY link " + link.string() + ": " + ec.message());
    }
}

}  // namespace

pty_sink::pty_sink(boost::asio::io_context& context, std::filesystem::path link)
    : link_(std::move(link)), master_(context) {
    const int fd = open_master();
    master_.assign(fd);
    slave_path_ = slave_name(fd);
    prime_slave(slave_path_);
    place_link(link_, slave_path_);
    linked_ = true;
}

pty_sink::~pty_sink() { close(); }

std::string pty_sink::describe() const { return "pty " + link_.string() + " -> " + slave_path_; }

bool pty_sink::listener_present() {
    if (!master_.is_open()) return false;
    pollfd probe{master_.native_handle(), POLLOUT, 0};
    if (::poll(&probe, 1, 0) < 0) return false;
    return (probe.revents & POLLHUP) == 0;
}

sink_status pty_sink::frame_begin() {
    if (!master_.is_open()) return sink_status::unavailable;
    const auto now = std::chrono::steady_clock::now();
    if (may_hold_stale_input_ && now - listener_seen_ < listener_recheck) return sink_status::ok;
    if (listener_present()) {
        may_hold_stale_input_ = true;
        listener_seen_ = now;
        return sink_status::ok;
    }
    discard_queued_input();
    return sink_status::no_listener;
}

// No listener check before a write (it cost a poll() per chunk; frame_begin() checks once a
// frame). Linux queues what is written while no slave is open (until the buffer is full), so
// a reader that leaves mid-frame is noticed at the next frame's start, which discards what it
// left unread; a kernel that refuses the write (EIO) says no_listener at once.
sink_status pty_sink::write(codec::byte_view chunk) {
    std::size_t written = 0;
    return write_some(chunk, written);
}

sink_status pty_sink::nobody_there() {
    discard_queued_input();
    return sink_status::no_listener;
}

sink_status pty_sink::write_some(codec::byte_view chunk, std::size_t& written) {
    written = 0;
    if (!master_.is_open()) return sink_status::unavailable;
    const ssize_t n = ::write(master_.native_handle(), chunk.data(), chunk.size());
    if (n > 0) written = static_cast<std::size_t>(n);
    if (written == chunk.size()) return sink_status::ok;
    if (n >= 0 || errno == EAGAIN || errno == EWOULDBLOCK) return sink_status::overrun;
    if (errno == EIO) return nobody_there();
    return sink_status::unavailable;
}

void pty_sink::frame_abort() {
    if (!listener_present()) nobody_there();
}

// What a departed reader left unread stays queued on the slave side and would greet the
// next reader as a stale fragment: open the slave briefly and flush its input.
void pty_sink::discard_queued_input() {
    if (!may_hold_stale_input_) return;
    may_hold_stale_input_ = false;
    const int fd = ::open(slave_path_.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return;
    ::tcflush(fd, TCIFLUSH);
    ::close(fd);
}

bool pty_sink::output_pending() {
    if (!listener_present()) return false;
    const int fd = ::open(slave_path_.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return false;
    int unread = 0;
    if (::ioctl(fd, FIONREAD, &unread) != 0) unread = 0;
    ::close(fd);
    return unread > 0;
}

void pty_sink::wait_writable(std::chrono::milliseconds timeout) {
    if (!master_.is_open()) return;
    pollfd probe{master_.native_handle(), POLLOUT, 0};
    ::poll(&probe, 1, static_cast<int>(timeout.count()));
}

void pty_sink::close() {
    if (linked_) {
        linked_ = false;
        std::error_code ec;
        if (std::filesystem::read_symlink(link_, ec) == slave_path_ && !ec) std::filesystem::remove(link_, ec);
    }
    if (master_.is_open()) {
        boost::system::error_code ignored;
        master_.close(ignored);
    }
}

}  // namespace hansim::io
