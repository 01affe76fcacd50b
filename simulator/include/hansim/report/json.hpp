#pragma once
/// @file
/// JSON for the machine-readable output of `hansim decode`, `hansim generate --format jsonl`,
/// the run summaries and the records handed to Python: nlohmann::ordered_json (Debian's
/// nlohmann-json3), whose objects keep insertion order so output is stable and diffable.
/// hansim writes JSON; it never reads it back.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace hansim::report {

using json = nlohmann::ordered_json;

/// Compact single-line text (RFC 8259): control characters escaped, non-ASCII UTF-8 passed
/// through, and bytes that are not UTF-8 (a visible-string or P1 text from the wire may hold
/// anything) replaced by U+FFFD instead of throwing. Use this, not json::dump(), for any
/// record that may carry text from outside input.
std::string dump(const json& value);

/// The member `key` of an object; nullptr when absent or `value` is not an object.
const json* member(const json& value, std::string_view key);

}  // namespace hansim::report
