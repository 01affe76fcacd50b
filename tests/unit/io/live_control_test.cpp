// Live control through the runners: a session's meters changed from another thread while they
// run (io::session::apply_live / post_live), and an unpaced meter changed between advances.
#include <gtest/gtest.h>

#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "hansim/io/file_sink.hpp"
#include "hansim/io/session.hpp"
#include "hansim/io/unpaced_runner.hpp"
#include "hansim/scenario/prepared_meter.hpp"

namespace fs = std::filesystem;
using namespace hansim;
using namespace std::chrono_literals;

namespace {

const meter::utc_ms t0{std::chrono::sys_days{std::chrono::year{2024} / 1 / 15} + std::chrono::hours{12}};

scenario::prepared_meter live_meter_of(const std::string& port) {
    scenario::meter_spec spec = scenario::profile_spec("kamstrup-no-3p");
    spec.config.start = t0;
    spec.config.jitter = {};
    spec.port = port;
    scenario::meter_setup_options options;
    options.live_control = true;
    return scenario::prepare_meter(spec, options);
}

struct temp_dir {
    fs::path path;
    temp_dir() {
        char pattern[] = "/tmp/hansim-live-io-test-XXXXXX";
        path = ::mkdtemp(pattern);
    }
    ~temp_dir() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
};

struct seen_frame {
    std::uint64_t sequence;
    std::vector<std::string> events;
    std::string fault;
    double import_w;
};

}  // namespace

TEST(live_control, a_running_sessions_meter_changes_from_another_thread) {
    temp_dir dir;
    auto meter = live_meter_of("file:" + (dir.path / "m.bin").string());
    io::session session(io::signal_handling::leave_to_host);
    io::run_settings settings;
    settings.pacing = io::pacing_mode::fast;
    const auto index = session.add_meter("m", std::move(meter.source),
                                         std::make_unique<io::file_sink>(dir.path / "m.bin"), nullptr, settings);
    session.set_live_control(index, scenario::live_meter(meter.config, "file:" + (dir.path / "m.bin").string()));

    // Not running yet: refused at once, on this thread.
    bool answered = false;
    session.post_live(index, {scenario::live_kind::event, "load=1000"}, [&](const scenario::live_result& r) {
        answered = true;
        EXPECT_FALSE(r.ok);
        EXPECT_NE(r.error.find("not running"), std::string::npos) << r.error;
    });
    EXPECT_TRUE(answered);

    std::mutex mutex;
    std::condition_variable changed;
    std::vector<seen_frame> frames;
    session.on_frame([&](std::size_t, const io::frame_report& r) {
        std::lock_guard lock(mutex);
        frames.push_back({r.frame.sequence, r.frame.events, r.frame.fault, r.frame.values.active_import_w});
        changed.notify_all();
    });
    std::thread runner([&] { session.run({t0, io::mono_clock::now(), 200.0}, 20s); });  // a list 1 every 50 ms
    auto wait_for = [&](std::size_t count) {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, 10s, [&] { return frames.size() >= count; });
    };
    ASSERT_TRUE(wait_for(3));

    const auto applied = session.apply_live(index, {scenario::live_kind::event, "load=4321"});
    std::size_t after_event;
    {
        std::lock_guard lock(mutex);
        after_event = frames.size();
    }
    EXPECT_EQ(applied.applied.rfind("load=4321@2024-01-15T12:", 0), 0u) << applied.applied;

    // A bad change is refused with the parser's message; the run goes on.
    try {
        session.apply_live(index, {scenario::live_kind::event, "load=4321@yesterday"});
        ADD_FAILURE() << "no error";
    } catch (const scenario::live_error& e) {
        EXPECT_NE(std::string(e.what()).find("event 'load=4321@yesterday': at: expected now"), std::string::npos)
            << e.what();
    }
    const auto fault = session.apply_live(index, {scenario::live_kind::fault, "bad_fcs"});
    std::size_t after_fault;
    {
        std::lock_guard lock(mutex);
        after_fault = frames.size();
    }
    ASSERT_TRUE(wait_for(after_fault + 3));
    session.post_live(index, {scenario::live_kind::event, "load=1"}, [&](const scenario::live_result&) {
        session.stop();  // on the io thread, as an HTTP handler would
    });
    runner.join();

    std::lock_guard lock(mutex);
    // Every frame that began after the change carries it, in ground truth and in values.
    for (std::size_t i = after_event; i < frames.size(); ++i) {
        ASSERT_FALSE(frames[i].events.empty()) << i;
        EXPECT_EQ(frames[i].events.front(), applied.applied) << i;
        EXPECT_NEAR(frames[i].import_w, 4321.0, 1e-6) << i;
    }
    for (std::size_t i = 0; i < after_event; ++i) EXPECT_TRUE(frames[i].events.empty()) << i;
    // The fault marks exactly one frame: the first begun after it was applied.
    std::size_t marked = 0;
    for (std::size_t i = 0; i < frames.size(); ++i)
        if (frames[i].fault == "bad_fcs") {
            ++marked;
            EXPECT_EQ(i, after_fault);
            EXPECT_EQ(fault.applied, "bad_fcs@" + std::to_string(frames[i].sequence));
        }
    EXPECT_EQ(marked, 1u);

    // After the run: refused, not a hang.
    EXPECT_THROW(session.apply_live(index, {scenario::live_kind::event, "load=1"}), scenario::live_error);
}

TEST(live_control, an_unpaced_meter_takes_back_the_push_it_pulled_ahead) {
    temp_dir dir;
    boost::asio::io_context context;
    auto meter = live_meter_of("file:/dev/null");
    auto sink = std::make_unique<io::file_sink>(dir.path / "out.bin");
    scenario::live_meter control(meter.config, "file:/dev/null");
    io::unpaced_runner runner(std::move(meter.source), std::move(sink), context, t0);
    std::vector<meter::push_frame> sent;
    const auto keep = [&](const meter::push_frame& f) { sent.push_back(f); };
    runner.advance_to(t0 + 60s, keep);  // pulls the 12:01:00 push ahead and keeps it
    scenario::live_result result;
    runner.change_live([&](meter::push_source& source, meter::utc_ms now) {
        EXPECT_EQ(now, t0 + 60s);
        result = control.apply({scenario::live_kind::event, "load=2kW"}, source, now);
    });
    EXPECT_EQ(result.applied, "load=2kW@2024-01-15T12:01:00Z");
    const auto before = sent.size();
    runner.advance_to(t0 + 80s, keep);
    ASSERT_EQ(sent.size(), before + 2);
    EXPECT_EQ(sent[before].trigger_utc, t0 + 60s);
    EXPECT_EQ(sent[before].events, std::vector<std::string>{"load=2kW@2024-01-15T12:01:00Z"});
    EXPECT_NEAR(sent[before].values.active_import_w, 2000.0, 1e-6);
    EXPECT_EQ(sent[before].sequence, sent[before - 1].sequence + 1);
}
