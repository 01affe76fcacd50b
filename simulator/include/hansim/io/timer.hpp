#pragma once
/// @file
/// The run loop's view of time: read a monotonic clock and be called back at an ABSOLUTE
/// deadline. Production uses timer_queue (every meter of a session on one steady_timer of the
/// shared io_context) or asio_timer (a steady_timer of its own); unit tests use
/// virtual_clock, which runs every deadline instantly in order, so a day of pushes is
/// checked in microseconds.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace hansim::io {

using mono_clock = std::chrono::steady_clock;
using mono_time = mono_clock::time_point;

/// One pending wake-up at a time (a new call_at replaces the previous one).
class timer {
public:
    virtual ~timer() = default;
    virtual mono_time now() const = 0;
    /// Calls `fn` once, no earlier than `deadline` (absolute: waiting never accumulates drift).
    virtual void call_at(mono_time deadline, std::function<void()> fn) = 0;
    /// Drops the pending wake-up; its function is never called.
    virtual void cancel() = 0;
};

/// A steady_timer on an io_context; callbacks run inside io_context::run().
class asio_timer final : public timer {
public:
    explicit asio_timer(boost::asio::io_context& context);
    ~asio_timer() override;
    mono_time now() const override;
    void call_at(mono_time deadline, std::function<void()> fn) override;
    void cancel() override;

private:
    boost::asio::steady_timer timer_;
    // Shared with pending handlers: a wait that already completed (its handler queued) when
    // it was cancelled or the timer destroyed sees a newer generation and does nothing.
    std::shared_ptr<std::uint64_t> generation_ = std::make_shared<std::uint64_t>(0);
};

/// A deadline in a min-heap of callbacks (std::priority_queue with std::greater<>): the
/// earliest first, and among equal deadlines the one pushed first (`order`). `id` names the
/// timer, `generation` the arming of it (a stale entry is skipped). Used by timer_queue and
/// virtual_clock, so real and virtual time order callbacks the same way.
template <typename Id>
struct deadline_entry {
    mono_time due;
    std::uint64_t order;
    Id id;
    std::uint64_t generation;
    friend bool operator>(const deadline_entry& a, const deadline_entry& b) {
        return a.due != b.due ? a.due > b.due : a.order > b.order;
    }
};

/// Many timers on one steady_timer (issue 12: one timer per instant, not per meter). Each
/// meter of a session gets a handle (make_timer()); the pending deadlines of all handles are
/// kept in a min-heap, and one steady_timer on the io_context is armed for the earliest. When
/// it fires, every handle whose deadline has passed is called in deadline order (FIFO among
/// equal deadlines), including deadlines that pass while they run, and the steady_timer is
/// re-armed once, for the next deadline. So meters due at the same instant share one
/// wake-up, and a call_at costs a heap push rather than a timer system call of its own.
/// A handle's call_at replaces its pending wake-up and cancel drops it (a dropped entry
/// stays in the heap and is skipped when it comes up). Single-threaded: handles are used
/// on the io_context's thread. The queue must outlive its handles.
class timer_queue {
public:
    explicit timer_queue(boost::asio::io_context& context);
    ~timer_queue();
    timer_queue(const timer_queue&) = delete;
    timer_queue& operator=(const timer_queue&) = delete;

    /// A timer whose wake-ups go through this queue.
    std::unique_ptr<timer> make_timer();

    /// For benchmarks and tests: wake-ups of the steady_timer and callbacks they ran.
    struct counters {
        std::uint64_t wakeups = 0;    ///< the steady_timer fired (with something due or not)
        std::uint64_t callbacks = 0;  ///< handle callbacks run
        std::uint64_t arms = 0;       ///< times the steady_timer was (re-)armed
    };
    const counters& statistics() const { return counters_; }

private:
    class handle;
    using pending = deadline_entry<std::uint32_t>;
    void push(std::uint32_t id, std::uint64_t generation, mono_time due);
    void arm(mono_time due);
    void fire();

    boost::asio::steady_timer timer_;
    std::priority_queue<pending, std::vector<pending>, std::greater<>> heap_;
    std::vector<handle*> handles_;  // index = id; nullptr once destroyed
    std::uint64_t next_order_ = 0;
    std::optional<mono_time> armed_;  // the steady_timer's pending expiry
    bool dispatching_ = false;        // inside fire(): it re-arms once at the end
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    counters counters_;
};

/// Virtual time for tests. now() only moves when run_until() reaches the next deadline;
/// an optional wake delay models a loaded machine (callbacks run `delay` after their
/// deadline, and now() says so), which is how lateness is tested.
class virtual_clock {
public:
    explicit virtual_clock(mono_time start = mono_time{} + std::chrono::hours(1)) : now_(start) {}

    mono_time now() const { return now_; }

    /// A timer driven by this clock (the clock must outlive it).
    std::unique_ptr<timer> make_timer();

    /// Every wake-up will run this much after its deadline (default 0).
    void set_wake_delay(std::function<std::chrono::nanoseconds(mono_time deadline)> delay) {
        wake_delay_ = std::move(delay);
    }

    /// Runs pending callbacks in deadline order until none is due at or before `until`;
    /// then now() = `until` (if it was earlier). Returns how many callbacks ran.
    std::size_t run_until(mono_time until);

    /// Runs callbacks until none is left (or `limit` ran). Returns how many ran.
    std::size_t run_all(std::size_t limit = 10'000'000);

private:
    class virtual_timer;
    using pending = deadline_entry<std::uint64_t>;
    bool run_one(mono_time until);

    mono_time now_;
    std::function<std::chrono::nanoseconds(mono_time)> wake_delay_;
    std::priority_queue<pending, std::vector<pending>, std::greater<>> queue_;
    std::vector<virtual_timer*> timers_;  // index = timer id; nullptr once destroyed
    std::uint64_t next_order_ = 0;
};

}  // namespace hansim::io
