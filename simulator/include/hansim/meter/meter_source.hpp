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
/// Frames never overlap on the line: a push whose jittered start falls while the previous
/// frame is still being sent starts when the line is free (start_offset grows accordingly).

#include <cstdint>
#include <memory>
#include <optional>

#include "hansim/codec/bytes.hpp"
#include "hansim/meter/meter_config.hpp"
#include "hansim/meter/push_frame.hpp"
#include "hansim/meter/schedule.hpp"
#include "hansim/security/invocation_counter_store.hpp"
#include "hansim/security/keys.hpp"

namespace hansim::meter {

/// The bytes of one push of `kind` for `values` under `config` (security policy, list
/// options, P1 profile). `invocation_counter` is used only when the policy ciphers; `keys`
/// must then be given (std::invalid_argument otherwise).
codec::bytes build_push_wire(push_kind kind, const snapshot& values, const meter_config& config,
                             const security::security_keys* keys, std::uint32_t invocation_counter);

/// A push_source for one meter. `keys` is copied and required when config.security is not
/// none; `counters` (kept by reference, may be null) hands out invocation counters; without
/// it counters start at config.initial_invocation_counter and live in memory only.
/// Throws std::invalid_argument for an invalid config ("field: problem") or missing keys.
std::unique_ptr<push_source> make_push_source(const meter_config& config, const security::security_keys* keys,
                                              security::invocation_counter_store* counters);

}  // namespace hansim::meter
