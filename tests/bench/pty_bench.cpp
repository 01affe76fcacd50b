// PTY output: hansim's unpaced output path (io::unpaced_runner into io::pty_sink, the path of
// `--fast` frames that must never be lost) against a plain write() loop into a bare PTY pair
// (the reference: what the kernel's tty layer moves on this machine in the same run).
//
// In both cases one reader thread keeps the slave side open for the whole run and drains it
// with blocking reads, as a device under test would; the writer waits for room (poll) when
// the PTY buffer is full. Every benchmark checks at the end that the reader received every
// byte written: a lost frame fails the run (SkipWithError), it is not a figure.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "hansim/io/pty_sink.hpp"
#include "hansim/io/unpaced_runner.hpp"

namespace {

using namespace std::chrono_literals;

/// Opens `path` once and reads everything from it until stopped: poll() (so that it can be
/// stopped) then read() of all that is there, as a device under test would.
class reader_thread {
public:
    explicit reader_thread(const std::string& path) {
        fd_ = ::open(path.c_str(), O_RDONLY | O_NOCTTY | O_NONBLOCK);
        termios t{};
        if (fd_ >= 0 && ::tcgetattr(fd_, &t) == 0) {
            ::cfmakeraw(&t);
            ::tcsetattr(fd_, TCSANOW, &t);
        }
        thread_ = std::thread([this] {
            std::vector<char> buf(65536);
            while (!stop_) {
                pollfd p{fd_, POLLIN, 0};
                if (::poll(&p, 1, 20) <= 0) continue;
                for (;;) {
                    const auto n = ::read(fd_, buf.data(), buf.size());
                    if (n <= 0) break;
                    received_ += static_cast<std::uint64_t>(n);
                }
            }
        });
    }
    /// Waits (bounded) until `expected` bytes have arrived; returns how many did.
    std::uint64_t finish(std::uint64_t expected) {
        const auto give_up = std::chrono::steady_clock::now() + 10s;
        while (received_ < expected && std::chrono::steady_clock::now() < give_up) std::this_thread::sleep_for(1ms);
        return received_;
    }
    ~reader_thread() {
        stop_ = true;
        thread_.join();
        if (fd_ >= 0) ::close(fd_);
    }

private:
    int fd_ = -1;
    std::atomic<bool> stop_{false};
    std::atomic<std::uint64_t> received_{0};
    std::thread thread_;
};

constexpr std::size_t frame_size = 228;  // a Norwegian list 1 (3-phase)

const std::vector<std::uint8_t>& frame() {
    static const std::vector<std::uint8_t> bytes(frame_size, 0x55);
    return bytes;
}

void reference_raw_pty_write(benchmark::State& state) {
    const int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
    ::grantpt(master);
    ::unlockpt(master);
    termios t{};
    ::tcgetattr(master, &t);
    ::cfmakeraw(&t);
    ::tcsetattr(master, TCSANOW, &t);
    std::uint64_t written = 0;
    {
        reader_thread reader(::ptsname(master));
        for (auto _ : state) {
            std::size_t done = 0;
            while (done < frame().size()) {
                const auto n = ::write(master, frame().data() + done, frame().size() - done);
                if (n > 0) {
                    done += static_cast<std::size_t>(n);
                } else {
                    pollfd p{master, POLLOUT, 0};
                    ::poll(&p, 1, 100);
                }
            }
            written += done;
        }
        const auto received = reader.finish(written);
        if (received != written)
            state.SkipWithError(("reader received " + std::to_string(received) + " of " + std::to_string(written) +
                                 " bytes").c_str());
    }
    ::close(master);
    state.SetBytesProcessed(static_cast<std::int64_t>(written));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(reference_raw_pty_write)->UseRealTime();

/// The same frame over and over, one every 10 s of meter time (no model, no encoding: this
/// benchmark times the output path only).
class repeating_source final : public hansim::meter::push_source {
public:
    hansim::meter::push_frame next() override {
        hansim::meter::push_frame f;
        f.list = "list1";
        f.sequence = sequence_++;
        f.trigger_utc = hansim::meter::utc_ms{} + std::chrono::seconds(10) * static_cast<std::int64_t>(f.sequence);
        f.wire = frame();
        return f;
    }
    unsigned baud_rate() const override { return 2400; }
    unsigned bits_per_character() const override { return 10; }

private:
    std::uint64_t sequence_ = 0;
};

void hansim_unpaced_pty(benchmark::State& state) {
    boost::asio::io_context context;
    const auto link = std::filesystem::temp_directory_path() / ("hansim-bench-pty-" + std::to_string(::getpid()));
    auto sink = std::make_unique<hansim::io::pty_sink>(context, link);
    const std::string slave = sink->slave_path();
    hansim::io::unpaced_runner runner(std::make_unique<repeating_source>(), std::move(sink), context,
                                      hansim::meter::utc_ms{});
    std::uint64_t frames = 0;
    {
        reader_thread reader(slave);
        const auto on_frame = [&](const hansim::meter::push_frame&) { ++frames; };
        for (auto _ : state) {
            // One push per advance: each iteration is one frame through the real output path.
            runner.advance_to(runner.now() + std::chrono::seconds(10), on_frame);
        }
        const std::uint64_t written = frames * frame_size;
        const auto received = reader.finish(written);
        if (received != written)
            state.SkipWithError(("reader received " + std::to_string(received) + " of " + std::to_string(written) +
                                 " bytes: frames lost").c_str());
        runner.close();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(frames * frame_size));
    state.SetItemsProcessed(static_cast<std::int64_t>(frames));
}
BENCHMARK(hansim_unpaced_pty)->UseRealTime();

}  // namespace
