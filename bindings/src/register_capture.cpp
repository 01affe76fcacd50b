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

py::dict replay(const std::string& path, const std::string& port, double speed, bool loop, bool fast, bool skip_bad,
                std::optional<std::string> line, std::optional<std::string> duration, const std::string& gap) {
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
    std::optional<std::chrono::nanoseconds> wall_limit;
    if (duration) wall_limit = duration_argument(*duration, "duration");

    io::session session(io::signal_handling::leave_to_host);
    std::unique_ptr<io::byte_sink> sink;
    try {
        sink = io::make_sink(session.context(), io::parse_port_spec(port), chosen.line);
    } catch (const io::port_error& e) {
        throw py::value_error(e.what());
    }
    const auto described = sink->describe();
    session.add_meter(path, std::move(source), std::move(sink), nullptr, settings);

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
    const auto s = session.total();
    py::dict out;
    out["port"] = described;
    out["line"] = chosen.line.to_string();
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

}  // namespace

void register_capture(py::module_& m) {
    m.def("replay", &replay, py::arg("path"), py::arg("port"), py::arg("speed") = 1.0, py::arg("loop") = false,
          py::arg("fast") = false, py::arg("skip_bad") = false, py::arg("line") = py::none(),
          py::arg("duration") = py::none(), py::arg("gap") = "10s",
          "Sends a capture file (or an import) on a port with the recorded timing; blocks until done "
          "(the GIL is released) and returns the summary counters.");
}

}  // namespace hansim::bindings
