// Paced meters in one process (issue 12). Not a Google Benchmark: it measures fixed wall-clock
// windows and prints one JSON object for tests/bench/run-benchmarks (report.py).
//
//   paced_bench paced [METERS] [SECONDS]   (default 1000 32)
//     - a bare timer loop (one steady_timer re-armed at absolute 10 ms deadlines on its own
//       io_context, nothing else) for 5 s: the machine's own wake-up lateness p50 / p99 / max,
//       the limit the paced figures stand beside;
//     - METERS meters of kamstrup-no-3p made by the run plan exactly as `hansim run --count
//       METERS --port pty:DIR/m{n}` makes them (each its own push phase), wire-true at 2400
//       baud in one io::session, each on its own PTY with a reader that keeps it open; one
//       reader thread (epoll) time-stamps every byte that arrives. Figures: wire duration of
//       every frame (first to last byte at the reader) against the pacer's nominal for it,
//       first-byte lateness p50 / p99 / max (the runner's frame reports), frames lost, CPU of
//       the run loop's thread (a fraction of one core) and the shared timer's wake-ups
//       (callbacks per wake-up: meters due at one instant share one);
//     - 20 meters at 115200 baud the same way (P1-style line speed on a HAN list).
//   paced_bench mix [PACED] [UNPACED] [SECONDS]   (default 1000 4000 30)
//     PACED wire-true meters on PTYs plus UNPACED meters with --fast pacing (whole frames at
//     their instant) in ONE session: a third of the unpaced on PTYs, a third on TCP servers
//     with a client each, a third on files; readers drain every PTY and client. Figures: CPU
//     of the run loop's thread and of the process (fractions of one core), resident memory
//     per meter (peak RSS during the run / meters, and the growth over the process before the
//     meters were made / meters), frames sent and lost, paced lateness p50 / p99, beside a bare
//     timer loop run first (5 s), as in `paced`.
//
// Open files: a meter on a PTY takes two descriptors (master and the reader's slave), a TCP
// meter three; the bench raises RLIMIT_NOFILE's soft limit to the hard limit (as hansim run
// does) and says in its output what it got. Every phase is bounded: the session has a
// wall-clock limit and the readers stop after it.
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hansim/io/file_sink.hpp"
#include "hansim/io/line_settings.hpp"
#include "hansim/io/pacer.hpp"
#include "hansim/io/pty_sink.hpp"
#include "hansim/io/session.hpp"
#include "hansim/io/tcp_sink.hpp"
#include "hansim/scenario/prepared_meter.hpp"
#include "hansim/scenario/run_plan.hpp"

using namespace hansim;
using namespace std::chrono;
using mono = steady_clock;

namespace {

double quantile(std::vector<double> v, double q) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto rank = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size()))));
    return v[std::min(rank, v.size()) - 1];
}

double max_of(const std::vector<double>& v) { return v.empty() ? 0 : *std::max_element(v.begin(), v.end()); }

double ms(nanoseconds d) { return duration<double, std::milli>(d).count(); }

