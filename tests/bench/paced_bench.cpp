// Paced meters on PTYs (issue 12): N meters (default 1,000) run wire-true at 2400 baud in one
// session, each on its own PTY with a reader that keeps it open; one reader thread (epoll)
// time-stamps every byte that arrives. Then one meter at 115200 baud the same way.
//
// Figures, printed as one JSON object:
// - wire duration of every frame (first byte to last byte as the reader saw them) against
//   the nominal (the pacer's schedule for that frame): median and worst relative deviation,
//   and the share of frames within 0.5 %;
// - first-byte lateness of every frame (the runner's frame report: frame start − its
//   deadline): p50 / p99 / max;
// - the limit measured in the same run: a bare timer loop (one steady_timer re-armed at
//   absolute 10 ms deadlines on its own io_context, nothing else) p50 / p99 / max lateness.
// Not a Google Benchmark (it measures a fixed wall-clock window); tests/bench/run-benchmarks
// runs it and puts the figures in RESULTS.md.
#include <fcntl.h>
#include <sys/epoll.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hansim/io/pacer.hpp"
#include "hansim/io/pty_sink.hpp"
#include "hansim/io/session.hpp"
#include "hansim/meter/jitter.hpp"
#include "hansim/meter/meter_source.hpp"
#include "hansim/meter/profile.hpp"

using namespace hansim;
using namespace std::chrono;
using mono = steady_clock;

namespace {

double quantile(std::vector<double> v, double q) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto i = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
}

double ms(nanoseconds d) { return duration<double, std::milli>(d).count(); }

/// Wake-up lateness of a bare steady_timer at absolute `period` deadlines for `length`.
std::vector<double> bare_timer_loop(milliseconds period, milliseconds length) {
    boost::asio::io_context context;
    boost::asio::steady_timer timer(context);
    std::vector<double> late;
    auto deadline = mono::now() + period;
    const auto end = mono::now() + length;
    std::function<void()> arm = [&] {
        timer.expires_at(deadline);
        timer.async_wait([&](const boost::system::error_code&) {
            late.push_back(ms(mono::now() - deadline));
            deadline += period;
            if (deadline < end) arm();
        });
    };
    arm();
    context.run();
    return late;
}

/// Reads every slave and cuts arrivals into frames at gaps of more than `gap`.
class wire_watcher {
public:
    struct frame {
        mono::time_point first, last;
        std::size_t bytes = 0;
    };

    explicit wire_watcher(const std::vector<std::string>& slaves) : frames_(slaves.size()), open_(slaves.size()) {
        epoll_ = ::epoll_create1(0);
        fds_.reserve(slaves.size());
        for (std::size_t i = 0; i < slaves.size(); ++i) {
            const int fd = ::open(slaves[i].c_str(), O_RDONLY | O_NOCTTY | O_NONBLOCK);
            termios t{};
            if (fd >= 0 && ::tcgetattr(fd, &t) == 0) {
                ::cfmakeraw(&t);
                ::tcsetattr(fd, TCSANOW, &t);
            }
            fds_.push_back(fd);
            epoll_event ev{};
            ev.events = EPOLLIN;
            ev.data.u64 = i;
            if (fd >= 0) ::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
        }
        thread_ = std::thread([this] { loop(); });
    }
    ~wire_watcher() {
        stop_ = true;
        thread_.join();
        for (int fd : fds_)
            if (fd >= 0) ::close(fd);
        ::close(epoll_);
    }
    const std::vector<std::vector<frame>>& frames() const { return frames_; }
    void stop() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
    }

private:
    void loop() {
        std::vector<epoll_event> events(1024);
        char buf[4096];
        while (!stop_) {
            const int n = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 50);
            const auto now = mono::now();
            for (int k = 0; k < n; ++k) {
                const auto i = events[static_cast<std::size_t>(k)].data.u64;
                for (;;) {
                    const auto got = ::read(fds_[i], buf, sizeof buf);
                    if (got <= 0) break;
                    auto& list = frames_[i];
                    if (list.empty() || now - list.back().last > milliseconds(200)) list.push_back({now, now, 0});
                    list.back().last = now;
                    list.back().bytes += static_cast<std::size_t>(got);
                }
            }
        }
    }

    int epoll_ = -1;
    std::vector<int> fds_;
    std::vector<std::vector<frame>> frames_;
    std::vector<bool> open_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

struct paced_figures {
    std::size_t meters = 0, frames = 0, frames_lost = 0, wire_frames = 0;
    double wire_dev_median = 0, wire_dev_worst = 0, wire_within = 0;  // relative, and share within 0.5 %
    double late_p50 = 0, late_p99 = 0, late_max = 0;
    double cpu_share = 0;  // of one core, over the run
};

