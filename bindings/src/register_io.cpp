// Meters running in real time on ports, for Python: a session on its own thread, the GIL
// released around every blocking call. Registration and thread plumbing only.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <boost/asio/post.hpp>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "convert.hpp"
#include "hansim/io/line_settings.hpp"
#include "hansim/io/port_spec.hpp"
#include "hansim/io/session.hpp"
#include "hansim/io/unpaced_runner.hpp"
#include "hansim/meter/push_record.hpp"
#include "hansim/scenario/live_control.hpp"
#include "hansim/scenario/meter_settings.hpp"
#include "hansim/scenario/prepared_meter.hpp"
#include "register.hpp"

namespace py = pybind11;

namespace hansim::bindings {
namespace {

py::dict live_result_dict(const scenario::live_result& result) {
    py::dict out;
    out["applied"] = result.applied;
    out["at"] = scenario::format_utc_time(result.at);
    out["meter_now"] = scenario::format_utc_time(result.meter_now);
    return out;
}

class py_session {
public:
    py_session() { io::raise_open_file_limit(); }
    ~py_session() { stop(); }

    std::size_t add_meter(const std::string& profile, const std::map<std::string, std::string>& settings,
                          std::optional<std::string> key_file, const std::vector<std::string>& events) {
        if (started_) throw py::value_error("add meters before start()");
        scenario::meter_request wanted{profile, to_settings(settings), events};
        if (key_file) wanted.settings.push_back({"key_file", *key_file, "key_file"});
        // Checked now, with the same rules the run applies (unknown profile, bad setting, no port).
        scenario::run_request request = python_request();
        request.meters.push_back(wanted);
        plan_from(request, defaults());
        requested_.push_back(std::move(wanted));
        return requested_.size() - 1;
    }