double thread_cpu_seconds() {
    rusage u{};
    ::getrusage(RUSAGE_THREAD, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double process_cpu_seconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

/// Runs `session` from now for `length` (+5 s to finish the last frames), the meters' clocks
/// mapped to start at `start_utc`; returns the run loop's thread and the process CPU, each a
/// fraction of one core over the run's wall time. Both modes measure a run this way.
struct cpu_shares {
    double thread = 0, process = 0;
};
cpu_shares run_measured(io::session& session, meter::utc_ms start_utc, seconds length) {
    const io::time_mapping mapping{start_utc, mono::now(), 1.0};
    const double cpu_before = thread_cpu_seconds(), process_before = process_cpu_seconds();
    const auto wall_before = mono::now();
    session.run(mapping, length + seconds(5));
    const double cpu = thread_cpu_seconds() - cpu_before, process = process_cpu_seconds() - process_before;
    const double elapsed = duration<double>(mono::now() - wall_before).count();
    if (elapsed <= 0) return {};
    return {cpu / elapsed, process / elapsed};
}

std::uint64_t rss_bytes() {
    std::ifstream status("/proc/self/status");
    std::string key;
    while (status >> key) {
        if (key == "VmRSS:") {
            std::uint64_t kb = 0;
            status >> kb;
            return kb * 1024;
        }
        status.ignore(4096, '\n');
    }
    return 0;
}

/// Wake-up lateness (ms) of a bare steady_timer at absolute `period` deadlines for `length`.
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

/// Reads every descriptor given (PTY slaves, TCP clients) on one thread and cuts the arrivals
/// of each into frames at gaps of more than 200 ms.
class wire_watcher {
public:
    struct frame {
        mono::time_point first, last;
        std::size_t bytes = 0;
    };

    wire_watcher() : epoll_(::epoll_create1(0)) {}
    ~wire_watcher() {
        stop();
        for (int fd : fds_)
            if (fd >= 0) ::close(fd);
        ::close(epoll_);
    }

    /// A PTY slave, opened raw; returns its index.
    std::size_t watch_pty(const std::string& slave) {
        const int fd = ::open(slave.c_str(), O_RDONLY | O_NOCTTY | O_NONBLOCK);
        termios t{};
        if (fd >= 0 && ::tcgetattr(fd, &t) == 0) {
            ::cfmakeraw(&t);
            ::tcsetattr(fd, TCSANOW, &t);
        }
        return add(fd);
    }

    /// A TCP client of 127.0.0.1:port; returns its index.
    std::size_t watch_tcp(std::uint16_t port) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(port);
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
            ::close(fd);
            return add(-1);
        }
        if (fd >= 0) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
        return add(fd);
    }

    void start() {
        thread_ = std::thread([this] { loop(); });
    }
    void stop() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
    }
    const std::vector<frame>& frames(std::size_t index) const { return frames_[index]; }
    std::size_t opened() const {
        return static_cast<std::size_t>(std::count_if(fds_.begin(), fds_.end(), [](int fd) { return fd >= 0; }));
    }
    std::uint64_t bytes() const { return bytes_; }

private:
    std::size_t add(int fd) {
        const std::size_t index = fds_.size();
        fds_.push_back(fd);
        frames_.emplace_back();
        if (fd >= 0) {
            epoll_event ev{};
            ev.events = EPOLLIN;
            ev.data.u64 = index;
            ::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
        }
        return index;
    }

    void loop() {
        std::vector<epoll_event> events(1024);
        static char buf[65536];
        while (!stop_) {
            const int n = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 50);
            const auto now = mono::now();
            for (int k = 0; k < n; ++k) {
                const auto i = events[static_cast<std::size_t>(k)].data.u64;
                for (;;) {
                    const auto got = ::read(fds_[i], buf, sizeof buf);
                    if (got <= 0) {
                        if (got == 0 || (errno != EAGAIN && errno != EINTR)) {  // closed: stop watching
                            ::epoll_ctl(epoll_, EPOLL_CTL_DEL, fds_[i], nullptr);
                        }
                        break;
                    }
                    auto& list = frames_[i];
                    if (list.empty() || now - list.back().last > milliseconds(200)) list.push_back({now, now, 0});
                    list.back().last = now;
                    list.back().bytes += static_cast<std::size_t>(got);
                    bytes_ += static_cast<std::uint64_t>(got);
                }
            }
        }
    }

    int epoll_;
    std::vector<int> fds_;
    std::vector<std::vector<frame>> frames_;
    std::atomic<std::uint64_t> bytes_{0};
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

/// The meters `hansim run --meter kamstrup-no-3p --count COUNT --port PORT [--KEY VALUE…]`
/// plans, from `start`.
scenario::run_plan plan_meters(std::size_t count, const std::string& port, meter::utc_ms start, seconds length,
                               const std::vector<scenario::setting>& settings, const std::string& name) {
    scenario::run_request request;
    request.meters.push_back({"kamstrup-no-3p", {{"name", name, "bench"}}, {}});
    request.count = std::to_string(count);
    request.settings = settings;
    request.settings.push_back({"port", port, "--port"});
    request.start = scenario::format_utc_time(start);
    request.duration = std::to_string(length.count()) + "s";
    scenario::plan_defaults defaults;
    defaults.ports_required = true;
    return scenario::make_run_plan(request, defaults, start);
}

/// The start of the meters' clocks, 2 s ahead of the wall clock (whole seconds): the meters'
/// clocks are their own (each its push phase), the run maps this to the moment it starts.
meter::utc_ms meter_start() {
    const auto wall = time_point_cast<milliseconds>(system_clock::now());
    return ceil<seconds>(wall) + seconds(2);
}

