#pragma once
/// @file
/// One push as the schedule emits it: the bytes for the wire plus the ground truth a test
/// asserts against. The contract between the meter/schedule layer and the transports.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "hansim/codec/bytes.hpp"
#include "hansim/meter/snapshot.hpp"

namespace hansim::meter {

using utc_ms = std::chrono::sys_time<std::chrono::milliseconds>;

struct push_frame {
    std::string meter;                 ///< meter name (unique within a run)
    std::string list;                  ///< "list1", "list2", "push1", "p1"
    std::uint64_t sequence = 0;        ///< per meter, 0, 1, 2, …
    utc_ms trigger_utc{};              ///< when the schedule fired (meter's UTC)
    std::chrono::milliseconds start_offset{0};  ///< jitter: first byte leaves at trigger + offset
    codec::bytes wire;                 ///< exactly what goes on the line
    snapshot values;                   ///< ground truth that was encoded
    std::optional<std::uint32_t> invocation_counter;  ///< when ciphered
    std::string fault;                 ///< injected fault name, empty when none

    utc_ms send_utc() const { return trigger_utc + start_offset; }
};

/// An endless, time-ordered supply of pushes for one meter. Pure: no clock is read;
/// the caller decides how far ahead to pull.
class push_source {
public:
    virtual ~push_source() = default;
    /// The next push in send order (non-decreasing send_utc()).
    virtual push_frame next() = 0;
    /// Line settings the meter's port uses, e.g. 2400 baud 8N1 for HAN, 115200 8N1 for P1.
    virtual unsigned baud_rate() const = 0;
    virtual unsigned bits_per_character() const = 0;  ///< start + data + parity + stop bits
};

}  // namespace hansim::meter