    /// Plans the run (as `hansim run` does), checks every port, then opens them and starts.
    void start(const py::object& speed, bool fast, const std::string& start, const std::string& duration) {
        if (started_) throw py::value_error("already started");
        if (requested_.empty()) throw py::value_error("add a meter before start()");
        scenario::run_request request = python_request();
        request.meters = requested_;
        request.speed = py::str(speed).cast<std::string>();
        request.fast = fast;
        if (!start.empty()) request.start = start;
        if (!duration.empty()) request.duration = duration;
        const scenario::run_plan plan = plan_from(request, defaults());

        std::vector<io::port_spec> ports;
        for (const auto& spec : plan.meters) {
            try {
                ports.push_back(io::parse_port_spec(spec.port));
            } catch (const io::port_error& e) {
                throw py::value_error("meter '" + spec.config.name + "': " + e.what());
            }
        }
        io::run_settings settings;
        settings.pacing = plan.fast ? io::pacing_mode::fast : io::pacing_mode::wire_true;
        if (plan.chunk) settings.granularity = *plan.chunk;
        settings.end_utc = plan.end;
        scenario::meter_setup_options live;
        live.live_control = true;  // Python changes meters while they run
        for (const auto& spec : plan.meters) {
            try {
                prepared_.push_back(scenario::prepare_meter(spec, live));
            } catch (const scenario::meter_setup_error& e) {
                throw py::value_error(e.what());
            }
        }
        for (std::size_t i = 0; i < prepared_.size(); ++i) {
            auto& meter = prepared_[i];
            std::unique_ptr<io::byte_sink> sink;
            try {
                sink = io::make_sink(session_.context(), ports[i], io::line_for(*meter.source));
            } catch (const io::port_error& e) {
                throw py::value_error(e.what());
            }
            descriptions_.push_back(sink->describe());
            auto request_line = std::make_unique<io::manual_data_request>(true);
            requests_.push_back(request_line.get());
            const auto index = session_.add_meter(meter.config.name, std::move(meter.source), std::move(sink),
                                                  std::move(request_line), settings);
            session_.set_live_control(index, scenario::live_meter(meter.config, plan.meters[i].port, plan.end));
        }
        io::time_mapping mapping;
        mapping.speed = plan.speed;
        mapping.start_utc = plan.start;
        session_.on_frame([this](std::size_t index, const io::frame_report& report) {
            auto record = meter::push_record_json(report.frame, prepared_[index].config);
            record["outcome"] = io::outcome_name(report.outcome);
            record["lateness_ms"] = std::chrono::duration<double, std::milli>(report.lateness).count();
            record["bytes_written"] = report.bytes_written;
            std::lock_guard lock(mutex_);
            reports_.emplace_back(std::move(record), report.frame.wire);
            changed_.notify_all();
        });
        started_ = true;
        running_ = true;
        mapping.start_mono = io::mono_clock::now();
        thread_ = std::thread([this, mapping] {
            session_.run(mapping);
            for (auto& meter : prepared_)
                if (meter.counters) meter.counters->flush();
            std::lock_guard lock(mutex_);
            failures_ = session_.failures();
            running_ = false;
            changed_.notify_all();
        });
        // Return once the run takes live changes: a change made right after start() must
        // apply, not be refused as "not started".
        py::gil_scoped_release release;
        while (!session_.accepting_live() && running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }

    void stop() {
        if (running()) stopped_ = true;  // not when the run had already ended by itself
        if (!thread_.joinable()) return;
        boost::asio::post(session_.context(), [this] { session_.stop(); });
        py::gil_scoped_release release;
        thread_.join();
    }

    /// Waits up to `timeout` seconds (negative: forever) for the run to end or a report to arrive.
    bool wait(double timeout) {
        py::gil_scoped_release release;
        std::unique_lock lock(mutex_);
        const auto seen = reports_.size();
        auto done = [&] { return !running_ || reports_.size() != seen; };
        if (timeout < 0)
            changed_.wait(lock, done);
        else
            changed_.wait_for(lock, std::chrono::duration<double>(timeout), done);
        return !running_;
    }

    /// (record as a dict, wire bytes) of every frame that ended since the last call.
    std::vector<std::pair<py::object, py::bytes>> take_reports() {
        std::vector<std::pair<report::json, codec::bytes>> taken;
        {
            std::lock_guard lock(mutex_);
            taken.swap(reports_);
        }
        std::vector<std::pair<py::object, py::bytes>> out;
        out.reserve(taken.size());
        for (auto& [record, wire] : taken) out.emplace_back(to_python(record), to_py_bytes(wire));
        return out;
    }

    bool running() {
        std::lock_guard lock(mutex_);
        return running_;
    }

    /// Why the run stopped early: ports that failed for good (a full disk). Known once it ended.
    std::vector<std::string> failures() {
        std::lock_guard lock(mutex_);
        return failures_;
    }

    std::string describe(std::size_t index) const { return descriptions_.at(index); }

    void set_data_request(std::size_t index, bool asserted) {
        if (started_ && !running())
            throw py::value_error(std::string("set_data_request(") + (asserted ? "True" : "False") + "): " +
                                  ended_because());
        requests_.at(index)->set(asserted);
    }

    /// How the run ended: "stop() ended it", "a port failed: ...", "its duration was reached".
    std::string ended_reason() {
        std::lock_guard lock(mutex_);
        return stopped_ ? "stop() ended it"
               : !failures_.empty() ? "a port failed: " + failures_.front()
                                    : "its duration was reached";
    }

    /// Why a change cannot apply any more.
    std::string ended_because() { return "the run has ended (" + ended_reason() + "); a change needs a running meter"; }

    /// A live event or fault (scenario/live_control.hpp) applied on the session's thread.
    py::dict change(std::size_t index, scenario::live_kind kind, const std::string& text) {
        if (!started_) throw py::value_error("start() the meters before changing them");
        if (index >= requests_.size()) throw py::index_error("no meter " + std::to_string(index));
        if (!running()) throw py::value_error(scenario::describe({kind, text}) + ": " + ended_because());
        scenario::live_result result;
        std::string error;
        {
            py::gil_scoped_release release;
            try {
                result = session_.apply_live(index, {kind, text});
            } catch (const scenario::live_error& e) {
                error = e.what();
            }
        }
        if (!error.empty()) throw py::value_error(error);
        return live_result_dict(result);
    }

private:
    static scenario::plan_defaults defaults() {
        scenario::plan_defaults d;  // as hansim run's, with the meters always given
        d.source = scenario::plan_defaults::meter_source::default_profile;
        d.ports_required = true;
        return d;
    }

    io::session session_{io::signal_handling::leave_to_host};
    std::vector<scenario::meter_request> requested_;
    std::vector<scenario::prepared_meter> prepared_;  // configs and counter stores outlive the run
    std::vector<std::string> descriptions_;
    std::vector<io::manual_data_request*> requests_;  // owned by the session
    std::vector<std::string> failures_;  // guarded by mutex_, set when the run ends
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::pair<report::json, codec::bytes>> reports_;
    bool started_ = false;
    bool running_ = false;
    std::atomic<bool> stopped_ = false;  // stop() was called
};

/// One meter on a port in virtual time: advance() writes the pushes of the next stretch of
/// meter time as fast as the port takes them (io/unpaced_runner.hpp), then returns them.
class py_unpaced_meter {
public:
    py_unpaced_meter(const std::string& profile, const std::map<std::string, std::string>& settings,
                     const std::string& start, std::optional<std::string> key_file, const std::string& port) {
        // A run plan of one meter, as for Meter() and the session: one spelling, one set of errors.
        scenario::run_request request = python_request();
        auto with_port = settings;
        with_port["port"] = port;
        request.meters.push_back({profile, to_settings(with_port), {}});
        if (key_file) request.settings.push_back({"key_file", *key_file, "key_file"});
        if (!start.empty()) request.start = start;
        scenario::plan_defaults defaults;
        defaults.source = scenario::plan_defaults::meter_source::default_profile;
        defaults.start = scenario::parse_utc_time("2024-01-01T00:00:00Z");
        defaults.ports_required = true;
        const auto config = plan_from(request, defaults).meters.front();
        scenario::meter_setup_options live;
        live.live_control = true;  // Python changes the meter between advances
        try {
            prepared_ = scenario::prepare_meter(config, live);
        } catch (const scenario::meter_setup_error& e) {
            throw py::value_error(e.what());
        }
        control_.emplace(prepared_.config, config.port);
        std::unique_ptr<io::byte_sink> sink;
        try {
            sink = io::make_sink(context_, io::parse_port_spec(port), io::line_for(*prepared_.source));
        } catch (const io::port_error& e) {
            throw py::value_error(e.what());
        }
        const auto first = prepared_.config.start;
        runner_ = std::make_unique<io::unpaced_runner>(std::move(prepared_.source), std::move(sink), context_, first);
    }

