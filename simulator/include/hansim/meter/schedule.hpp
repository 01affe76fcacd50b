#pragma once
/// @file
/// When a meter pushes (PROTOCOLS.md §8), on the meter's own clock:
/// - list 1 and DLMS push 1: every 10 s at hh:mm:x0;
/// - list 2: once an hour at xx:00:05 + 10·k (k = list2_delay_steps, 0..5); its energies are
///   those of xx:00:00 (`energy_at`), its date-time is the send slot;
/// - P1: every `p1_period` (10 s Swedish/Kamstrup, 1 s DSMR) at `p1_phase` within the period.
/// Collision rule: when a list 1 (or push 1) and anything else are due at the same instant,
/// list 1 goes first. List 2 never overlaps a list 1: if, with the drawn jitters and the
/// transmission times at the line speed (§7.4), list 2 in slot k would start before the
/// list 1 of the same ten seconds has finished or would still be sending when the next list
/// 1 starts, it moves on by 10 s steps (k+1, k+2, …), like the real meter.
/// All times are sys_time on the meter's clock; jitter is drawn per push from (seed, list,
/// trigger time), so a schedule is reproducible and independent of where it started.

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "hansim/meter/jitter.hpp"

namespace hansim::meter {

enum class push_kind { list1, list2, push1, p1 };

/// "list1", "list2", "push1", "p1" (the push_frame.list names).
std::string_view to_string(push_kind kind);
/// Inverse of to_string(); throws std::invalid_argument listing the accepted names.
push_kind parse_push_kind(std::string_view text);

/// Whole milliseconds (rounded up) to send `bytes` at `baud` with `bits_per_character`
/// (10 for 8N1, 11 for 8E1): 228 bytes at 2400 8N1 -> 950 ms.
std::chrono::milliseconds transmission_time(std::size_t bytes, unsigned baud, unsigned bits_per_character);

struct schedule_config {
    std::vector<push_kind> lists{push_kind::list1, push_kind::list2};
    unsigned list2_delay_steps = 0;                 ///< k, 0..5
    std::chrono::milliseconds p1_period{10'000};    ///< 10 s, or 1 s for DSMR-style meters
    std::chrono::milliseconds p1_phase{0};          ///< offset of P1 triggers within the period
    jitter_config jitter;                           ///< start offset after each trigger
    std::uint64_t seed = 1;
    /// Transmission times for the collision rule (list 1 and push 1 share the x0 slot).
    std::chrono::milliseconds list1_duration{950};
    std::chrono::milliseconds list2_duration{1258};
};

/// Throws std::invalid_argument naming the offending field.
void validate(const schedule_config& config);

/// One push the schedule fires.
struct scheduled_push {
    push_kind kind = push_kind::list1;
    std::chrono::sys_time<std::chrono::milliseconds> trigger{};    ///< meter clock
    std::chrono::sys_time<std::chrono::milliseconds> energy_at{};  ///< list 2: the full hour; else = trigger
    std::chrono::milliseconds start_offset{0};                     ///< drawn jitter
};

/// The pushes of one meter in trigger order, from `start` on (the first trigger ≥ start;
/// the first list 2 is that of the first full hour ≥ start).
class push_schedule {
public:
    push_schedule(schedule_config config, std::chrono::sys_time<std::chrono::milliseconds> start);

    scheduled_push next();

    /// The list-2 send slot for the hour beginning at `hour` under the collision rule.
    std::chrono::sys_time<std::chrono::milliseconds> list2_slot(
        std::chrono::sys_time<std::chrono::milliseconds> hour) const;

    const schedule_config& config() const { return config_; }

private:
    std::chrono::milliseconds jitter_for(push_kind kind, std::chrono::sys_time<std::chrono::milliseconds> trigger) const;
    bool pushes(push_kind kind) const;
    void advance(push_kind kind);

    schedule_config config_;
    std::array<std::optional<std::chrono::sys_time<std::chrono::milliseconds>>, 4> due_{};  // by push_kind
    std::chrono::sys_time<std::chrono::milliseconds> next_list2_hour_{};
};

}  // namespace hansim::meter