struct paced_figures {
    std::size_t meters = 0, frames = 0, frames_lost = 0, wire_frames = 0, readers = 0;
    double wire_dev_median = 0, wire_dev_p99 = 0, wire_dev_worst = 0, wire_within = 0;  // relative
    double wire_nominal_median_ms = 0;  // the nominal first-to-last-chunk span the deviations are of
    double late_p50 = 0, late_p99 = 0, late_max = 0;
    double summary_p50 = 0, summary_p99 = 0;  // the run summary's histogram (hansim run --summary-json)
    double cpu_share = 0, process_cpu_share = 0;
    std::uint64_t wakeups = 0, callbacks = 0, arms = 0;
};

// The meters of `plan`, paced, each on its own PTY that `watcher` reads.
void add_paced_pty_meters(io::session& session, const scenario::run_plan& plan,
                          std::vector<scenario::prepared_meter>& prepared, wire_watcher& watcher) {
    for (const auto& spec : plan.meters) {
        prepared.push_back(scenario::prepare_meter(spec));
        auto sink = std::make_unique<io::pty_sink>(session.context(), spec.port.substr(4));
        watcher.watch_pty(sink->slave_path());
        io::run_settings settings;
        settings.end_utc = plan.end;
        session.add_meter(spec.config.name, std::move(prepared.back().source), std::move(sink), nullptr, settings);
    }
}

