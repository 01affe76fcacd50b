// Replay of capture files from Python: registration and thread plumbing only. The session runs
// on its own thread; the calling thread waits with the GIL released and checks for Ctrl-C.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <boost/asio/post.hpp>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "hansim/capture/capture_file.hpp"
#include "hansim/io/port_spec.hpp"
#include "hansim/io/replay_source.hpp"
#include "hansim/io/session.hpp"
#include "hansim/scenario/meter_settings.hpp"
#include "register.hpp"

namespace py = pybind11;

namespace hansim::bindings {
namespace {

std::chrono::milliseconds duration_argument(const std::string& text, const char* name) {
    try {
        return scenario::parse_duration(text);
    } catch (const std::invalid_argument& e) {
        throw py::value_error(std::string(name) + ": " + e.what());
    }
}

/// A replay set up on its port (the port is open, a PTY's link exists) and not yet started:
/// the one setup of hansim.replay() and of the bench's ReplaySession.
struct replay_setup {
    std::unique_ptr<io::session> session = std::make_unique<io::session>(io::signal_handling::leave_to_host);
    io::chosen_line chosen;
    meter::utc_ms start_utc{};
    std::string described;
    std::size_t bursts = 0;
};

replay_setup set_up_replay(const std::string& path, const std::string& port, double speed, bool loop, bool fast,
                           bool skip_bad, const std::optional<std::string>& line, const std::string& gap) {
    if (!(speed > 0)) throw py::value_error("speed must be > 0");
    capture::parse_options parse_options;
    parse_options.untimed_gap = duration_argument(gap, "gap");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw py::value_error("cannot open capture file '" + path + "'");
    std::ostringstream text;
    text << in.rdbuf();
    const auto recording = capture::parse(text.str(), parse_options);
    if (!recording.problems.empty() && !skip_bad) {
        std::string message;
        for (const auto& p : recording.problems) message += path + ":" + std::to_string(p.line) + ": " + p.message + "\n";
        throw py::value_error(message + "(skip_bad=True replays what is valid)");
    }
    io::chosen_line chosen;
    try {
        chosen = io::replay_line(recording, line);
    } catch (const std::invalid_argument& e) {
        throw py::value_error(line ? std::string(e.what()) : path + ":" + e.what());
    }
    io::replay_options options;
    options.line = chosen.line;
    options.loop = loop;
    options.name = path;
    auto source = std::make_unique<io::replay_source>(recording, options);
    if (source->burst_count() == 0) throw py::value_error(path + ": no data in the file");
    const auto start_utc = source->start_utc();
    io::run_settings settings;
    settings.pacing = fast ? io::pacing_mode::fast : io::pacing_mode::wire_true;
    settings.line = chosen.line;
    if (!loop) settings.end_utc = source->end_utc();

    replay_setup setup;
    setup.chosen = chosen;
    setup.start_utc = start_utc;
    setup.bursts = source->burst_count();
    std::unique_ptr<io::byte_sink> sink;
    try {
        sink = io::make_sink(setup.session->context(), io::parse_port_spec(port), chosen.line);
    } catch (const io::port_error& e) {
        throw py::value_error(e.what());
    }
    setup.described = sink->describe();
    setup.session->add_meter(path, std::move(source), std::move(sink), nullptr, settings);
    return setup;
}

py::dict summary_dict(const replay_setup& setup) {
    const auto s = setup.session->total();
    py::dict out;
    out["port"] = setup.described;
    out["line"] = setup.chosen.line.to_string();
    out["frames_sent"] = s.frames_sent;
    out["frames_lost"] = s.frames_lost;
    out["lost_no_listener"] = s.lost_no_listener;
    out["lost_overrun"] = s.lost_overrun;
    out["lost_truncated"] = s.lost_truncated;
    out["lost_port_unavailable"] = s.lost_port_unavailable;
    out["bytes_sent"] = s.bytes_sent;
    out["max_lateness_ms"] = std::chrono::duration<double, std::milli>(s.max_lateness).count();
    out["mean_lateness_ms"] = std::chrono::duration<double, std::milli>(s.mean_lateness()).count();
    return out;
}

py::dict replay(const std::string& path, const std::string& port, double speed, bool loop, bool fast, bool skip_bad,
                std::optional<std::string> line, std::optional<std::string> duration, const std::string& gap) {
    std::optional<std::chrono::nanoseconds> wall_limit;
    if (duration) wall_limit = duration_argument(*duration, "duration");
    replay_setup setup = set_up_replay(path, port, speed, loop, fast, skip_bad, line, gap);
    io::session& session = *setup.session;
    const auto start_utc = setup.start_utc;

    std::mutex mutex;
    std::condition_variable done_changed;
    bool done = false;
    std::thread runner([&] {
        session.run({start_utc, io::mono_clock::now(), speed}, wall_limit);
        std::lock_guard lock(mutex);
        done = true;
        done_changed.notify_all();
    });
    for (;;) {
        {
            py::gil_scoped_release release;
            std::unique_lock lock(mutex);
            if (done_changed.wait_for(lock, std::chrono::milliseconds(100), [&] { return done; })) break;
        }
        if (PyErr_CheckSignals() != 0) {  // Ctrl-C: stop the replay, then raise
            boost::asio::post(session.context(), [&] { session.stop(); });
            {
                py::gil_scoped_release release;
                runner.join();
            }
            throw py::error_already_set();
        }
    }
    runner.join();
    return summary_dict(setup);
}

/// A replay on a port in the background, for a bench: the port opens at construction (a
/// reader can open the PTY before a byte is sent), start() sends, wait() waits with the GIL
/// released, stop() ends it and closes the port.
class replay_session {
public:
    replay_session(const std::string& path, const std::string& port, double speed, bool loop, bool fast,
                   bool skip_bad, std::optional<std::string> line, const std::string& gap)
        : setup_(set_up_replay(path, port, speed, loop, fast, skip_bad, line, gap)), speed_(speed) {}
    ~replay_session() { stop(); }

