// Meters running in real time on ports, for Python: a session on its own thread, the GIL
// released around every blocking call. Registration and thread plumbing only.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <boost/asio/post.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "convert.hpp"
#include "hansim/io/line_settings.hpp"
#include "hansim/io/port_spec.hpp"
#include "hansim/io/session.hpp"
#include "hansim/meter/push_record.hpp"
#include "hansim/scenario/meter_settings.hpp"
#include "hansim/scenario/prepared_meter.hpp"
#include "register.hpp"

namespace py = pybind11;

namespace hansim::bindings {
namespace {

class py_session {
public:
    py_session() { io::raise_open_file_limit(); }
    ~py_session() { stop(); }

    std::size_t add_meter(const std::string& profile, const std::map<std::string, std::string>& settings,
                          std::optional<std::string> key_file) {
        if (started_) throw py::value_error("add meters before start()");
        planned_.push_back({config_from(profile, settings, ""), std::move(key_file)});
        if (planned_.back().config.port.empty()) throw py::value_error("port: every running meter needs a port");
        return planned_.size() - 1;
    }

    void start(double speed, bool fast, const std::string& start, const std::string& duration) {
        if (started_) throw py::value_error("already started");
        if (!(speed > 0)) throw py::value_error("speed must be > 0");
        io::time_mapping mapping;
        mapping.speed = speed;
        try {
            mapping.start_utc = start.empty()
                                    ? std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now())
                                    : scenario::parse_utc_time(start);
        } catch (const std::invalid_argument& e) {
            throw py::value_error(std::string("start: ") + e.what());
        }
        io::run_settings settings;
        settings.pacing = fast ? io::pacing_mode::fast : io::pacing_mode::wire_true;
        if (!duration.empty()) {
            try {
                settings.end_utc = mapping.start_utc + scenario::parse_duration(duration);
            } catch (const std::invalid_argument& e) {
                throw py::value_error(std::string("duration: ") + e.what());
            }
        }
        for (auto& plan : planned_) {
            plan.config.start = mapping.start_utc;
            scenario::meter_setup_options options;
            if (plan.key_file) options.fallback_key_file = *plan.key_file;
            try {
                prepared_.push_back(scenario::prepare_meter(plan.config, options));
            } catch (const scenario::meter_setup_error& e) {
                throw py::value_error(e.what());
            }
            auto& meter = prepared_.back();
            std::unique_ptr<io::byte_sink> sink;
            try {
                sink = io::make_sink(session_.context(), io::parse_port_spec(meter.config.port),
                                     io::line_for(*meter.source));
            } catch (const io::port_error& e) {
                throw py::value_error(e.what());
            }
            descriptions_.push_back(sink->describe());
            auto request = std::make_unique<io::manual_data_request>(true);
            requests_.push_back(request.get());
            session_.add_meter(meter.config.name, std::move(meter.source), std::move(sink), std::move(request), settings);
        }
        session_.on_frame([this](std::size_t index, const io::frame_report& report) {
            auto record = meter::push_record_json(report.frame, prepared_[index].config);
            record["outcome"] = io::outcome_name(report.outcome);
            record["lateness_ms"] = std::chrono::duration<double, std::milli>(report.lateness).count();
            record["bytes_written"] = report.bytes_written;
            std::lock_guard lock(mutex_);
            reports_.emplace_back(report::dump(record), report.frame.wire);
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
            running_ = false;
            changed_.notify_all();
        });
    }

    void stop() {
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

    std::vector<std::pair<std::string, py::bytes>> take_reports() {
        std::vector<std::pair<std::string, codec::bytes>> taken;
        {
            std::lock_guard lock(mutex_);
            taken.swap(reports_);
        }
        std::vector<std::pair<std::string, py::bytes>> out;
        out.reserve(taken.size());
        for (auto& [record, wire] : taken) out.emplace_back(std::move(record), to_py_bytes(wire));
        return out;
    }

    bool running() {
        std::lock_guard lock(mutex_);
        return running_;
    }

    std::string describe(std::size_t index) const { return descriptions_.at(index); }

    void set_data_request(std::size_t index, bool asserted) { requests_.at(index)->set(asserted); }

private:
    struct planned_meter {
        meter::meter_config config;
        std::optional<std::string> key_file;
    };

    io::session session_{io::signal_handling::leave_to_host};
    std::vector<planned_meter> planned_;
    std::vector<scenario::prepared_meter> prepared_;  // configs and counter stores outlive the run
    std::vector<std::string> descriptions_;
    std::vector<io::manual_data_request*> requests_;  // owned by the session
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::pair<std::string, codec::bytes>> reports_;
    bool started_ = false;
    bool running_ = false;
};

}  // namespace

void register_io(py::module_& m) {
    py::class_<py_session>(m, "Session", "meters running in real time on ports, on a background thread")
        .def(py::init<>())
        .def("add_meter", &py_session::add_meter, py::arg("profile"), py::arg("settings"),
             py::arg("key_file") = py::none())
        .def("start", &py_session::start, py::arg("speed"), py::arg("fast"), py::arg("start"), py::arg("duration"))
        .def("stop", &py_session::stop)
        .def("wait", &py_session::wait, py::arg("timeout"))
        .def("take_reports", &py_session::take_reports)
        .def_property_readonly("running", &py_session::running)
        .def("describe", &py_session::describe)
        .def("set_data_request", &py_session::set_data_request);
}

}  // namespace hansim::bindings
