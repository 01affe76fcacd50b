#pragma once
/// @file
/// Which pushes of a meter carry a ciphering fault (security/cipher_fault.hpp) and which one.
///
/// A plan is a list of rules; each rule names one cipher_fault and the frames it applies to,
/// selected by the meter's push sequence number (push_frame.sequence: 0 for the meter's first
/// push, 1, 2, … counting every push of that meter, whatever its list). Text form, as used by
/// the `faults` meter setting (scenario `faults: "corrupted_tag@3"`, `hansim generate
/// --faults …`, `hansim run --set faults=…`):
///
/// | rule                 | frames                                                        |
/// |----------------------|---------------------------------------------------------------|
/// | `FAULT@N`            | sequence N only, e.g. `corrupted_tag@3`                       |
/// | `FAULT@A-B`          | sequences A to B inclusive, e.g. `counter_jump@10-12`         |
/// | `FAULT@every:K`      | sequences K, 2K, 3K, … (never frame 0), e.g. `sc_mismatch@every:5` |
///
/// Several rules are separated by commas: `corrupted_tag@2,counter_backwards@4`. FAULT is a
/// cipher_fault name (wrong_encryption_key, wrong_authentication_key, corrupted_tag,
/// counter_stuck, counter_backwards, counter_jump, empty_system_title, foreign_system_title,
/// sc_mismatch, length_off_by_one). A frame gets at most one fault: the first rule of the plan
/// that selects it. The empty text is the empty plan (no faults).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hansim/security/cipher_fault.hpp"
#include "hansim/security/security_policy.hpp"

namespace hansim::meter {

/// How a rule picks frames.
enum class frame_selection {
    single,  ///< sequence == first
    range,   ///< first <= sequence <= last
    every,   ///< sequence is a positive multiple of period
};

struct fault_rule {
    security::cipher_fault fault = security::cipher_fault::corrupted_tag;
    frame_selection selection = frame_selection::single;
    std::uint64_t first = 0;   ///< single: the frame; range: the first frame
    std::uint64_t last = 0;    ///< range: the last frame (inclusive)
    std::uint64_t period = 0;  ///< every: K (at least 1)

    /// True when this rule applies to the push with `sequence`.
    bool selects(std::uint64_t sequence) const;
    /// The smallest sequence the rule selects.
    std::uint64_t first_selected() const;

    bool operator==(const fault_rule&) const = default;
};

/// The rules of one meter, in the order given (the first matching rule wins).
using fault_plan = std::vector<fault_rule>;

/// One rule's text form, e.g. "counter_jump@10-12".
std::string to_string(const fault_rule& rule);

/// The plan's text form: rules joined by ","; "" for the empty plan. parse_fault_plan() reads
/// it back to an equal plan.
std::string to_string(const fault_plan& plan);

/// Parses the text form above (white space around rules and their parts is ignored). Throws
/// std::invalid_argument naming the bad rule, e.g. "fault 2 'corrupted_tg@3': unknown
/// ciphering fault 'corrupted_tg' (known: …)" or "fault 1 'counter_jump@12-10': range end 10
/// is before its start 12".
fault_plan parse_fault_plan(std::string_view text);

/// The fault for the push with `sequence`, if the plan selects it.
std::optional<security::cipher_fault> fault_for(const fault_plan& plan, std::uint64_t sequence);

/// Checks what can be checked before any frame is built; throws std::invalid_argument naming
/// the rule: any fault needs a ciphering policy (not none); wrong_authentication_key and
/// corrupted_tag need a tag (not policy encrypt, SC 0x20); counter_stuck and
/// counter_backwards need a previous frame (may not select frame 0). Faults that depend on
/// counter values (counter_backwards below 0, counter_jump past 0xFFFFFFFF) are only known
/// when the frame is built and throw then.
void validate(const fault_plan& plan, security::security_policy policy);

}  // namespace hansim::meter
