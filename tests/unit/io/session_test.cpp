#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <filesystem>

#include "fake_push_source.hpp"
#include "hansim/io/file_sink.hpp"
#include "hansim/io/pty_sink.hpp"
#include "hansim/io/session.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace hansim;

namespace {
const meter::utc_ms t0{std::chrono::sys_days{std::chrono::year{2024} / 3 / 1}};
}

// A thousand paced meters on a thousand PTYs, each with a reader, in one io_context.
TEST(session, a_thousand_paced_meters_on_a_thousand_ptys) {
    constexpr std::size_t meters = 1000;
    ASSERT_GE(io::raise_open_file_limit(), 2 * meters + 64);
    char pattern[] = "/tmp/hansim-session-test-XXXXXX";
    const fs::path dir = ::mkdtemp(pattern);

    io::session session;
    std::vector<int> readers;
    for (std::size_t i = 0; i < meters; ++i) {
        const auto link = dir / ("ttyHAN" + std::to_string(i));
        // 40-byte frames every 0.5 s of meter time; wire-true at 2400 8N1 (167 ms each)
        auto source = std::make_unique<test::fake_push_source>(t0 + 500ms, 500ms, 40);
        auto sink = std::make_unique<io::pty_sink>(session.context(), link);
        io::run_settings settings;
        settings.granularity = 50ms;
        settings.end_utc = t0 + 2500ms;  // frames at 0.5, 1.0, 1.5, 2.0 s
        session.add_meter("meter" + std::to_string(i), std::move(source), std::move(sink), nullptr, settings);
        const int reader = ::open(link.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK);
        ASSERT_GE(reader, 0) << link;
        readers.push_back(reader);
    }
    for (std::size_t i = 0; i < meters; ++i) ASSERT_TRUE(fs::is_symlink(dir / ("ttyHAN" + std::to_string(i))));

    // Midway, every reader must hold exactly the whole frames sent so far.
    std::size_t checked = 0;
    boost::asio::steady_timer check(session.context());
    check.expires_after(1800ms);
    check.async_wait([&](const boost::system::error_code&) {
        for (std::size_t i = 0; i < meters; ++i) {
            std::uint8_t buffer[4096];
            const auto n = ::read(readers[i], buffer, sizeof buffer);
            const auto expected = test::fake_push_source::frame_bytes(0, 40);
            if (n >= 40 && std::equal(expected.begin(), expected.end(), buffer)) ++checked;
        }
    });

    const auto started = std::chrono::steady_clock::now();
    const int signal = session.run({t0, io::mono_clock::now(), 1.0}, 10s);
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(signal, 0);
    EXPECT_LT(took, 5s);
    EXPECT_EQ(checked, meters);

    const auto total = session.total();
    EXPECT_EQ(total.frames_sent, 4 * meters);
    EXPECT_EQ(total.frames_lost, 0u);
    std::printf("1000 meters: %.3f s, max lateness %.1f ms, mean %.2f ms\n",
                std::chrono::duration<double>(took).count(),
                std::chrono::duration<double, std::milli>(total.max_lateness).count(),
                std::chrono::duration<double, std::milli>(total.mean_lateness()).count());
    EXPECT_LT(total.max_lateness, 300ms) << "mean " << total.mean_lateness().count() << " ns";
    for (std::size_t i = 0; i < meters; ++i) EXPECT_FALSE(fs::exists(fs::symlink_status(dir / ("ttyHAN" + std::to_string(i)))));
    for (int fd : readers) ::close(fd);
    fs::remove_all(dir);
}

TEST(session, frames_go_to_each_meters_own_port_and_a_wall_limit_stops_it) {
    char pattern[] = "/tmp/hansim-session-test-XXXXXX";
    const fs::path dir = ::mkdtemp(pattern);
    std::vector<std::size_t> sent_per_meter(2, 0);
    {
        io::session session;
        session.on_frame([&](std::size_t meter, const io::frame_report& r) {
            if (r.outcome == io::frame_outcome::sent) ++sent_per_meter[meter];
        });
        for (int i = 0; i < 2; ++i) {
            io::run_settings settings;
            settings.pacing = io::pacing_mode::fast;  // no end: only the wall limit stops it
            session.add_meter("m" + std::to_string(i),
                              std::make_unique<test::fake_push_source>(t0 + 100ms, 100ms, 20 + i),
                              std::make_unique<io::file_sink>(dir / ("m" + std::to_string(i) + ".bin")), nullptr,
                              settings);
        }
        // speed 10: a frame every 10 ms of real time; stopped after ~0.3 s
        EXPECT_EQ(session.run({t0, io::mono_clock::now(), 10.0}, 300ms), 0);
        EXPECT_EQ(session.summary(0).frames_sent, sent_per_meter[0]);
        EXPECT_GE(sent_per_meter[0], 20u);
        EXPECT_GE(sent_per_meter[1], 20u);
    }
    EXPECT_EQ(fs::file_size(dir / "m0.bin"), 20 * sent_per_meter[0]);
    EXPECT_EQ(fs::file_size(dir / "m1.bin"), 21 * sent_per_meter[1]);
    fs::remove_all(dir);
}