    /// Writes the pushes of the next `duration` of meter time; returns (record, wire) of each.
    py::list advance(const std::string& duration, double stall_seconds) {
        if (closed_) throw py::value_error("advance('" + duration + "'): " + closed_reason);
        std::chrono::milliseconds span;
        try {
            span = scenario::parse_duration(duration);
        } catch (const std::invalid_argument& e) {
            throw py::value_error(std::string("duration: ") + e.what());
        }
        std::vector<std::pair<report::json, codec::bytes>> sent;
        std::string failure;
        {
            py::gil_scoped_release release;
            std::lock_guard lock(mutex_);
            try {
                runner_->advance_to(
                    runner_->now() + span,
                    [&](const meter::push_frame& frame) {
                        sent.emplace_back(meter::push_record_json(frame, prepared_.config), frame.wire);
                    },
                    std::chrono::milliseconds(static_cast<long>(stall_seconds * 1000)));
            } catch (const io::unpaced_error& e) {
                failure = e.what();
            }
            if (prepared_.counters) prepared_.counters->flush();
        }
        py::list out;
        for (auto& [record, wire] : sent) out.append(py::make_tuple(to_python(record), to_py_bytes(wire)));
        if (!failure.empty()) {
            // What was written stays written and comes with the error (its args[1]).
            PyErr_SetObject(PyExc_TimeoutError, py::make_tuple(failure, out).ptr());
            throw py::error_already_set();
        }
        return out;
    }

    /// A live event or fault (scenario/live_control.hpp), at the meter time reached.
    py::dict change(scenario::live_kind kind, const std::string& text) {
        if (closed_) throw py::value_error(scenario::describe({kind, text}) + ": " + closed_reason);
        scenario::live_result result;
        std::string error;
        {
            py::gil_scoped_release release;
            std::lock_guard lock(mutex_);
            try {
                runner_->change_live([&](meter::push_source& source, meter::utc_ms now) {
                    result = control_->apply({kind, text}, source, now);
                });
            } catch (const scenario::live_error& e) {
                error = e.what();
            }
        }
        if (!error.empty()) throw py::value_error(error);
        return live_result_dict(result);
    }

