#pragma once
/// @file
/// Many meters in one process: one io_context, one port per meter, all paced independently
/// on one timer queue (timer.hpp: meters due at the same instant share one wake-up). Runs until every meter has finished (its end time reached), a
/// wall-clock limit passes, stop() is called, a port fails for good (failures(): e.g. a full
/// disk), or SIGINT/SIGTERM/SIGHUP arrives; then every port is
/// closed (PTY symlinks removed) before run() returns. By default SIGINT/SIGTERM/SIGHUP are caught
/// from the session's construction on, so a signal while many ports are still being set up
/// ends the run cleanly as soon as it starts; an embedding host with its own signal handling
/// (the Python bindings) leaves signals alone and calls stop() itself.

#include <chrono>
#include <csignal>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "hansim/io/byte_sink.hpp"
#include "hansim/io/data_request.hpp"
#include "hansim/io/meter_runner.hpp"
#include "hansim/io/timer.hpp"
#include "hansim/meter/push_frame.hpp"
#include "hansim/scenario/live_control.hpp"

namespace hansim::io {

/// Raises the soft limit on open files to the hard limit (a thousand PTYs need it).
/// Returns the soft limit now in force.
std::uint64_t raise_open_file_limit();

/// Whether a session takes over SIGINT/SIGTERM.
enum class signal_handling {
    catch_sigint_sigterm,  ///< the CLI: SIGINT, SIGTERM or SIGHUP stops the run cleanly
    leave_to_host,         ///< an embedding host (Python) keeps its handlers; it calls stop()
};

class session {
public:
    explicit session(signal_handling signals = signal_handling::catch_sigint_sigterm);
    ~session();
    session(const session&) = delete;
    session& operator=(const session&) = delete;

    boost::asio::io_context& context() { return context_; }

    /// Adds a meter; it starts when run() does. The session owns everything passed in.
    /// `request` may be null (always requested). Returns the meter's index.
    std::size_t add_meter(std::string name, std::unique_ptr<meter::push_source> source,
                          std::unique_ptr<byte_sink> sink, std::unique_ptr<data_request> request,
                          run_settings settings);

    /// Called for every frame of every meter (on the io_context's thread).
    void on_frame(std::function<void(std::size_t meter, const frame_report&)> callback) {
        on_frame_ = std::move(callback);
    }

    /// Starts every meter with this mapping and runs until done (see file comment).
    /// Returns the signal that stopped it, or 0.
    int run(const time_mapping& mapping, std::optional<std::chrono::nanoseconds> wall_limit = std::nullopt);

    /// How long run() waits, after the meters stop, for listeners to take what was already
    /// written (see byte_sink::output_pending) before the ports are closed.
    void set_drain_limit(std::chrono::milliseconds limit) { drain_limit_ = limit; }

    /// Stops every meter (frames in progress count as aborted) and ends run().
    void stop();

    // ---- Live control (scenario/live_control.hpp: the grammar, what a change does)
    //
    // A meter takes live changes when its source was made with live control
    // (scenario::prepare_meter with meter_setup_options::live_control) and the session was
    // given its controller (set_live_control) before run(). Changes are applied on the
    // io_context's thread between the meter's frames (meter_runner::change_live), so they
    // need no lock and show in the ground truth of the next frame not yet on the line.
    // Errors never stop the run: they come back as live_result::error / live_error.

    /// Gives meter `index` its live controller (before run()).
    void set_live_control(std::size_t index, scenario::live_meter controller);
    /// Thread-safe. Applies `request` to meter `index` on the io_context's thread and calls
    /// `done` there with the result. When the session is not running (before run(), after it
    /// returned), `done` is called at once on the calling thread with ok = false.
    /// Thread-safe: run() is taking live changes (it has started and not yet returned).
    bool accepting_live();
    void post_live(std::size_t index, scenario::live_request request,
                   std::function<void(const scenario::live_result&)> done);
    /// Thread-safe and blocking: post_live and wait for the result. Throws
    /// scenario::live_error with the message. Never call it on the io_context's thread (it
    /// would wait for itself): use apply_live_here there.
    scenario::live_result apply_live(std::size_t index, const scenario::live_request& request);
    /// On the io_context's thread (an HTTP handler, an on_frame callback): applies at once.
    /// Throws scenario::live_error.
    scenario::live_result apply_live_here(std::size_t index, const scenario::live_request& request);

    /// The shared timer's wake-ups and callbacks (benchmarks: callbacks per wake-up).
    const timer_queue::counters& timer_statistics() const { return timers_.statistics(); }

    std::size_t meter_count() const { return meters_.size(); }
    const std::string& meter_name(std::size_t index) const;
    byte_sink& sink(std::size_t index);
    const run_summary& summary(std::size_t index) const;
    run_summary total() const;

    /// "meter: what failed" for every meter whose port failed for good during run() (the
    /// run stopped there). A caller must treat a non-empty list as a failed run (exit 1).
    const std::vector<std::string>& failures() const { return failures_; }

private:
    struct meter_slot;
    void drain_ports();
    void close_ports();

    boost::asio::io_context context_;
    timer_queue timers_{context_};
    std::optional<boost::asio::signal_set> signals_;
    std::vector<std::unique_ptr<meter_slot>> meters_;
    std::function<void(std::size_t, const frame_report&)> on_frame_;
    std::size_t running_ = 0;
    bool stopping_ = false;
    std::vector<std::string> failures_;
    std::chrono::milliseconds drain_limit_{1000};
    std::mutex live_mutex_;
    bool accepting_live_ = false;  ///< run() is running the io_context (guarded by live_mutex_)
    bool run_ended_ = false;       ///< run() has returned (guarded by live_mutex_)
};

}  // namespace hansim::io
