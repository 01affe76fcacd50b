#include "hansim/io/session.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <csignal>
#include <condition_variable>
#include <thread>

#include <boost/asio/post.hpp>

#include <boost/asio/steady_timer.hpp>

namespace hansim::io {

std::uint64_t raise_open_file_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
        ::getrlimit(RLIMIT_NOFILE, &limit);
    }
    return static_cast<std::uint64_t>(limit.rlim_cur);
}

struct session::meter_slot {
    std::string name;
    std::unique_ptr<meter::push_source> source;
    std::unique_ptr<byte_sink> sink;
    std::unique_ptr<data_request> request;
    run_settings settings;
    std::unique_ptr<timer> clock;  // a handle of the session's timer_queue
    std::unique_ptr<meter_runner> runner;
    run_summary final_summary;  // kept when the runner is gone
    std::optional<scenario::live_meter> live;
};

session::session(signal_handling signals) {
    // SIGHUP too: a closed terminal or ssh session must remove the PTY links like Ctrl-C.
    if (signals == signal_handling::catch_sigint_sigterm) signals_.emplace(context_, SIGINT, SIGTERM, SIGHUP);
}

session::~session() {
    for (auto& slot : meters_) slot->runner.reset();
    close_ports();
}

std::size_t session::add_meter(std::string name, std::unique_ptr<meter::push_source> source,
                               std::unique_ptr<byte_sink> sink, std::unique_ptr<data_request> request,
                               run_settings settings) {
    auto slot = std::make_unique<meter_slot>();
    slot->name = std::move(name);
    slot->source = std::move(source);
    slot->sink = std::move(sink);
    slot->request = std::move(request);
    slot->settings = std::move(settings);
    meters_.push_back(std::move(slot));
    return meters_.size() - 1;
}

int session::run(const time_mapping& mapping, std::optional<std::chrono::nanoseconds> wall_limit) {
    int stopped_by = 0;
    stopping_ = false;
    failures_.clear();
    if (signals_) {
        signals_->async_wait([this, &stopped_by](const boost::system::error_code& ec, int signal) {
            if (ec) return;
            stopped_by = signal;
            stop();
        });
    }
    boost::asio::steady_timer limit(context_);
    if (wall_limit) {
        limit.expires_after(*wall_limit);
        limit.async_wait([this](const boost::system::error_code& ec) {
            if (!ec) stop();
        });
    }

    running_ = meters_.size();
    for (std::size_t index = 0; index < meters_.size(); ++index) {
        auto& slot = *meters_[index];
        slot.clock = timers_.make_timer();
        slot.runner = std::make_unique<meter_runner>(*slot.source, *slot.sink, *slot.clock, mapping,
                                                     slot.settings, slot.request.get());
        slot.runner->on_frame([this, index](const frame_report& report) {
            if (on_frame_) on_frame_(index, report);
        });
        slot.runner->on_finished([this, index] {
            const auto& failure = meters_[index]->runner->failure();
            if (!failure.empty()) {
                failures_.push_back(meters_[index]->name + ": " + failure);
                stop();
            }
            if (--running_ == 0) stop();
        });
    }
    for (auto& slot : meters_) slot->runner->start();
    if (meters_.empty()) stop();

    {
        std::lock_guard lock(live_mutex_);
        accepting_live_ = true;
    }
    context_.run();
    {
        std::lock_guard lock(live_mutex_);
        accepting_live_ = false;
        run_ended_ = true;
    }
    boost::system::error_code ignored;
    if (signals_) signals_->cancel(ignored);  // the handler refers to this call's stopped_by
    limit.cancel();

    for (auto& slot : meters_) {
        slot->final_summary = slot->runner->summary();
        slot->runner.reset();
        slot->clock.reset();
    }
    drain_ports();
    context_.restart();
    context_.poll();  // live changes posted before accepting stopped: answered "not running"
    close_ports();
    return stopped_by;
}

