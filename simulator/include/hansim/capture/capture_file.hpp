#pragma once
/// @file
/// The capture format: what `hansim record` writes and `hansim replay` / `hansim decode`
/// read, documented in simulator/docs/CAPTURE.md (examples in tests/data/captures). Text,
/// one record a line, versioned:
///
///     hansim-capture 1
///     recorded-by hansim 0.1.0 record
///     port pty:/tmp/ttyHAN0
///     line 2400:8N1
///     start 2024-01-15T12:00:00.000000Z
///     event +0.000000000 2024-01-15T12:00:00.000000Z opened pty:/tmp/ttyHAN0
///     data +0.950123456 2024-01-15T12:00:00.950123Z 7EA0E22B2113239AE6E7000F...
///
/// The parser also imports what users already have (detected from the first line that is not
/// blank or a # comment): hex dumps like tests/data (one chunk a line, no times), logs of
/// `+SECONDS HEX` lines, and `hansim generate --format jsonl` output.
///
/// No I/O: text in, records and problems (each with its line) out. parse() never throws on
/// bad input; a bad line is reported and left out, so the caller decides whether what is
/// valid may be used (`--skip-bad`).

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hansim/codec/bytes.hpp"

namespace hansim::capture {

inline constexpr std::string_view magic = "hansim-capture";
inline constexpr int format_version = 1;

using wall_time = std::chrono::sys_time<std::chrono::microseconds>;

/// Where the records came from.
enum class source_format {
    capture,    ///< the hansim capture format
    hex_dump,   ///< hex lines without times (tests/data/*.hex): one chunk a line
    timed_hex,  ///< `+SECONDS HEX` lines
    jsonl,      ///< `hansim generate --format jsonl`: "send" time and "hex" bytes per line
};

std::string_view to_string(source_format format);

struct header {
    int version = format_version;
    std::string recorded_by;  ///< who recorded ("hansim 0.1.0 record"), free text
    std::string port;         ///< the port spec it was recorded from
    std::string line;         ///< line settings as BAUD:DPS ("2400:8N1"); empty when unknown
    std::size_t line_at = 0;  ///< the text line `line` was read from (0: none), for errors
    std::optional<wall_time> start;  ///< wall-clock time of offset 0
};

enum class record_kind {
    data,   ///< bytes that arrived
    event,  ///< opened, closed, note, ...: `event` names it, `text` says more
};

struct record {
    record_kind kind = record_kind::data;
    std::chrono::nanoseconds offset{0};  ///< monotonic time since the start (never decreasing)
    std::optional<wall_time> wall;       ///< wall-clock time when it was read
    codec::bytes bytes;                  ///< data records
    std::string event;                   ///< event records: one word
    std::string text;                    ///< event records: the rest of the line
    std::size_t line = 0;                ///< 1-based line in the text
};

/// A line that could not be used, and why. `line` is 1-based.
struct problem {
    std::size_t line = 0;
    std::string message;
};

struct capture {
    source_format format = source_format::capture;
    header head;
    std::vector<record> records;    ///< the valid records, in order
    std::vector<problem> problems;  ///< empty when every line was valid
};

struct parse_options {
    /// Time between the lines of a hex dump, which carries no times of its own.
    std::chrono::nanoseconds untimed_gap = std::chrono::seconds(10);
};

/// Parses any of the source formats (see file comment). Never throws on bad input.
capture parse(std::string_view text, const parse_options& options = {});

// ---- writing (what the recorder emits, one string per line, each ending in '\n') ----

/// The header lines, starting with `hansim-capture 1`.
std::string format_header(const header& head);
/// `data +S.NNNNNNNNN WALL HEX`
std::string format_data(std::chrono::nanoseconds offset, wall_time wall, codec::byte_view bytes);
/// `event +S.NNNNNNNNN WALL NAME [TEXT]`; line breaks in `text` become spaces.
std::string format_event(std::chrono::nanoseconds offset, wall_time wall, std::string_view event,
                         std::string_view text);
/// ISO 8601 UTC with microseconds: 2024-01-15T12:00:00.000000Z
std::string format_wall(wall_time wall);
/// Parses what format_wall writes (fraction optional, 0..9 digits; Z required).
std::optional<wall_time> parse_wall(std::string_view text);

}  // namespace hansim::capture
