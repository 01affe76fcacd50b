#pragma once
/// @file
/// Ciphering faults a HAN reader must survive, and how hansim produces each one.
///
/// `protect_with_fault` protects a frame the way glo_protect() would, then breaks exactly one
/// thing. What each fault does (SC = the security control requested):
///
/// | fault                    | what goes on the wire                                           | how a reader recognises it |
/// |--------------------------|-----------------------------------------------------------------|----------------------------|
/// | wrong_encryption_key     | sealed with every bit of EK inverted                             | authentication_failed (SC 0x30/0x10); SC 0x20: wrong plaintext only |
/// | wrong_authentication_key | sealed with every bit of AK inverted (AK is only AAD)            | authentication_failed; not allowed with SC 0x20 (no effect) |
/// | corrupted_tag            | last byte of the 12-byte tag XOR 0x01                            | authentication_failed; not allowed with SC 0x20 (no tag) |
/// | counter_stuck            | the previous frame's IC again (the IV repeats!)                  | counter_monitor: stuck |
/// | counter_backwards        | the previous frame's IC minus 1                                  | counter_monitor: backwards |
/// | counter_jump             | the frame's IC plus `counter_jump` (default 1000)                | counter_monitor: jump |
/// | empty_system_title       | sealed normally, header system title of length 0 (`DB 00 …`)     | malformed at offset 1 |
/// | foreign_system_title     | sealed with the real title, header names another meter (last title byte XOR 0x01) | authentication_failed (SC 0x20: wrong plaintext only) |
/// | sc_mismatch              | header SC differs from the SC sealed with: 0x30→0x10, 0x10→0x30, 0x20→0x30 | authentication_failed (malformed if an SC 0x20 payload is under 12 bytes) |
/// | length_off_by_one        | ciphered-content length field declares one byte more than follows | malformed at the length field (offset 10) |
///
/// The counter faults need the counter history: `previous_counter` is the IC that the
/// previous frame of the same meter carried on the wire (faulty or not). counter_stuck and
/// counter_backwards without a previous frame (or backwards from 0) throw
/// std::invalid_argument, as does a jump past 0xFFFFFFFF. A jump is a single-frame event: if
/// the caller keeps counting from its own counter, the next regular frame looks like a step
/// backwards to a monitor; call invocation_counter_store::skip_past(jumped IC) to continue
/// above it as a real meter would.
///
/// counter_stuck and counter_backwards reuse an IV under the same key, which is exactly the
/// weakness being simulated: use them with test keys only.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "hansim/security/glo_cipher.hpp"

namespace hansim::security {

enum class cipher_fault {
    wrong_encryption_key,
    wrong_authentication_key,
    corrupted_tag,
    counter_stuck,
    counter_backwards,
    counter_jump,
    empty_system_title,
    foreign_system_title,
    sc_mismatch,
    length_off_by_one,
};

/// The enumerator's name, e.g. "counter_stuck".
std::string_view to_string(cipher_fault fault);

/// Inverse of to_string(); throws std::invalid_argument listing the known names.
cipher_fault parse_cipher_fault(std::string_view text);

/// Every fault, in declaration order.
std::span<const cipher_fault> all_cipher_faults();

/// Default size of a counter_jump.
inline constexpr std::uint32_t default_counter_jump = 1000;

/// A frame to protect, and the counter history the counter faults need.
struct fault_request {
    codec::byte_view plaintext_apdu;
    security_keys keys;
    system_title title{};
    std::uint32_t invocation_counter = 0;  ///< the IC this frame would carry without a fault
    std::uint8_t security_control = 0x30;
    std::optional<std::uint32_t> previous_counter;  ///< IC of this meter's previous frame on the wire
    codec::axdr::length_form length_form = codec::axdr::length_form::forced_82;
    std::uint32_t counter_jump = default_counter_jump;
};

/// The damaged APDU and what was done to it (for the ground-truth log; never contains keys).
struct faulty_apdu {
    codec::bytes apdu;
    std::uint32_t invocation_counter = 0;  ///< IC written in the header
    std::string description;
};

/// Protects the frame with `fault` applied, as described in the table above. Throws
/// std::invalid_argument for an unsupported SC or a fault that cannot apply (see above).
faulty_apdu protect_with_fault(cipher_fault fault, const fault_request& request);

}  // namespace hansim::security
