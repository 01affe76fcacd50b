#pragma once
/// @file
/// One push as the schedule emits it: the bytes for the wire plus the ground truth a test
/// asserts against. The contract between the meter/schedule layer and the transports.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hansim/codec/bytes.hpp"
#include "hansim/meter/list_options.hpp"
#include "hansim/meter/snapshot.hpp"
#include "hansim/report/json.hpp"

namespace hansim::meter {

using utc_ms = std::chrono::sys_time<std::chrono::milliseconds>;

/// A pause on the line before byte `offset` of the wire (timing faults): the port sends bytes
/// [0, offset), waits `length`, then goes on. Offsets ascend.
struct wire_pause {
    std::size_t offset = 0;
    std::chrono::milliseconds length{0};
    friend bool operator==(const wire_pause&, const wire_pause&) = default;
};

/// A line condition one push is sent under (the line faults wrong_parity, wrong_baud and
/// line_break). Only a real serial port can send it (io/serial_sink.hpp switches the UART for
/// the push and back after it has drained); a PTY, a TCP socket or a file cannot, and the
/// fault is refused there (faults::check_applicable).
struct line_condition {
    enum class kind {
        parity,  ///< the push with the other parity: none -> even, even -> odd, odd -> even
        baud,    ///< the push at `baud`
        brk,     ///< a break of `break_length` on the line before the push
    };
    kind what = kind::parity;
    unsigned baud = 0;                           ///< kind::baud
    std::chrono::milliseconds break_length{0};   ///< kind::brk
    friend bool operator==(const line_condition&, const line_condition&) = default;
};

/// "parity", "baud", "break".
const char* to_string(line_condition::kind what);

/// One frame (or run of noise) a correct reader finds in a faulty push's wire, in order.
struct wire_piece {
    std::size_t offset = 0;   ///< within push_frame.wire
    std::size_t length = 0;
    bool reject = false;      ///< a correct reader rejects it (one error record)
    std::string why;          ///< what a reader should report, e.g. "bad_fcs", "garbage"
    friend bool operator==(const wire_piece&, const wire_piece&) = default;
};

/// What a fault did to a push: the ground truth a test computes expectations from.
struct fault_effect {
    std::string description;              ///< for people: "FCS byte 227 XOR 0xFF"
    std::vector<std::size_t> changed;     ///< offsets (in wire) of bytes changed
    std::optional<std::size_t> cut_at;    ///< the wire was cut after this many bytes
    /// What a correct reader finds in the wire. Empty for a push without a fault: the wire is
    /// then exactly one good frame.
    std::vector<wire_piece> pieces;
    /// Changes to the values the push carries, by OBIS key as in `values` (null: removed).
    /// Null (which nlohmann::json treats as empty) until a fault patches a value, so that a
    /// frame without a fault allocates nothing for it.
    report::json values_patch;
};

/// A timeline event that began or ended since the previous emitted frame's trigger (exclusive)
/// up to this frame's trigger (inclusive), with its exact times from the timeline (true UTC).
/// This is how a frame's ground truth says when things happened between frames: an outage,
/// during which no frame is made, appears in the first frame after it with its start and end.
struct timeline_change {
    std::string text;             ///< the event's spec text, as in push_frame.events
    std::string kind;             ///< the event kind's name ("outage", "load", ...)
    utc_ms at{};                  ///< when it began
    std::optional<utc_ms> until;  ///< when it ends, for an event with `for`
    friend bool operator==(const timeline_change&, const timeline_change&) = default;
};

struct push_frame {
    std::string meter;                 ///< meter name (unique within a run)
    std::string list;                  ///< "list1", "list2", "push1", "p1"
    std::uint64_t sequence = 0;        ///< per meter, 0, 1, 2, …
    utc_ms trigger_utc{};              ///< when the schedule fired (meter's UTC)
    std::chrono::milliseconds start_offset{0};  ///< jitter: first byte leaves at trigger + offset
    codec::bytes wire;                 ///< exactly what goes on the line
    snapshot values;                   ///< ground truth that was encoded
    /// The resolutions and encodings `values` were encoded with: the meter's list options as
    /// the timeline (firmware events) had changed them at the trigger. Empty from sources
    /// that do not know (replay): the meter configuration's then.
    std::optional<list_options> encoding;
    std::optional<std::uint32_t> invocation_counter;  ///< when ciphered
    std::string fault;                 ///< injected fault name, empty when none
    std::string fault_rule;            ///< the rule that chose it, as text (name, parameters, selection)
    fault_effect effect;               ///< what the fault did (empty without a fault)
    std::vector<wire_pause> pauses;    ///< pauses inside the wire (timing faults), honoured by the pacer
    /// The line condition the push goes out under (line faults), honoured by a serial port.
    std::optional<line_condition> line;
    /// Timeline events in force for this frame (timeline.hpp), as spec texts.
    std::vector<std::string> events;
    /// Push slots since the previous emitted frame that the port did not carry (port cut,
    /// P1 data request released). Outage slots are not counted: the meter was off.
    std::uint64_t silenced_before = 0;
    /// Events that began or ended since the previous emitted frame (timeline_change), in
    /// timeline order; empty for most frames.
    std::vector<timeline_change> timeline;

    utc_ms send_utc() const { return trigger_utc + start_offset; }
};

class live_source;

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
    /// The source's live-control side (live_source.hpp), or null when it takes no changes
    /// while it runs (made without live control).
    virtual live_source* live() { return nullptr; }
};

}  // namespace hansim::meter
