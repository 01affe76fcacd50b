#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <filesystem>
#include <thread>
#include <tuple>

#include "fake_push_source.hpp"
#include "hansim/io/pty_sink.hpp"
#include "hansim/io/unpaced_runner.hpp"

namespace fs = std::filesystem;
using namespace hansim;
using namespace std::chrono_literals;

namespace {

const meter::utc_ms t0{std::chrono::sys_days{std::chrono::year{2024} / 1 / 15}};

/// Takes `budget` bytes a call (partial writes), then refuses, or says nobody listens.
class trickle_sink final : public io::byte_sink {
public:
    std::string describe() const override { return "trickle"; }
    io::sink_status frame_begin() override { return listener ? io::sink_status::ok : io::sink_status::no_listener; }
    io::sink_status write(codec::byte_view) override { return io::sink_status::overrun; }
    io::sink_status write_some(codec::byte_view chunk, std::size_t& written) override {
        written = std::min(chunk.size(), budget);
        data.insert(data.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(written));
        return written == chunk.size() ? io::sink_status::ok : io::sink_status::overrun;
    }
    void frame_end() override { ++frames_ended; }
    void close() override { closed = true; }

    bool listener = true;
    std::size_t budget = 7;
    codec::bytes data;
    int frames_ended = 0;
    bool closed = false;
};

struct temp_dir {
    fs::path path;
    temp_dir() {
        char pattern[] = "/tmp/hansim-unpaced-test-XXXXXX";
        path = ::mkdtemp(pattern);
    }
    ~temp_dir() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
};

}  // namespace

TEST(unpaced_runner, writes_exactly_the_pushes_before_the_time_whole_and_in_order) {
    boost::asio::io_context context;
    auto sink = std::make_unique<trickle_sink>();
    auto* port = sink.get();
    io::unpaced_runner runner(std::make_unique<test::fake_push_source>(t0, 10s, 50), std::move(sink), context, t0);
    std::vector<std::uint64_t> sequences;
    const auto record = [&](const meter::push_frame& f) { sequences.push_back(f.sequence); };
    EXPECT_EQ(runner.advance_to(t0 + 60s, record), 6u);  // 0 s .. 50 s; 60 s is not before the end
    EXPECT_EQ(runner.now(), t0 + 60s);
    EXPECT_EQ(runner.advance_to(t0 + 61s, record), 1u);  // the 60 s push, kept for this call
    EXPECT_EQ(runner.advance_to(t0 + 61s, record), 0u);
    EXPECT_EQ(sequences, (std::vector<std::uint64_t>{0, 1, 2, 3, 4, 5, 6}));
    codec::bytes expected;
    for (std::uint64_t s = 0; s < 7; ++s) {
        const auto frame = test::fake_push_source::frame_bytes(s, 50);
        expected.insert(expected.end(), frame.begin(), frame.end());
    }
    EXPECT_EQ(port->data, expected);  // partial writes resumed where they stopped
    EXPECT_EQ(port->frames_ended, 7);
}

TEST(unpaced_runner, a_port_nobody_reads_is_an_error_naming_it_not_a_hang) {
    boost::asio::io_context context;
    auto sink = std::make_unique<trickle_sink>();
    auto* port = sink.get();
    port->listener = false;
    io::unpaced_runner runner(std::make_unique<test::fake_push_source>(t0, 10s, 50), std::move(sink), context, t0);
    try {
        runner.advance_to(t0 + 30s, [](const meter::push_frame&) {}, 50ms);
        FAIL() << "expected unpaced_error";
    } catch (const io::unpaced_error& e) {
        EXPECT_STREQ(e.what(), "trickle: no listener for 0.05 s; 50 of 50 bytes of push #0 (list1) left; "
                               "is anything reading the port?");
    }
    // The push is kept: once somebody listens, the next advance sends it first.
    port->listener = true;
    std::vector<std::uint64_t> sequences;
    runner.advance_to(t0 + 30s, [&](const meter::push_frame& f) { sequences.push_back(f.sequence); });
    EXPECT_EQ(sequences, (std::vector<std::uint64_t>{0, 1, 2}));
}

