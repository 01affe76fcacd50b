#include "hansim/meter/fault_plan.hpp"

#include "hansim/meter/time_text.hpp"

#include <cstdio>
#include <stdexcept>

namespace hansim::meter {
namespace {

std::uint64_t splitmix(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

std::string time_text(const fault_time& t) {
    if (!t.relative) return format_utc_time(std::chrono::sys_time<std::chrono::milliseconds>(t.value));
    const auto ms = t.value.count();
    if (ms % 1000 != 0) return "+" + std::to_string(ms) + "ms";
    return "+" + std::to_string(ms / 1000) + "s";
}

}  // namespace

std::int64_t fault_rule::param(std::string_view key, std::int64_t fallback) const {
    for (const auto& [k, v] : params)
        if (k == key) return v;
    return fallback;
}

std::uint64_t fault_rule::first_selected() const {
    switch (selection) {
        case frame_selection::every: return period;
        case frame_selection::single:
        case frame_selection::range: return first;
        default: return 0;
    }
}

std::string to_string(const fault_rule& rule) {
    std::string text = rule.name;
    for (const auto& [k, v] : rule.params) text += ":" + k + "=" + std::to_string(v);
    text += "@";
    switch (rule.selection) {
        case frame_selection::single: return text + std::to_string(rule.first);
        case frame_selection::range: return text + std::to_string(rule.first) + "-" + std::to_string(rule.last);
        case frame_selection::every: return text + "every:" + std::to_string(rule.period);
        case frame_selection::rate: {
            char p[32];
            std::snprintf(p, sizeof p, "%.17g", rule.rate);
            return text + "rate:" + p;
        }
        case frame_selection::time_point: return text + "time:" + time_text(rule.from);
        case frame_selection::time_window: return text + "time:" + time_text(rule.from) + ".." + time_text(rule.to);
    }
    return text;
}

std::string to_string(const fault_plan& plan) {
    std::string text;
    for (const auto& rule : plan) text += (text.empty() ? "" : ",") + to_string(rule);
    return text;
}

fault_selector::fault_selector(fault_plan plan, std::uint64_t seed, std::chrono::sys_time<std::chrono::milliseconds> start)
    : plan_(std::move(plan)), seed_(seed), start_(start), fired_(plan_.size(), false) {}

bool fault_selector::matches(std::size_t index, std::uint64_t sequence,
                             std::chrono::sys_time<std::chrono::milliseconds> when) const {
    const fault_rule& rule = plan_[index];
    switch (rule.selection) {
        case frame_selection::single: return sequence == rule.first;
        case frame_selection::range: return sequence >= rule.first && sequence <= rule.last;
        case frame_selection::every: return rule.period != 0 && sequence != 0 && sequence % rule.period == 0;
        case frame_selection::rate: {
            const std::uint64_t draw = splitmix(seed_ ^ splitmix(index + 0x51ED) ^ splitmix(sequence * 2 + 1));
            return static_cast<double>(draw >> 11) * 0x1.0p-53 < rule.rate;
        }
        case frame_selection::time_point: return !fired_[index] && when >= rule.from.resolve(start_);
        case frame_selection::time_window: return when >= rule.from.resolve(start_) && when < rule.to.resolve(start_);
    }
    return false;
}

bool has_cipher_faults(const fault_plan& plan) {
    for (const auto& rule : plan)
        if (rule.cipher) return true;
    return false;
}

void validate(const fault_plan& plan, security::security_policy policy) {
    using security::cipher_fault;
    for (std::size_t i = 0; i < plan.size(); ++i) {
        const fault_rule& rule = plan[i];
        if (!rule.cipher) continue;
        const std::string who = "fault " + std::to_string(i + 1) + " '" + to_string(rule) + "': ";
        if (policy == security::security_policy::none)
            throw std::invalid_argument(who + "ciphering faults need security encrypt, authenticate or "
                                              "encrypt+authenticate (security is none)");
        const bool needs_tag = *rule.cipher == cipher_fault::wrong_authentication_key ||
                               *rule.cipher == cipher_fault::corrupted_tag;
        if (needs_tag && policy == security::security_policy::encrypt)
            throw std::invalid_argument(who + "has no effect with security encrypt (SC 0x20 carries no tag)");
        const bool needs_previous = *rule.cipher == cipher_fault::counter_stuck ||
                                    *rule.cipher == cipher_fault::counter_backwards;
        // (A rate or time rule that lands on push 0 leaves it alone: see meter_source.hpp.)
        const bool by_sequence = rule.selection == frame_selection::single || rule.selection == frame_selection::range;
        if (needs_previous && by_sequence && rule.first_selected() == 0)
            throw std::invalid_argument(who + "frame 0 has no previous frame whose counter it could repeat or undercut");
    }
}

}  // namespace hansim::meter
