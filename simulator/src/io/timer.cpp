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
        auto* target = timers_[next.timer_id];
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
