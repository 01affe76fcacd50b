// PTY output: hansim's pty_sink against a raw write() loop into a bare PTY pair (the
// reference: what the kernel's tty layer moves on this machine in the same run). A reader
// thread drains the slave side in both cases.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "hansim/io/pty_sink.hpp"

namespace {

/// Reads and discards everything from `path` until stopped.
class drain_thread {
public:
    explicit drain_thread(const std::string& path) {
        fd_ = ::open(path.c_str(), O_RDONLY | O_NOCTTY | O_NONBLOCK);
        termios t{};
        if (fd_ >= 0 && ::tcgetattr(fd_, &t) == 0) {
            ::cfmakeraw(&t);
            ::tcsetattr(fd_, TCSANOW, &t);
        }
        thread_ = std::thread([this] {
            char buf[65536];
            while (!stop_) {
                if (::read(fd_, buf, sizeof buf) <= 0) std::this_thread::yield();
            }
        });
    }
    ~drain_thread() {
        stop_ = true;
        thread_.join();
        if (fd_ >= 0) ::close(fd_);
    }

private:
    int fd_ = -1;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

const std::vector<std::uint8_t>& frame() {
    static const std::vector<std::uint8_t> bytes(461, 0x55);  // a DLMS push 1 sized frame
    return bytes;
}

void reference_raw_pty_write(benchmark::State& state) {
    const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
    ::grantpt(master);
    ::unlockpt(master);
    termios t{};
    ::tcgetattr(master, &t);
    ::cfmakeraw(&t);
    ::tcsetattr(master, TCSANOW, &t);
    drain_thread reader(::ptsname(master));
    for (auto _ : state) {
        std::size_t done = 0;
        while (done < frame().size()) {
            const auto n = ::write(master, frame().data() + done, frame().size() - done);
            if (n > 0) done += static_cast<std::size_t>(n);
        }
    }
    ::close(master);
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * frame().size()));
}
BENCHMARK(reference_raw_pty_write)->UseRealTime();

void hansim_pty_sink_write(benchmark::State& state) {
    boost::asio::io_context context;
    const auto link = std::filesystem::temp_directory_path() / ("hansim-bench-" + std::to_string(::getpid()));
    hansim::io::pty_sink sink(context, link);
    drain_thread reader(sink.slave_path());
    for (auto _ : state) {
        sink.frame_begin();
        std::size_t done = 0;
        while (done < frame().size()) {
            // write() queues what the PTY cannot take yet; run the context to flush it.
            if (sink.write(hansim::codec::byte_view(frame()).subspan(done)) != hansim::io::sink_status::ok) break;
            done = frame().size();
            while (sink.output_pending()) context.poll();
        }
    }
    sink.close();
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * frame().size()));
}
BENCHMARK(hansim_pty_sink_write)->UseRealTime();

}  // namespace
