#include "hansim/io/serial_sink.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <termios.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
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

/// One thread running a serial port's line calls in order (serial_sink.hpp). The io thread
/// posts; it asks busy() before it writes and takes the first error of what ran.
class line_worker {
public:
    using call = std::function<int(std::string& what)>;

    line_worker() : thread_([this] { loop(); }) {}
    ~line_worker() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        thread_.join();
    }

    void post(call c) {
        {
            std::lock_guard lock(mutex_);
            queue_.push_back(std::move(c));
            ++pending_;
        }
        wake_.notify_all();
    }
    /// A posted call has not finished yet.
    bool busy() const { return pending_.load(std::memory_order_acquire) != 0; }
    /// Blocks until every posted call has run (before the port is closed under it).
    void wait_idle() {
        std::unique_lock lock(mutex_);
        idle_.wait(lock, [this] { return pending_.load() == 0; });
    }
    /// The first call that failed since the last take: (errno value, what it did).
    std::optional<std::pair<int, std::string>> take_error() {
        std::lock_guard lock(mutex_);
        return std::exchange(error_, std::nullopt);
    }

private:
    void loop() {
        std::unique_lock lock(mutex_);
        for (;;) {
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping, nothing left
            call c = std::move(queue_.front());
            queue_.pop_front();
            lock.unlock();
            std::string what;
            const int error = c(what);
            lock.lock();
            if (error != 0 && !error_) error_.emplace(error, std::move(what));
            pending_.fetch_sub(1, std::memory_order_release);
            idle_.notify_all();
        }
    }

    std::mutex mutex_;
    std::condition_variable wake_, idle_;
    std::deque<call> queue_;
    std::atomic<std::size_t> pending_{0};
    std::optional<std::pair<int, std::string>> error_;
    bool stopping_ = false;
    std::thread thread_;  // last: starts once the members above exist
};

serial_sink::serial_sink(boost::asio::io_context& context, std::string device, line_settings line,
                         line_control* control, line_calls calls)
    : device_(std::move(device)),
      line_(line),
      port_(context),
      control_(control ? *control : termios_line_control()),
      calls_(calls) {
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
    // A line call of the last push that failed: this frame is lost (or the run fails), as
    // when the call was made inline. One still running is fine: the calls stay in order.
    if (worker_ && !worker_->busy()) {
        if (auto failed = worker_->take_error()) return line_error(failed->first, failed->second);
    }
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
    const line_settings faulted = line_under(line_, condition);
    line_changed_ = condition.what != meter::line_condition::kind::brk;  // restored after the push either way
    return line_call([this, fd, condition, faulted](std::string& what) {
        what = "drain the line";
        int error = control_.drain(fd);  // what is still in the UART leaves on the right line
        if (error == 0 && condition.what == meter::line_condition::kind::brk) {
            what = "send a break of " + std::to_string(condition.break_length.count()) + " ms";
            error = control_.send_break(fd, condition.break_length);
        } else if (error == 0) {
            what = "switch to " + faulted.to_string();
            error = control_.set_line(fd, faulted);
        }
        return error;
    });
}

sink_status serial_sink::line_call(std::function<int(std::string& what)> call) {
    if (calls_ == line_calls::inline_on_caller) {
        std::string what;
        const int error = call(what);
        return error == 0 ? sink_status::ok : line_error(error, what);
    }
    if (!worker_) worker_ = std::make_unique<line_worker>();
    worker_->post(std::move(call));
    return sink_status::ok;
}

sink_status serial_sink::line_error(int error, const std::string& what) {
    if (error == EINVAL) {  // a setting the driver does not take: every such push would fail alike
        restore_line(false);
        failure_ = describe() + ": cannot " + what + " for a line fault (" + std::strerror(error) + ")";
        return sink_status::failed;
    }
    line_changed_ = false;
    lose_device();  // EIO / ENXIO / ENODEV: unplugged; the reopen sets the port's own line
    return sink_status::unavailable;
}

sink_status serial_sink::line_calls_done() {
    if (!worker_) return sink_status::ok;
    if (worker_->busy()) return sink_status::overrun;  // the bytes wait for the line
    if (auto failed = worker_->take_error()) return line_error(failed->first, failed->second);
    return sink_status::ok;
}

void serial_sink::restore_line(bool drain_first) {
    if (!line_changed_ || !port_.is_open()) return;
    line_changed_ = false;
    const int fd = port_.native_handle();
    const sink_status status = line_call([this, fd, drain_first](std::string& what) {
        what = "drain the line";
        if (drain_first) {
            if (const int error = control_.drain(fd)) return error;
        }
        what = "set the port's own line " + line_.to_string() + " again";
        return control_.set_line(fd, line_);
    });
    if (status == sink_status::failed) {  // inline only: EINVAL setting the port's own line
        failure_.clear();
        lose_device();  // a reopen configures the line afresh
    }
}

void serial_sink::frame_end() { restore_line(true); }

sink_status serial_sink::write(codec::byte_view chunk) {
    if (const auto status = line_calls_done(); status != sink_status::ok) return status;
    if (!port_.is_open()) return sink_status::unavailable;
    const ssize_t written = ::write(port_.native_handle(), chunk.data(), chunk.size());
    if (written == static_cast<ssize_t>(chunk.size())) return sink_status::ok;
    if (written >= 0 || errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return sink_status::overrun;
    lose_device();  // EIO / ENXIO / ENODEV: unplugged
    return sink_status::unavailable;
}

sink_status serial_sink::write_some(codec::byte_view chunk, std::size_t& written) {
    written = 0;
    if (const auto status = line_calls_done(); status != sink_status::ok) return status;
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
    if (worker_) worker_->wait_idle();  // its calls use the descriptor: let them finish first
    line_changed_ = false;
    boost::system::error_code ignored;
    if (port_.is_open()) port_.close(ignored);
}

}  // namespace hansim::io