    void start(std::optional<std::string> duration) {
        if (thread_.joinable() || done_) throw py::value_error("the replay was already started");
        std::optional<std::chrono::nanoseconds> wall_limit;
        if (duration) wall_limit = duration_argument(*duration, "duration");
        const io::time_mapping mapping{setup_.start_utc, io::mono_clock::now(), speed_};
        thread_ = std::thread([this, mapping, wall_limit] {
            setup_.session->run(mapping, wall_limit);
            std::lock_guard lock(mutex_);
            done_ = true;
            changed_.notify_all();
        });
    }

    /// Waits up to `timeout` seconds (negative: for ever) for the replay to end; true when it has.
    bool wait(double timeout) {
        if (!thread_.joinable() && !done_) throw py::value_error("start() the replay first");
        py::gil_scoped_release release;
        std::unique_lock lock(mutex_);
        if (timeout < 0) changed_.wait(lock, [&] { return done_; });
        else changed_.wait_for(lock, std::chrono::duration<double>(timeout), [&] { return done_; });
        return done_;
    }

    void stop() {
        if (!thread_.joinable()) {  // never started: close the port now
            if (setup_.session) final_ = summary_dict(setup_);
            setup_.session.reset();
            done_ = true;
            return;
        }
        boost::asio::post(setup_.session->context(), [this] { setup_.session->stop(); });
        py::gil_scoped_release release;
        thread_.join();
    }

    py::dict summary() const { return setup_.session ? summary_dict(setup_) : final_; }
    std::string describe() const { return setup_.described; }
    std::size_t bursts() const { return setup_.bursts; }

private:
    replay_setup setup_;
    double speed_;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable changed_;
    bool done_ = false;
    py::dict final_;
};

}  // namespace

void register_capture(py::module_& m) {
    py::class_<replay_session>(m, "ReplaySession",
                               "a capture replayed on a port in the background: the port opens now, start() sends")
        .def(py::init<const std::string&, const std::string&, double, bool, bool, bool, std::optional<std::string>,
                      const std::string&>(),
             py::arg("path"), py::arg("port"), py::arg("speed") = 1.0, py::arg("loop") = false, py::arg("fast") = false,
             py::arg("skip_bad") = false, py::arg("line") = py::none(), py::arg("gap") = "10s")
        .def("start", &replay_session::start, py::arg("duration") = py::none(),
             "starts sending with the recorded timing (`duration`: a wall-clock limit)")
        .def("wait", &replay_session::wait, py::arg("timeout") = -1.0, "waits for the end; True when it ended")
        .def("stop", &replay_session::stop, "stops and closes the port (a PTY's link is removed)")
        .def_property_readonly("summary", &replay_session::summary)
        .def_property_readonly("bursts", &replay_session::bursts, "transmissions in the capture")
        .def("describe", &replay_session::describe);
    m.def("replay", &replay, py::arg("path"), py::arg("port"), py::arg("speed") = 1.0, py::arg("loop") = false,
          py::arg("fast") = false, py::arg("skip_bad") = false, py::arg("line") = py::none(),
          py::arg("duration") = py::none(), py::arg("gap") = "10s",
          "Sends a capture file (or an import) on a port with the recorded timing; blocks until done "
          "(the GIL is released) and returns the summary counters.");
}

}  // namespace hansim::bindings
