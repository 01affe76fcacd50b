#include "hansim/io/timer.hpp"

#include <utility>

namespace hansim::io {

asio_timer::asio_timer(boost::asio::io_context& context) : timer_(context) {}

asio_timer::~asio_timer() { ++*generation_; }

mono_time asio_timer::now() const { return mono_clock::now(); }

void asio_timer::call_at(mono_time deadline, std::function<void()> fn) {
    const auto generation = ++*generation_;
    timer_.expires_at(deadline);
    timer_.async_wait([current = generation_, generation, fn = std::move(fn)](const boost::system::error_code& ec) {
        if (ec || generation != *current) return;
        fn();
    });
}

void asio_timer::cancel() {
    ++*generation_;
    timer_.cancel();
}

class timer_queue::handle final : public timer {
public:
    handle(timer_queue& queue, std::uint32_t id) : queue_(queue), id_(id) {}
    ~handle() override { queue_.handles_[id_] = nullptr; }
    mono_time now() const override { return mono_clock::now(); }
    void call_at(mono_time deadline, std::function<void()> fn) override {
        pending_ = std::move(fn);
        queue_.push(id_, ++generation_, deadline);
    }
    void cancel() override {
        ++generation_;
        pending_ = nullptr;
    }
    void fire(std::uint64_t generation) {
        if (!is_current(generation)) return;
        auto fn = std::exchange(pending_, nullptr);
        ++queue_.counters_.callbacks;
        fn();
    }
    bool is_current(std::uint64_t generation) const { return generation == generation_ && pending_; }

private:
    timer_queue& queue_;
    std::uint32_t id_;
    std::uint64_t generation_ = 0;
    std::function<void()> pending_;
};

timer_queue::timer_queue(boost::asio::io_context& context) : timer_(context) {}

timer_queue::~timer_queue() {
    *alive_ = false;
    timer_.cancel();
}

std::unique_ptr<timer> timer_queue::make_timer() {
    auto made = std::make_unique<handle>(*this, static_cast<std::uint32_t>(handles_.size()));
    handles_.push_back(made.get());
    return made;
}

void timer_queue::push(std::uint32_t id, std::uint64_t generation, mono_time due) {
    heap_.push({due, next_order_++, id, generation});
    // Inside fire() the queue re-arms once when it is done; otherwise only an earlier
    // deadline than the armed one moves the steady_timer.
    if (!dispatching_ && (!armed_ || due < *armed_)) arm(due);
}

void timer_queue::arm(mono_time due) {
    armed_ = due;
    ++counters_.arms;
    timer_.expires_at(due);  // cancels the previous wait: its handler sees operation_aborted
    timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
        if (ec || !*alive) return;
        fire();
    });
}

void timer_queue::fire() {
    ++counters_.wakeups;
    armed_.reset();
    dispatching_ = true;
    auto now = mono_clock::now();
    while (!heap_.empty()) {
        const pending next = heap_.top();
        if (next.due > now) {
            now = mono_clock::now();  // what came due while the callbacks before ran
            if (next.due > now) break;
        }
        heap_.pop();
        if (handle* target = handles_[next.id]) target->fire(next.generation);
    }
    dispatching_ = false;
    // Entries of cancelled or replaced waits are dropped here rather than waking up for them.
    while (!heap_.empty()) {
        const pending& top = heap_.top();
        const handle* target = handles_[top.id];
        if (target != nullptr && target->is_current(top.generation)) break;
        heap_.pop();
    }
    if (!heap_.empty()) arm(heap_.top().due);
}

class virtual_clock::virtual_timer final : public timer {
public:
    virtual_timer(virtual_clock& clock, std::uint64_t id) : clock_(clock), id_(id) {}
    ~virtual_timer() override { clock_.timers_[id_] = nullptr; }
    mono_time now() const override { return clock_.now(); }
    void call_at(mono_time deadline, std::function<void()> fn) override {
        pending_ = std::move(fn);
        clock_.queue_.push({deadline, clock_.next_order_++, id_, ++generation_});
    }
    void cancel() override {
        ++generation_;
        pending_ = nullptr;
    }
    bool fire(std::uint64_t generation) {
        if (generation != generation_ || !pending_) return false;
        auto fn = std::exchange(pending_, nullptr);
        fn();
        return true;
    }

private:
    virtual_clock& clock_;
    std::uint64_t id_;
    std::uint64_t generation_ = 0;
    std::function<void()> pending_;
};

std::unique_ptr<timer> virtual_clock::make_timer() {
    auto made = std::make_unique<virtual_timer>(*this, timers_.size());
    timers_.push_back(made.get());
    return made;
}

bool virtual_clock::run_one(mono_time until) {
    while (!queue_.empty() && queue_.top().due <= until) {
        const pending next = queue_.top();
        queue_.pop();
        auto* target = timers_[next.id];
        if (target == nullptr) continue;
        const auto delay = wake_delay_ ? wake_delay_(next.due) : std::chrono::nanoseconds(0);
        if (next.due + delay > now_) now_ = next.due + delay;
        if (target->fire(next.generation)) return true;
    }
    return false;
}

std::size_t virtual_clock::run_until(mono_time until) {
    std::size_t ran = 0;
    while (run_one(until)) ++ran;
    if (until > now_) now_ = until;
    return ran;
}

std::size_t virtual_clock::run_all(std::size_t limit) {
    std::size_t ran = 0;
    while (ran < limit && run_one(mono_time::max())) ++ran;
    return ran;
}

}  // namespace hansim::io
