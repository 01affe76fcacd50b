#include "hansim/security/counter_monitor.hpp"

#include <cstdio>

namespace hansim::security {
namespace {
std::string hex32(std::uint32_t v) {
    char text[11];
    std::snprintf(text, sizeof text, "0x%08X", static_cast<unsigned>(v));
    return text;
}
}  // namespace

std::string_view to_string(counter_anomaly anomaly) {
    switch (anomaly) {
        case counter_anomaly::none: return "none";
        case counter_anomaly::first_seen: return "first_seen";
        case counter_anomaly::stuck: return "stuck";
        case counter_anomaly::backwards: return "backwards";
        case counter_anomaly::jump: return "jump";
    }
    return "unknown";
}

counter_observation counter_monitor::observe(const system_title& title, std::uint32_t invocation_counter) {
    counter_observation seen;
    seen.current = invocation_counter;
    const auto [it, inserted] = last_.try_emplace(title, invocation_counter);
    if (inserted) {
        seen.anomaly = counter_anomaly::first_seen;
        return seen;
    }
    const std::uint32_t previous = it->second;
    seen.previous = previous;
    it->second = invocation_counter;

    const std::string who = "invocation counter of system title " + codec::to_hex(title);
    if (invocation_counter == previous) {
        seen.anomaly = counter_anomaly::stuck;
        seen.message = who + " stuck at " + hex32(previous);
    } else if (invocation_counter < previous) {
        seen.anomaly = counter_anomaly::backwards;
        seen.message = who + " went backwards: " + hex32(invocation_counter) + " after " + hex32(previous);
    } else if (invocation_counter - previous > max_step_) {
        seen.anomaly = counter_anomaly::jump;
        seen.message = who + " jumped by " + std::to_string(invocation_counter - previous) + ": " +
                       hex32(invocation_counter) + " after " + hex32(previous) + " (more than " +
                       std::to_string(max_step_) + ")";
    }
    return seen;
}

std::optional<std::uint32_t> counter_monitor::last(const system_title& title) const {
    const auto it = last_.find(title);
    if (it == last_.end()) return std::nullopt;
    return it->second;
}

}  // namespace hansim::security
