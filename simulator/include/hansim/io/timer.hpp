#pragma once
/// @file
/// The run loop's view of time: read a monotonic clock and be called back at an ABSOLUTE
/// deadline. Production uses asio_timer (a steady_timer on the shared io_context); unit
/// tests use virtual_clock, which runs every deadline instantly in order, so a day of
/// pushes is checked in microseconds.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
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
    struct pending {
        mono_time due;
        std::uint64_t order;  // FIFO among equal deadlines
        std::uint64_t timer_id;
        std::uint64_t generation;
        friend bool operator>(const pending& a, const pending& b) {
            return a.due != b.due ? a.due > b.due : a.order > b.order;
        }
    };
    bool run_one(mono_time until);

    mono_time now_;
    std::function<std::chrono::nanoseconds(mono_time)> wake_delay_;
    std::priority_queue<pending, std::vector<pending>, std::greater<>> queue_;
    std::vector<virtual_timer*> timers_;  // index = timer id; nullptr once destroyed
    std::uint64_t next_order_ = 0;
};

}  // namespace hansim::io
