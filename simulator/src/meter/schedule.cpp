#include "hansim/meter/schedule.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace hansim::meter {

using namespace std::chrono;
using utc_time = sys_time<milliseconds>;

std::string_view to_string(push_kind kind) {
    switch (kind) {
        case push_kind::list1: return "list1";
        case push_kind::list2: return "list2";
        case push_kind::push1: return "push1";
        case push_kind::p1: return "p1";
    }
    return "?";
}

push_kind parse_push_kind(std::string_view text) {
    if (text == "list1") return push_kind::list1;
    if (text == "list2") return push_kind::list2;
    if (text == "push1") return push_kind::push1;
    if (text == "p1") return push_kind::p1;
    throw std::invalid_argument("unknown list '" + std::string(text) + "' (expected list1, list2, push1 or p1)");
}

milliseconds transmission_time(std::size_t bytes, unsigned baud, unsigned bits_per_character) {
    if (baud == 0) throw std::invalid_argument("transmission_time: baud rate 0");
    const std::uint64_t bit_ms = static_cast<std::uint64_t>(bytes) * bits_per_character * 1000u;
    return milliseconds(static_cast<std::int64_t>((bit_ms + baud - 1) / baud));
}

void validate(const schedule_config& c) {
    if (c.lists.empty()) throw std::invalid_argument("lists: a meter must push at least one list");
    if (c.list2_delay_steps > 5)
        throw std::invalid_argument("list2_delay_steps must be 0..5 (list 2 at xx:00:05 + 10 s * k), got " +
                                    std::to_string(c.list2_delay_steps));
    if (c.p1_period < 100ms || c.p1_period > 3600s)
        throw std::invalid_argument("p1_period must be between 100 ms and 1 h");
    if (c.p1_phase < 0ms || c.p1_phase >= c.p1_period)
        throw std::invalid_argument("p1_phase must be within 0 .. p1_period");
    validate(c.jitter);
}

namespace {
utc_time ceil_to(utc_time t, milliseconds period, milliseconds phase) {
    const auto shifted = t - phase;
    auto n = floor<milliseconds>(shifted).time_since_epoch().count() / period.count();
    utc_time candidate = utc_time{milliseconds(n * period.count())} + phase;
    while (candidate < t) candidate += period;
    while (candidate - period >= t) candidate -= period;
    return candidate;
}
}  // namespace

push_schedule::push_schedule(schedule_config config, utc_time start) : config_(std::move(config)) {
    validate(config_);
    if (pushes(push_kind::list1)) due_[0] = ceil_to(start, 10s, 0ms);
    if (pushes(push_kind::push1)) due_[2] = ceil_to(start, 10s, 0ms);
    if (pushes(push_kind::p1)) due_[3] = ceil_to(start, config_.p1_period, config_.p1_phase);
    if (pushes(push_kind::list2)) {
        next_list2_hour_ = ceil_to(start, 1h, 0ms);
        due_[1] = list2_slot(next_list2_hour_);
    }
}

bool push_schedule::pushes(push_kind kind) const {
    return std::find(config_.lists.begin(), config_.lists.end(), kind) != config_.lists.end();
}

milliseconds push_schedule::jitter_for(push_kind kind, utc_time trigger) const {
    return draw_jitter(config_.jitter, config_.seed, stream_id(to_string(kind)),
                       static_cast<std::uint64_t>(trigger.time_since_epoch().count()));
}

utc_time push_schedule::list2_slot(utc_time hour) const {
    const bool has_x0 = pushes(push_kind::list1) || pushes(push_kind::push1);
    const push_kind x0_kind = pushes(push_kind::list1) ? push_kind::list1 : push_kind::push1;
    const utc_time preferred = hour + 5s + 10s * config_.list2_delay_steps;
    if (!has_x0) return preferred;
    for (unsigned j = config_.list2_delay_steps; j < 360; ++j) {
        const utc_time slot = hour + 5s + 10s * j;
        const utc_time start = slot + jitter_for(push_kind::list2, slot);
        const utc_time x0 = hour + 10s * j;
        const utc_time previous_end = x0 + jitter_for(x0_kind, x0) + config_.list1_duration;
        const utc_time next_start = x0 + 10s + jitter_for(x0_kind, x0 + 10s);
        if (start >= previous_end && start + config_.list2_duration <= next_start) return slot;
    }
    return preferred;  // nothing fits within the hour; the line serialises the frames
}

void push_schedule::advance(push_kind kind) {
    auto& due = due_[static_cast<std::size_t>(kind)];
    switch (kind) {
        case push_kind::list1:
        case push_kind::push1: *due += 10s; break;
        case push_kind::p1: *due += config_.p1_period; break;
        case push_kind::list2:
            next_list2_hour_ += 1h;
            due = list2_slot(next_list2_hour_);
            break;
    }
}

scheduled_push push_schedule::next() {
    // Ties: list 1 first, then push 1, list 2, P1.
    static constexpr std::array priority{push_kind::list1, push_kind::push1, push_kind::list2, push_kind::p1};
    std::optional<push_kind> best;
    for (push_kind kind : priority) {
        const auto& due = due_[static_cast<std::size_t>(kind)];
        if (due && (!best || *due < *due_[static_cast<std::size_t>(*best)])) best = kind;
    }
    if (!best) throw std::logic_error("push_schedule: no list configured");
    scheduled_push push;
    push.kind = *best;
    push.trigger = *due_[static_cast<std::size_t>(*best)];
    push.energy_at = *best == push_kind::list2 ? next_list2_hour_ : push.trigger;
    push.start_offset = jitter_for(*best, push.trigger);
    advance(*best);
    return push;
}

}  // namespace hansim::meter