void session::stop() {
    if (stopping_) return;
    stopping_ = true;
    for (auto& slot : meters_)
        if (slot->runner) slot->runner->stop();
    context_.stop();
}

void session::drain_ports() {
    const auto started = mono_clock::now();
    const auto give_up = started + drain_limit_;
    // A PTY moves written bytes to the reader's queue asynchronously (the kernel's flip
    // buffer), so "nothing pending" is only trusted after a short settling time.
    const auto settled = started + std::min(drain_limit_, std::chrono::milliseconds(50));
    context_.restart();
    while (mono_clock::now() < give_up) {
        context_.poll();  // lets queued TCP writes complete
        bool pending = false;
        for (auto& slot : meters_) pending = pending || (slot->sink && slot->sink->output_pending());
        if (!pending && mono_clock::now() >= settled) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

void session::close_ports() {
    for (auto& slot : meters_)
        if (slot->sink) slot->sink->close();
}

void session::set_live_control(std::size_t index, scenario::live_meter controller) {
    meters_.at(index)->live.emplace(std::move(controller));
}

scenario::live_result session::apply_live_here(std::size_t index, const scenario::live_request& request) {
    if (index >= meters_.size())
        throw scenario::live_error("no meter " + std::to_string(index) + " (the run has " +
                                   std::to_string(meters_.size()) + ")");
    meter_slot& slot = *meters_[index];
    if (!slot.live) throw scenario::live_error("meter '" + slot.name + "' was started without live control");
    if (!slot.runner || slot.runner->finished())
        throw scenario::live_error(scenario::describe(request) + ": meter '" + slot.name +
                                   "' is not running: its run has ended");
    scenario::live_result result;
    slot.runner->change_live([&](meter::push_source& source, meter::utc_ms now) {
        result = slot.live->apply(request, source, now);
    });
    return result;
}

bool session::accepting_live() {
    std::lock_guard lock(live_mutex_);
    return accepting_live_;
}

void session::post_live(std::size_t index, scenario::live_request request,
                        std::function<void(const scenario::live_result&)> done) {
    std::unique_lock lock(live_mutex_);
    if (!accepting_live_) {
        lock.unlock();
        scenario::live_result refused;
        refused.error = scenario::describe(request) + ": the meters are not running: " +
                        (run_ended_ ? "the run has ended" : "the run has not started");
        done(refused);
        return;
    }
    boost::asio::post(context_, [this, index, request = std::move(request), done = std::move(done)] {
        scenario::live_result result;
        try {
            result = apply_live_here(index, request);
        } catch (const std::exception& e) {  // live_error, and anything else: never the run's end
            result = {};
            result.error = e.what();
        }
        done(result);
    });
}

scenario::live_result session::apply_live(std::size_t index, const scenario::live_request& request) {
    struct waiter {
        std::mutex mutex;
        std::condition_variable ready;
        std::optional<scenario::live_result> result;
    };
    auto wait = std::make_shared<waiter>();
    post_live(index, request, [wait](const scenario::live_result& result) {
        std::lock_guard lock(wait->mutex);
        wait->result = result;
        wait->ready.notify_all();
    });
    std::unique_lock lock(wait->mutex);
    wait->ready.wait(lock, [&] { return wait->result.has_value(); });
    if (!wait->result->ok) throw scenario::live_error(wait->result->error);
    return *wait->result;
}

const std::string& session::meter_name(std::size_t index) const { return meters_.at(index)->name; }

byte_sink& session::sink(std::size_t index) { return *meters_.at(index)->sink; }

const run_summary& session::summary(std::size_t index) const {
    const auto& slot = *meters_.at(index);
    return slot.runner ? slot.runner->summary() : slot.final_summary;
}

run_summary session::total() const {
    run_summary sum;
    for (std::size_t index = 0; index < meters_.size(); ++index) sum.add(summary(index));
    return sum;
}

}  // namespace hansim::io