TEST(unpaced_runner, a_pause_inside_a_frame_is_kept_in_real_time) {
    // split_pause / char_gaps: the bytes before the pause are on the port, then nothing for
    // the pause's length, then the rest; a reader's inter-byte timeout must see it.
    struct timed_sink final : io::byte_sink {
        std::string describe() const override { return "timed"; }
        io::sink_status frame_begin() override { return io::sink_status::ok; }
        io::sink_status write(codec::byte_view) override { return io::sink_status::overrun; }
        io::sink_status write_some(codec::byte_view chunk, std::size_t& written) override {
            written = chunk.size();
            writes.emplace_back(std::chrono::steady_clock::now(), data.size(), chunk.size());
            data.insert(data.end(), chunk.begin(), chunk.end());
            return io::sink_status::ok;
        }
        void close() override {}
        codec::bytes data;
        std::vector<std::tuple<std::chrono::steady_clock::time_point, std::size_t, std::size_t>> writes;
    };
    boost::asio::io_context context;
    auto source = std::make_unique<test::fake_push_source>(t0, 10s, 50);
    source->pauses = {{0, 500ms}, {20, 120ms}, {30, 60ms}};  // a pause before byte 0 is none
    auto sink = std::make_unique<timed_sink>();
    auto* port = sink.get();
    io::unpaced_runner runner(std::move(source), std::move(sink), context, t0);
    EXPECT_EQ(runner.advance_to(t0 + 1s, [](const meter::push_frame&) {}), 1u);
    EXPECT_EQ(port->data, test::fake_push_source::frame_bytes(0, 50));
    ASSERT_EQ(port->writes.size(), 3u);
    const auto& [at0, offset0, size0] = port->writes[0];
    const auto& [at1, offset1, size1] = port->writes[1];
    const auto& [at2, offset2, size2] = port->writes[2];
    EXPECT_EQ(std::make_tuple(offset0, size0, offset1, size1, offset2, size2),
              std::make_tuple(0u, 20u, 20u, 10u, 30u, 20u));
    EXPECT_GE(at1 - at0, 120ms);
    EXPECT_GE(at2 - at1, 60ms);
}

TEST(unpaced_runner, a_pty_reader_gets_an_hour_of_frames_as_fast_as_it_reads) {
    temp_dir dir;
    boost::asio::io_context context;
    const auto link = dir.path / "ttyHAN";
    auto sink = std::make_unique<io::pty_sink>(context, link);
    io::unpaced_runner runner(std::make_unique<test::fake_push_source>(t0, 10s, 228), std::move(sink), context, t0);
    const int reader = ::open(link.c_str(), O_RDONLY | O_NOCTTY | O_NONBLOCK);
    ASSERT_GE(reader, 0);
    codec::bytes received;
    std::atomic<bool> done{false};
    std::thread drain([&] {  // reads slowly, in small pieces: the runner must wait, not lose
        std::uint8_t buffer[100];
        while (!done || received.size() < 360u * 228u) {
            pollfd p{reader, POLLIN, 0};
            if (::poll(&p, 1, 20) > 0) {
                const auto n = ::read(reader, buffer, sizeof buffer);
                if (n > 0) received.insert(received.end(), buffer, buffer + n);
            } else if (done) {
                break;
            }
        }
    });
    EXPECT_EQ(runner.advance_to(t0 + 1h, [](const meter::push_frame&) {}), 360u);
    done = true;
    drain.join();
    ::close(reader);
    ASSERT_EQ(received.size(), 360u * 228u);
    for (std::uint64_t s = 0; s < 360; s += 59) {
        const auto frame = test::fake_push_source::frame_bytes(s, 228);
        EXPECT_TRUE(std::equal(frame.begin(), frame.end(), received.begin() + static_cast<std::ptrdiff_t>(s * 228)));
    }
    runner.close();
    EXPECT_FALSE(fs::exists(fs::symlink_status(link)));
}