paced_figures run_paced(std::size_t count, unsigned baud, seconds length) {
    io::raise_open_file_limit();
    io::session session(io::signal_handling::leave_to_host);
    const auto dir = std::filesystem::temp_directory_path() / ("hansim-paced-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    // Start the meter clocks at a full minute + 8 s so that the first list 1 comes 2 s in.
    const auto wall = time_point_cast<milliseconds>(system_clock::now());
    const meter::utc_ms start_utc = floor<minutes>(wall) + seconds(8);
    std::vector<std::string> slaves;
    for (std::size_t i = 0; i < count; ++i) {
        auto config = meter::profile_config("kamstrup-no-3p");
        config.name = "m" + std::to_string(i + 1);
        config.serial += static_cast<std::uint32_t>(i);
        config.seed += i;
        config.start = start_utc;
        config.baud_rate = baud;
        // Each meter's own phase, as real meters' clocks are: a sub-second clock offset
        // (its frames still show x0 seconds), drawn from the seed. (`hansim run --count`
        // does not spread its copies yet; see RESULTS.md.)
        config.clock_offset = -milliseconds(static_cast<std::int64_t>(meter::random_u64(config.seed, 0x9A5E, i) % 1000));
        auto sink = std::make_unique<io::pty_sink>(session.context(), dir / ("m" + std::to_string(i)));
        slaves.push_back(sink->slave_path());
        io::run_settings settings;
        settings.end_utc = start_utc + length;
        session.add_meter(config.name, meter::make_push_source(config, nullptr, nullptr), std::move(sink), nullptr,
                          settings);
    }
    std::vector<double> lateness;
    std::vector<std::pair<std::size_t, std::size_t>> sizes;  // (meter, wire bytes) per frame sent, in order
    std::vector<std::vector<std::size_t>> sent(count);
    session.on_frame([&](std::size_t meter, const io::frame_report& r) {
        lateness.push_back(ms(r.lateness));
        if (r.outcome == io::frame_outcome::sent) sent[meter].push_back(r.frame.wire.size());
    });
    wire_watcher watcher(slaves);
    std::this_thread::sleep_for(milliseconds(200));  // the readers are open before anything is sent
    io::time_mapping mapping{start_utc, mono::now() + milliseconds(500), 1.0};
    const auto cpu_before = std::clock();
    const auto wall_before = mono::now();
    session.run(mapping, length + seconds(5));
    const double cpu = static_cast<double>(std::clock() - cpu_before) / CLOCKS_PER_SEC;
    const double elapsed = duration<double>(mono::now() - wall_before).count();
    std::this_thread::sleep_for(milliseconds(300));
    watcher.stop();

    paced_figures f;
    f.meters = count;
    f.frames = lateness.size();
    f.frames_lost = session.total().frames_lost;
    f.late_p50 = quantile(lateness, 0.5);
    f.late_p99 = quantile(lateness, 0.99);
    f.late_max = lateness.empty() ? 0 : *std::max_element(lateness.begin(), lateness.end());
    f.cpu_share = elapsed > 0 ? cpu / elapsed : 0;
    const io::pacer pacer(baud, 10, io::pacing_mode::wire_true, milliseconds(10));
    std::vector<double> deviation;
    for (std::size_t m = 0; m < count; ++m) {
        const auto& seen = watcher.frames()[m];
        for (std::size_t k = 0; k < seen.size() && k < sent[m].size(); ++k) {
            if (seen[k].bytes != sent[m][k]) continue;  // the reader missed a cut: not comparable
            const auto chunks = pacer.plan(sent[m][k]);
            if (chunks.size() < 2) continue;
            const double nominal = ms(chunks.back().due - chunks.front().due);
            const double measured = ms(seen[k].last - seen[k].first);
            deviation.push_back(std::abs(measured - nominal) / nominal);
        }
    }
    f.wire_frames = deviation.size();
    f.wire_dev_median = quantile(deviation, 0.5);
    f.wire_dev_worst = deviation.empty() ? 0 : *std::max_element(deviation.begin(), deviation.end());
    f.wire_within = deviation.empty() ? 0
                                      : static_cast<double>(std::count_if(deviation.begin(), deviation.end(),
                                                                          [](double d) { return d <= 0.005; })) /
                                            static_cast<double>(deviation.size());
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    return f;
}

void print(const char* name, const paced_figures& f, bool comma) {
    std::printf(
        "  \"%s\": {\"meters\": %zu, \"frames\": %zu, \"frames_lost\": %zu, \"wire_frames\": %zu, "
        "\"wire_deviation_median\": %.5f, \"wire_deviation_worst\": %.5f, \"wire_within_0_5_percent\": %.4f, "
        "\"lateness_p50_ms\": %.3f, \"lateness_p99_ms\": %.3f, \"lateness_max_ms\": %.3f, \"cpu_share\": %.3f}%s\n",
        name, f.meters, f.frames, f.frames_lost, f.wire_frames, f.wire_dev_median, f.wire_dev_worst, f.wire_within,
        f.late_p50, f.late_p99, f.late_max, f.cpu_share, comma ? "," : "");
}

}  // namespace

int main(int argc, char** argv) {
    const std::size_t count = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1000;
    const auto length = seconds(argc > 2 ? std::strtol(argv[2], nullptr, 10) : 32);
    const auto bare = bare_timer_loop(milliseconds(10), seconds(3));
    std::printf("{\n  \"bare_timer\": {\"samples\": %zu, \"lateness_p50_ms\": %.3f, \"lateness_p99_ms\": %.3f, "
                "\"lateness_max_ms\": %.3f},\n",
                bare.size(), quantile(bare, 0.5), quantile(bare, 0.99),
                bare.empty() ? 0 : *std::max_element(bare.begin(), bare.end()));
    print("paced_2400", run_paced(count, 2400, length), true);
    print("paced_115200", run_paced(1, 115200, length), false);
    std::printf("}\n");
    return 0;
}
