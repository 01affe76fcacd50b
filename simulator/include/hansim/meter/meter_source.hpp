#pragma once
/// @file
/// A simulated meter as a push_source: the model, the schedule and the list builders put
/// together. Each push is built as the real meter would:
///   snapshot (list 2: energies of xx:00:00, clock = send slot)
///   -> list APDU (build_nve_list1_apdu / build_nve_list2_apdu / build_push1_apdu)
///   -> if ciphered: general-glo-ciphering with system title "KAME"+serial and the next
///      invocation counter
///   -> HDLC frame (2B/21 plain, 41/03 ciphered);
/// or, for P1 meters, the telegram of the meter's P1 profile.
/// Times: push_frame.trigger_utc and send_utc() are true simulation UTC (what a transport
/// paces by); the meter's own clock (clock_offset, unset clock) shows in values.clock and
/// values.utc, and the schedule's x0 / xx:00:05 slots are slots of that meter clock.
/// Faults: when a ciphering rule of config.faults selects a ciphered push, it is sealed
/// with security::protect_with_fault instead, previous_counter being the IC the meter's
/// previous ciphered push carried on the wire; push_frame.fault names the fault and
/// push_frame.invocation_counter is the IC actually written. The counter drawn for a faulty
/// push is used up either way; after a counter_jump the meter counts on above the jumped
/// value (invocation_counter_store::skip_past, or the in-memory counter). A counter_stuck or
/// counter_backwards rule by rate or time that lands on the first push leaves it alone (it
/// has no previous counter). On a ciphered meter, content rules that rewrite the APDU
/// (fault_rule::rewrites_apdu) are the meter's too: the plain APDU goes through the
/// content_fault_hook given (faults::content_fault_hook()) and is then sealed as usual, so
/// the push decrypts and a reader sees the content fault; without a hook such rules are left
/// alone. Rules for other faults are not the meter's: the fault stage
/// (faults/fault_stage.hpp) applies them after framing. A push gets at most one fault; the
/// meter's rules are tried first.
/// Frames never overlap on the line: a push whose jittered start falls while the previous
/// frame is still being sent starts when the line is free (start_offset grows accordingly).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "hansim/codec/bytes.hpp"
#include "hansim/meter/meter_config.hpp"
#include "hansim/meter/push_frame.hpp"
#include "hansim/meter/schedule.hpp"
#include "hansim/security/cipher_fault.hpp"
#include "hansim/security/invocation_counter_store.hpp"
#include "hansim/security/keys.hpp"

namespace hansim::meter {

/// The bytes of one push of `kind` for `values` under `config` (security policy, list
/// options, P1 profile). `invocation_counter` is used only when the policy ciphers; `keys`
/// must then be given (std::invalid_argument otherwise).
codec::bytes build_push_wire(push_kind kind, const snapshot& values, const meter_config& config,
                             const security::security_keys* keys, std::uint32_t invocation_counter);

/// The bytes of one ciphered HAN push of `kind` with `fault` applied (see cipher_fault.hpp):
/// `invocation_counter` is the IC the push would carry without the fault, `previous_counter`
/// the IC of the meter's previous push on the wire. The result's apdu is the whole HDLC
/// frame. Throws std::invalid_argument for a plain or P1 push, missing keys, or a fault that
/// cannot apply (e.g. counter_stuck without a previous push).
security::faulty_apdu build_faulty_push_wire(security::cipher_fault fault, push_kind kind, const snapshot& values,
                                             const meter_config& config, const security::security_keys* keys,
                                             std::uint32_t invocation_counter,
                                             std::optional<std::uint32_t> previous_counter,
                                             std::uint32_t counter_jump = security::default_counter_jump);

/// A push_source for one meter. `keys` is copied and required when config.security is not
/// none; `counters` (kept by reference, may be null) hands out invocation counters; without
/// it counters start at config.initial_invocation_counter and live in memory only.
/// Throws std::invalid_argument for an invalid config ("field: problem", e.g. "faults: fault 1
/// 'corrupted_tag@3': …") or missing keys; next() throws std::invalid_argument when a fault
/// turns out not to apply to its frame (counter_backwards below 0, counter_jump past
/// 0xFFFFFFFF).
/// Rewrites the plain APDU of a push for a content fault (`rule.rewrites_apdu`) and says in
/// `effect` what it did (description, values_patch); false when the rule does not apply to
/// this push (it is then sent unchanged).
using content_fault_hook = std::function<bool(const fault_rule& rule, codec::bytes& apdu, fault_effect& effect)>;

/// With `live`, the source takes changes while it runs (its live() side, live_source.hpp:
/// timeline events, ciphering fault rules, taking back the last push).
std::unique_ptr<push_source> make_push_source(const meter_config& config, const security::security_keys* keys,
                                              security::invocation_counter_store* counters, bool live = false,
                                              content_fault_hook content_faults = {});

}  // namespace hansim::meter
