#pragma once
/// @file
/// The fault stage: a push_source decorator that sits after framing (ARCHITECTURE.md's data
/// flow) and applies every rule of the meter's `faults` setting that is not a ciphering fault
/// (those are applied while the push is sealed, meter/meter_source.hpp), nor, on a ciphered
/// push, a content fault that rewrites the APDU (the meter applied it before sealing). The codec stays pure
/// and the meter model never hears of faults.
///
/// Each push a rule selects carries its ground truth: push_frame.fault (the name),
/// fault_rule (the rule as text), effect (what was done: bytes changed, cut offset, the
/// pieces a correct reader finds in the wire and which of them it must reject, changes to
/// the values) and pauses (timing faults; the pacer honours them). Framing references:
/// PROTOCOLS.md §1 (HDLC), §6 (P1).
///
/// Random choices (cut points, flipped bits, noise) come from the meter's seed and the push's
/// sequence number only, so the same scenario gives the same bytes. Pushes keep their send
/// order: a push made late, or followed back to back, moves the ones after it as the line
/// requires.

#include <memory>

#include "hansim/meter/meter_config.hpp"
#include "hansim/meter/meter_source.hpp"
#include "hansim/meter/push_frame.hpp"

namespace hansim::faults {

/// Wraps `inner` (the meter's push source). Returns `inner` itself when the plan has no rule
/// for the stage and `inner` takes no live changes. Rules are assumed checked
/// (check_applicable). The stage of a live source is live too (meter/live_source.hpp): rules
/// added while running, and taking back the last push, cover both the stage and the meter.
std::unique_ptr<meter::push_source> make_fault_stage(std::unique_ptr<meter::push_source> inner,
                                                     const meter::meter_config& config);

/// The content faults that rewrite the plain APDU (legacy_datetime, value_out_of_range,
/// clock_unset, unknown_obis) for a ciphered meter, which applies them before sealing
/// (meter/meter_source.hpp): pass it to meter::make_push_source.
meter::content_fault_hook content_fault_hook();

/// Applies the rule named `rule.name` to one push (exposed for tests). `random` seeds the
/// push's random choices. Returns false when the rule does not apply to this push (e.g.
/// list2_repeated on a list 1 push), leaving it unchanged.
bool apply_fault(const meter::fault_rule& rule, meter::push_frame& frame, std::uint64_t random);

}  // namespace hansim::faults