paced_figures run_paced(std::size_t count, unsigned baud, seconds length) {
    io::session session(io::signal_handling::leave_to_host);
    const auto dir = std::filesystem::temp_directory_path() / ("hansim-paced-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto start_utc = meter_start();
    const auto plan = plan_meters(count, "pty:" + (dir / "m{n}").string(), start_utc, length,
                                  {{"baud", std::to_string(baud), "--baud"}}, "m");
    std::vector<scenario::prepared_meter> prepared;
    prepared.reserve(plan.meters.size());
    wire_watcher watcher;
    add_paced_pty_meters(session, plan, prepared, watcher);
    std::vector<double> lateness;
    std::vector<std::vector<std::size_t>> sent(count);
    session.on_frame([&](std::size_t meter, const io::frame_report& r) {
        lateness.push_back(ms(r.lateness));
        if (r.outcome == io::frame_outcome::sent) sent[meter].push_back(r.frame.wire.size());
    });
    watcher.start();
    std::this_thread::sleep_for(milliseconds(200));  // the readers are open before anything is sent
    const cpu_shares cpu = run_measured(session, start_utc, length);  // the meter clock starts now
    std::this_thread::sleep_for(milliseconds(300));
    watcher.stop();

    paced_figures f;
    f.meters = count;
    f.readers = watcher.opened();
    f.frames = lateness.size();
    f.frames_lost = session.total().frames_lost;
    f.late_p50 = quantile(lateness, 0.5);
    f.late_p99 = quantile(lateness, 0.99);
    f.late_max = max_of(lateness);
    f.summary_p50 = ms(session.total().lateness_quantile(0.5));
    f.summary_p99 = ms(session.total().lateness_quantile(0.99));
    f.cpu_share = cpu.thread;
    f.process_cpu_share = cpu.process;
    f.wakeups = session.timer_statistics().wakeups;
    f.callbacks = session.timer_statistics().callbacks;
    f.arms = session.timer_statistics().arms;
    const io::pacer pacer(baud, 10);  // the runner's: the default granularity for the line
    std::vector<double> deviation, nominals;
    for (std::size_t m = 0; m < count; ++m) {
        const auto& seen = watcher.frames(m);
        for (std::size_t k = 0; k < seen.size() && k < sent[m].size(); ++k) {
            if (seen[k].bytes != sent[m][k]) continue;  // the reader missed a cut: not comparable
            const auto chunks = pacer.plan(sent[m][k]);
            if (chunks.size() < 2) continue;
            const double nominal = ms(chunks.back().due - chunks.front().due);
            const double measured = ms(seen[k].last - seen[k].first);
            deviation.push_back(std::abs(measured - nominal) / nominal);
            nominals.push_back(nominal);
        }
    }
    f.wire_frames = deviation.size();
    f.wire_dev_median = quantile(deviation, 0.5);
    f.wire_nominal_median_ms = quantile(nominals, 0.5);
    f.wire_dev_p99 = quantile(deviation, 0.99);
    f.wire_dev_worst = max_of(deviation);
    f.wire_within = deviation.empty() ? 0
                                      : static_cast<double>(std::count_if(deviation.begin(), deviation.end(),
                                                                          [](double d) { return d <= 0.005; })) /
                                            static_cast<double>(deviation.size());
    session.stop();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    return f;
}

void print_paced(const char* name, const paced_figures& f, bool comma) {
    std::printf(
        "  \"%s\": {\"meters\": %zu, \"readers\": %zu, \"frames\": %zu, \"frames_lost\": %zu, \"wire_frames\": %zu, "
        "\"wire_deviation_median\": %.5f, \"wire_deviation_p99\": %.5f, \"wire_deviation_worst\": %.5f, "
        "\"wire_within_0_5_percent\": %.4f, \"wire_nominal_median_ms\": %.3f, \"lateness_p50_ms\": %.3f, \"lateness_p99_ms\": %.3f, "
        "\"lateness_max_ms\": %.3f, \"summary_lateness_p50_ms\": %.3f, \"summary_lateness_p99_ms\": %.3f, "
        "\"cpu_share\": %.4f, \"process_cpu_share\": %.4f, \"timer_wakeups\": %llu, \"timer_callbacks\": %llu, "
        "\"timer_arms\": %llu}%s\n",
        name, f.meters, f.readers, f.frames, f.frames_lost, f.wire_frames, f.wire_dev_median, f.wire_dev_p99,
        f.wire_dev_worst, f.wire_within, f.wire_nominal_median_ms, f.late_p50, f.late_p99, f.late_max, f.summary_p50, f.summary_p99, f.cpu_share,
        f.process_cpu_share, static_cast<unsigned long long>(f.wakeups), static_cast<unsigned long long>(f.callbacks),
        static_cast<unsigned long long>(f.arms), comma ? "," : "");
    std::fflush(stdout);
}

int paced_main(std::size_t count, seconds length) {
    const auto bare = bare_timer_loop(milliseconds(10), seconds(5));
    std::printf("{\n  \"open_file_limit\": %llu,\n", static_cast<unsigned long long>(io::raise_open_file_limit()));
    std::printf("  \"bare_timer\": {\"samples\": %zu, \"lateness_p50_ms\": %.3f, \"lateness_p99_ms\": %.3f, "
                "\"lateness_max_ms\": %.3f},\n",
                bare.size(), quantile(bare, 0.5), quantile(bare, 0.99), max_of(bare));
    std::fflush(stdout);
    print_paced("paced_2400", run_paced(count, 2400, length), true);
    print_paced("paced_115200", run_paced(std::min<std::size_t>(count, 20), 115200, length), false);
    std::printf("}\n");
    return 0;
}

int mix_main(std::size_t paced, std::size_t unpaced, seconds length) {
    // The limit of the paced lateness, measured in this run: the machine's own wake-ups.
    const auto bare = bare_timer_loop(milliseconds(10), seconds(5));
    const auto file_limit = io::raise_open_file_limit();
    const std::uint64_t rss_before = rss_bytes();
    io::session session(io::signal_handling::leave_to_host);
    const auto dir = std::filesystem::temp_directory_path() / ("hansim-mix-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto start_utc = meter_start();
    const auto paced_plan = plan_meters(paced, "pty:" + (dir / "p{n}").string(), start_utc, length, {}, "p");
    const auto unpaced_plan = plan_meters(unpaced, "file:" + (dir / "u{n}").string(), start_utc, length, {}, "u");
    std::vector<scenario::prepared_meter> prepared;
    prepared.reserve(paced + unpaced);
    wire_watcher watcher;
    std::vector<bool> is_paced;
    std::size_t on_pty = 0, on_tcp = 0, on_file = 0;
    add_paced_pty_meters(session, paced_plan, prepared, watcher);
    is_paced.assign(paced_plan.meters.size(), true);
    on_pty += paced_plan.meters.size();
    std::size_t index = 0;
    for (const auto& spec : unpaced_plan.meters) {
        prepared.push_back(scenario::prepare_meter(spec));
        std::unique_ptr<io::byte_sink> sink;
        switch (index++ % 3) {
            case 0: {
                auto pty = std::make_unique<io::pty_sink>(session.context(), dir / ("u" + std::to_string(index)));
                watcher.watch_pty(pty->slave_path());
                sink = std::move(pty);
                ++on_pty;
                break;
            }
            case 1: {
                auto tcp = std::make_unique<io::tcp_sink>(session.context(), "127.0.0.1", 0);
                watcher.watch_tcp(tcp->local_port());
                sink = std::move(tcp);
                ++on_tcp;
                break;
            }
            default:
                sink = std::make_unique<io::file_sink>(spec.port.substr(5));
                ++on_file;
        }
        io::run_settings settings;
        settings.end_utc = unpaced_plan.end;
        settings.pacing = io::pacing_mode::fast;
        session.add_meter(spec.config.name, std::move(prepared.back().source), std::move(sink), nullptr, settings);
        is_paced.push_back(false);
    }
    std::vector<double> paced_lateness;
    std::uint64_t sent_paced = 0, sent_unpaced = 0, lost_paced = 0, lost_unpaced = 0;
    session.on_frame([&](std::size_t meter, const io::frame_report& r) {
        const bool ok = r.outcome == io::frame_outcome::sent;
        if (is_paced[meter]) {
            paced_lateness.push_back(ms(r.lateness));
            (ok ? sent_paced : lost_paced) += 1;
        } else {
            (ok ? sent_unpaced : lost_unpaced) += 1;
        }
    });
    watcher.start();
    std::atomic<bool> sampling{true};
    std::atomic<std::uint64_t> rss_peak{rss_bytes()};
    std::thread sampler([&] {
        while (sampling) {
            rss_peak = std::max<std::uint64_t>(rss_peak, rss_bytes());
            std::this_thread::sleep_for(milliseconds(250));
        }
    });
    std::this_thread::sleep_for(milliseconds(300));  // readers open, TCP clients connected
    const cpu_shares cpu = run_measured(session, start_utc, length);
    sampling = false;
    sampler.join();
    watcher.stop();
    const std::size_t meters = paced + unpaced;
    const double per_meter = static_cast<double>(rss_peak) / static_cast<double>(meters);
    const double growth_per_meter =
        static_cast<double>(rss_peak > rss_before ? rss_peak - rss_before : 0) / static_cast<double>(meters);
    std::printf(
        "{\n  \"open_file_limit\": %llu,\n  \"bare_timer\": {\"samples\": %zu, \"lateness_p50_ms\": %.3f, "
        "\"lateness_p99_ms\": %.3f, \"lateness_max_ms\": %.3f},\n  \"mix\": {\"paced\": %zu, \"unpaced\": %zu, \"seconds\": %lld, "
        "\"on_pty\": %zu, \"on_tcp\": %zu, \"on_file\": %zu, \"readers\": %zu, "
        "\"cpu_share\": %.4f, \"process_cpu_share\": %.4f, \"rss_before_bytes\": %llu, \"rss_peak_bytes\": %llu, "
        "\"rss_per_meter_bytes\": %.0f, \"rss_growth_per_meter_bytes\": %.0f, "
        "\"frames_sent_paced\": %llu, \"frames_lost_paced\": %llu, \"frames_sent_unpaced\": %llu, "
        "\"frames_lost_unpaced\": %llu, \"bytes_read\": %llu, \"paced_lateness_p50_ms\": %.3f, "
        "\"paced_lateness_p99_ms\": %.3f, \"timer_wakeups\": %llu, \"timer_callbacks\": %llu}\n}\n",
        static_cast<unsigned long long>(file_limit), bare.size(), quantile(bare, 0.5), quantile(bare, 0.99),
        max_of(bare), paced, unpaced, static_cast<long long>(length.count()), on_pty,
        on_tcp, on_file, watcher.opened(), cpu.thread, cpu.process,
        static_cast<unsigned long long>(rss_before), static_cast<unsigned long long>(rss_peak.load()), per_meter,
        growth_per_meter, static_cast<unsigned long long>(sent_paced), static_cast<unsigned long long>(lost_paced),
        static_cast<unsigned long long>(sent_unpaced), static_cast<unsigned long long>(lost_unpaced),
        static_cast<unsigned long long>(watcher.bytes()), quantile(paced_lateness, 0.5),
        quantile(paced_lateness, 0.99), static_cast<unsigned long long>(session.timer_statistics().wakeups),
        static_cast<unsigned long long>(session.timer_statistics().callbacks));
    std::fflush(stdout);
    session.stop();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    return 0;
}

std::size_t arg(int argc, char** argv, int i, std::size_t fallback) {
    return argc > i ? std::strtoul(argv[i], nullptr, 10) : fallback;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "paced";
    try {
        if (mode == "paced") return paced_main(arg(argc, argv, 2, 1000), seconds(arg(argc, argv, 3, 32)));
        if (mode == "mix")
            return mix_main(arg(argc, argv, 2, 1000), arg(argc, argv, 3, 4000), seconds(arg(argc, argv, 4, 30)));
    } catch (const std::exception& e) {
        std::fflush(stdout);
        std::fprintf(stderr, "paced_bench: %s\n", e.what());
        return 1;
    }
    std::fprintf(stderr, "usage: paced_bench paced [METERS] [SECONDS] | mix [PACED] [UNPACED] [SECONDS]\n");
    return 2;
}
