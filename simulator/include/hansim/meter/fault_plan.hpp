#pragma once
/// @file
/// Which pushes of a meter carry a fault, and which one: the parsed form of the `faults`
/// setting (scenario `faults:`, `hansim generate/run --faults`, Python `faults=`).
///
/// A plan is a list of rules; each names one fault of the catalogue (faults/catalogue.hpp,
/// `hansim faults`), its parameters, and the pushes it applies to. The text form is parsed by
/// faults::parse_fault_plan, which knows the catalogue; this header only holds the result and
/// decides which rule selects a push, so the meter (ciphering faults, applied while the frame
/// is sealed) and the fault stage (every other fault, applied after framing) select alike.
///
/// Selection, by the meter's push sequence number (push_frame.sequence: 0 for its first push,
/// counting every push whatever its list) or by the push's scheduled time:
///
/// | rule                     | pushes                                                   |
/// |--------------------------|----------------------------------------------------------|
/// | `FAULT@N`                | sequence N only, e.g. `corrupted_tag@3`                  |
/// | `FAULT@A-B`              | sequences A to B inclusive                               |
/// | `FAULT@every:K`          | sequences K, 2K, 3K, … (never push 0)                    |
/// | `FAULT@rate:P`           | each push with probability P (0 < P <= 1), drawn from the meter's seed |
/// | `FAULT@time:T`           | the first push scheduled at or after T                   |
/// | `FAULT@time:T1..T2`      | every push scheduled in [T1, T2)                         |
///
/// T is spelled as a timeline event's `at` (meter/time_text.hpp, the one time grammar):
/// `+DURATION` after the run's start (`+90s`, `+1h30m`, `+500ms`) or an absolute ISO 8601
/// time (`2024-01-01T12:00:00Z`, `2024-01-01T13:00:00+01:00`, `2024-01-01T12:00:00.250Z`). Parameters follow the name: `truncated:at=40@3`,
/// `bit_flips:n=3@rate:0.05`. Several rules are separated by commas. A push gets at most one
/// fault: the first rule that selects it.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hansim/security/cipher_fault.hpp"
#include "hansim/security/security_policy.hpp"

namespace hansim::meter {

/// How a rule picks pushes.
enum class frame_selection {
    single,      ///< sequence == first
    range,       ///< first <= sequence <= last
    every,       ///< sequence is a positive multiple of period
    rate,        ///< seeded draw with probability `rate`
    time_point,  ///< the first push scheduled at or after `from`
    time_window, ///< pushes scheduled in [from, to)
};

/// A time in a rule: relative to the simulation start, or absolute UTC.
struct fault_time {
    bool relative = true;
    std::chrono::milliseconds value{0};  ///< offset from start, or since the epoch (absolute)

    std::chrono::sys_time<std::chrono::milliseconds> resolve(std::chrono::sys_time<std::chrono::milliseconds> start) const {
        return relative ? start + value : std::chrono::sys_time<std::chrono::milliseconds>(value);
    }
    bool operator==(const fault_time&) const = default;
};

struct fault_rule {
    std::string name;                                      ///< catalogue name
    std::optional<security::cipher_fault> cipher;          ///< set for the ten ciphering faults
    /// A content fault that rewrites the plain APDU (legacy_datetime, value_out_of_range,
    /// clock_unset, unknown_obis): on a ciphered meter the meter applies it before sealing
    /// (meter_source.hpp), on a plain one the fault stage after framing.
    bool rewrites_apdu = false;
    std::vector<std::pair<std::string, std::int64_t>> params;  ///< every parameter, defaults filled in
    frame_selection selection = frame_selection::single;
    std::uint64_t first = 0;   ///< single: the push; range: the first push
    std::uint64_t last = 0;    ///< range: the last push (inclusive)
    std::uint64_t period = 0;  ///< every: K (at least 1)
    double rate = 0;           ///< rate: probability
    fault_time from;           ///< time_point / time_window
    fault_time to;             ///< time_window (exclusive)

    /// A parameter's value (every parameter is present after parsing); `fallback` otherwise.
    std::int64_t param(std::string_view key, std::int64_t fallback = 0) const;
    /// The smallest sequence the rule can select (0 for rate and time rules).
    std::uint64_t first_selected() const;

    bool operator==(const fault_rule&) const = default;
};

/// The rules of one meter, in the order given (the first matching rule wins).
using fault_plan = std::vector<fault_rule>;

/// One rule's text form, e.g. "counter_jump:by=1000@10-12" (parameters as parsed, defaults
/// included).
std::string to_string(const fault_rule& rule);
/// Rules joined by ","; "" for the empty plan.
std::string to_string(const fault_plan& plan);

/// Decides, push by push and in send order, which rule of a plan applies. Time-point rules
/// fire once, hence the state. `seed` drives rate rules (the same seed, the same pushes).
class fault_selector {
public:
    fault_selector(fault_plan plan, std::uint64_t seed, std::chrono::sys_time<std::chrono::milliseconds> start);

    /// The index of the first rule selecting the push (sequence, scheduled at `when`) among
    /// the rules for which `eligible(rule)` is true; nullopt when none. Call once per push.
    template <class Pred>
    std::optional<std::size_t> select(std::uint64_t sequence, std::chrono::sys_time<std::chrono::milliseconds> when,
                                      Pred eligible) {
        std::optional<std::size_t> chosen;
        for (std::size_t i = 0; i < plan_.size(); ++i) {
            if (!eligible(plan_[i])) continue;
            const bool hit = matches(i, sequence, when);
            if (hit && plan_[i].selection == frame_selection::time_point) fired_[i] = true;
            if (hit && !chosen) chosen = i;
        }
        return chosen;
    }
    const fault_plan& plan() const noexcept { return plan_; }
    /// Appends a rule (live control): it selects among the pushes asked about from now on.
    void add(fault_rule rule) {
        plan_.push_back(std::move(rule));
        fired_.push_back(false);
    }

private:
    bool matches(std::size_t index, std::uint64_t sequence, std::chrono::sys_time<std::chrono::milliseconds> when) const;

    fault_plan plan_;
    std::uint64_t seed_;
    std::chrono::sys_time<std::chrono::milliseconds> start_;
    std::vector<bool> fired_;
};

/// Checks the ciphering rules of a plan against the security policy; throws
/// std::invalid_argument naming the rule: a ciphering fault needs a ciphering policy (not
/// none); wrong_authentication_key and corrupted_tag need a tag (not policy encrypt, SC
/// 0x20); counter_stuck and counter_backwards need a previous frame (may not select push 0).
/// Faults that depend on counter values (counter_backwards below 0, counter_jump past
/// 0xFFFFFFFF) are only known when the frame is built and throw then. Other rules are left to
/// the fault stage (faults/catalogue.hpp).
void validate(const fault_plan& plan, security::security_policy policy);

/// True when the plan holds a ciphering rule.
bool has_cipher_faults(const fault_plan& plan);

}  // namespace hansim::meter