    std::string now() const { return scenario::format_utc_time(runner_->now()); }
    std::map<std::string, double> resolution() const { return wire_resolution(prepared_.config); }
    std::string describe() const { return runner_->describe(); }
    void close() {
        closed_ = true;
        runner_->close();
        if (prepared_.counters) prepared_.counters->flush();
    }

private:
    boost::asio::io_context context_;
    scenario::prepared_meter prepared_;
    std::optional<scenario::live_meter> control_;
    std::unique_ptr<io::unpaced_runner> runner_;
    std::mutex mutex_;  // advance() and live changes from different Python threads
    std::atomic<bool> closed_ = false;
    static constexpr const char* closed_reason = "the run has ended (close() ended it; its port is closed)";
};

}  // namespace

void register_io(py::module_& m) {
    py::class_<io::port_spec>(m, "PortSpec", "a port as `--port` spells it, parsed (io/port_spec.hpp)")
        .def_property_readonly("kind",
                               [](const io::port_spec& p) -> std::string {
                                   switch (p.kind) {
                                       case io::port_kind::pty: return "pty";
                                       case io::port_kind::serial: return "serial";
                                       case io::port_kind::tcp: return "tcp";
                                       case io::port_kind::rfc2217: return "rfc2217";
                                       case io::port_kind::file: return "file";
                                       case io::port_kind::standard_output: return "stdout";
                                   }
                                   return "?";
                               })
        .def_readonly("path", &io::port_spec::path, "pty link, serial device or file path ('' for the others)")
        .def_readonly("host", &io::port_spec::host)
        .def_readonly("tcp_port", &io::port_spec::tcp_port)
        .def_property_readonly(
            "line",
            [](const io::port_spec& p) -> std::optional<std::string> {
                if (!p.line) return std::nullopt;
                return p.line->to_string();
            },
            "serial line settings when the spec gives them (BAUD:8N1), else None")
        .def("__str__", &io::port_spec::to_string)
        .def("__repr__", [](const io::port_spec& p) { return "PortSpec('" + p.to_string() + "')"; });
    m.def(
        "parse_port_spec",
        [](const std::string& text) {
            try {
                return io::parse_port_spec(text);
            } catch (const io::port_error& e) {
                throw py::value_error(e.what());
            }
        },
        py::arg("text"), "parses a port as `--port` does; ValueError naming the spec and what is wrong");

    py::class_<py_unpaced_meter>(m, "UnpacedMeter", "a meter on a port in virtual time: advance() sends as fast as read")
        .def(py::init<const std::string&, const std::map<std::string, std::string>&, const std::string&,
                      std::optional<std::string>, const std::string&>(),
             py::arg("profile"), py::arg("settings"), py::arg("start"), py::arg("key_file"), py::arg("port"))
        .def("advance", &py_unpaced_meter::advance, py::arg("duration"), py::arg("stall") = 10.0,
             "write the pushes of the next `duration` of meter time; [(record JSON, wire)]; TimeoutError "
             "(message, frames written) when the port takes nothing for `stall` seconds")
        .def_property_readonly("now", &py_unpaced_meter::now, "the meter time reached (ISO 8601 UTC)")
        .def_property_readonly("resolution", &py_unpaced_meter::resolution,
                               "what one wire unit means: energy_wh, current_a, voltage_v, power_multiplier")
        .def("describe", &py_unpaced_meter::describe)
        .def(
            "event", [](py_unpaced_meter& m, const std::string& text) { return m.change(scenario::live_kind::event, text); },
            py::arg("text"),
            "a timeline event as for --event, at the meter time reached (@now / no @) or later (@+10s, ISO); "
            "{applied, at, meter_now}; ValueError with the reason")
        .def(
            "fault", [](py_unpaced_meter& m, const std::string& text) { return m.change(scenario::live_kind::fault, text); },
            py::arg("text"), "fault rules as for --faults, @next (or no @) for the next push; {applied, at, meter_now}")
        .def("close", &py_unpaced_meter::close);

    py::class_<py_session>(m, "Session", "meters running in real time on ports, on a background thread")
        .def(py::init<>())
        .def("add_meter", &py_session::add_meter, py::arg("profile"), py::arg("settings"),
             py::arg("key_file") = py::none(), py::arg("events") = std::vector<std::string>{})
        .def("start", &py_session::start, py::arg("speed"), py::arg("fast"), py::arg("start"), py::arg("duration"))
        .def("stop", &py_session::stop)
        .def("wait", &py_session::wait, py::arg("timeout"))
        .def("take_reports", &py_session::take_reports)
        .def_property_readonly("running", &py_session::running)
        .def("ended_reason", &py_session::ended_reason)
        .def_property_readonly("failures", &py_session::failures)
        .def("describe", &py_session::describe)
        .def("set_data_request", &py_session::set_data_request)
        .def(
            "event",
            [](py_session& s, std::size_t index, const std::string& text) {
                return s.change(index, scenario::live_kind::event, text);
            },
            py::arg("index"), py::arg("text"),
            "a timeline event for meter `index` as for --event, now (@now / no @) or later; {applied, at, meter_now}")
        .def(
            "fault",
            [](py_session& s, std::size_t index, const std::string& text) {
                return s.change(index, scenario::live_kind::fault, text);
            },
            py::arg("index"), py::arg("text"), "fault rules for meter `index` as for --faults, @next for the next push")
        .def_static("live_help", &scenario::live_help);
}

}  // namespace hansim::bindings
