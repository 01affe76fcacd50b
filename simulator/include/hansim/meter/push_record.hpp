#pragma once
/// @file
/// A push as a JSON ground-truth record (the `hansim generate --format jsonl` line and what a
/// bench log stores): which meter and list, when it was scheduled and sent, the bytes, and
/// the values that were encoded, keyed as on the wire.

#include <string>

#include "hansim/meter/meter_config.hpp"
#include "hansim/meter/push_frame.hpp"
#include "hansim/report/json.hpp"

namespace hansim::meter {

/// The values a push carries, exactly as `hansim decode` (wire_decoder) reports them for the
/// same bytes, so a generated record and a decoded frame compare equal:
/// - HAN lists: OBIS text ("1-1:1.7.0.255") -> the wire integer (unscaled, e.g. 10 Wh
///   units), strings as text, the clock as ISO 8601;
///   in the encoding the push was made with (push_frame.encoding: a firmware event may have
///   changed the meter's resolutions);
/// - P1: OBIS text ("1-0:1.8.0") -> {"value", "unit"} for numbers, {"time", "dst"} for the
///   timestamp; lines with several groups give an array.
report::json push_values_json(const push_frame& frame, const meter_config& config);

/// {meter, list, sequence, scheduled, send, start_offset_ms, hex, values, clock,
///  invocation_counter (null when plain), fault (null when none), events (the timeline
///  events in force, timeline.hpp), silenced_before (slots the port did not carry), and,
///  only in a frame after an event began or ended, timeline [{event, kind, at, until (with
///  `for`)}]: those events with their exact times (push_frame.timeline; an outage, which has
///  no frame of its own, is here in the first frame after it)}; times
/// ISO 8601 UTC with milliseconds when not whole seconds. `clock` is the meter's wall clock
/// as the date-time on the wire carries it (PROTOCOLS.md 2.2): {local, dst (status bit 7),
/// deviation_minutes (null: 0x8000, not specified), status (the byte)}. It tells apart the
/// two 02:00:05 list-2 frames of an autumn DST night, whose values are otherwise identical.
/// With a fault, `fault_effect` says what it did:
/// {rule, description, changed (wire offsets), cut_at, pauses [{offset, ms}], pieces
/// [{offset, length, reject, why}], line (line faults only: {condition: parity, baud or break,
/// baud, break_ms}: what the serial port switched for this push)}: the frames and noise a correct reader finds in `hex`,
/// in order, and which of them it must reject. `values` already carry the fault's changes.
report::json push_record_json(const push_frame& frame, const meter_config& config);

/// Appends report::dump(push_record_json(frame, config)), the same bytes, written directly
/// as text without building the JSON tree (the `hansim generate --format jsonl` path, a
/// record per frame). Frames with a fault or timeline changes take the tree path.
void append_push_record_text(std::string& out, const push_frame& frame, const meter_config& config);

}  // namespace hansim::meter
