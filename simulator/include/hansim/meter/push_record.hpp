#pragma once
/// @file
/// A push as a JSON ground-truth record (the `hansim generate --format jsonl` line and what a
/// bench log stores): which meter and list, when it was scheduled and sent, the bytes, and
/// the values that were encoded, keyed as on the wire.

#include "hansim/meter/meter_config.hpp"
#include "hansim/meter/push_frame.hpp"
#include "hansim/report/json.hpp"

namespace hansim::meter {

/// The values a push carries, keyed as on the wire:
/// - HAN lists: "list_version", then every object by its DLMS OBIS text ("1-1:1.7.0.255") with
///   the wire integer after scaling (e.g. 10 Wh units), strings for the GS1 id and meter
///   type, the ISO 8601 form of the COSEM date-time for the clock; plus "date_time" (APDU
///   header) — single-phase null placeholders are left out.
/// - P1: every data line by its P1 OBIS text ("1-0:1.8.0") with the value text as written
///   ("00123456.789*kWh"); lines with several groups give an array.
report::json push_values_json(const push_frame& frame, const meter_config& config);

/// {meter, list, sequence, scheduled, send, start_offset_ms, hex, values,
///  invocation_counter (null when plain), fault (null when none)}; times ISO 8601 UTC with
/// milliseconds when not whole seconds.
report::json push_record_json(const push_frame& frame, const meter_config& config);

}  // namespace hansim::meter
