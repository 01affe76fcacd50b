#pragma once
/// @file
/// Reading a run's records into a report (`hansim report`): the JSON lines of `hansim generate
/// --format jsonl` (or a Python bench's records: the same plus outcome, lateness_ms and
/// bytes_written), and captures of `hansim record`, decoded by the wire decoder.
/// Records carry values as on the wire: HAN integers (PROTOCOLS.md §3, scaled here by the
/// profile's resolutions) and P1 numbers with their units (§7). A record's ground truth
/// (fault, fault_effect.description, events, silenced_before) becomes its marks through the
/// report builder's mark_tracker, as in the live view.
/// This is a parser of outside input: nothing here throws on bad input. A bad record is
/// refused with a message naming the field; a capture's undecodable bytes are marked.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "hansim/capture/capture_file.hpp"
#include "hansim/http/live_view.hpp"
#include "hansim/meter/list_options.hpp"
#include "hansim/meter/wire_decoder.hpp"

namespace hansim::http {

/// One record (a JSON object) -> a frame point in engineering units, or why not ("missing
/// \"send\"", "sequence: expected a non-negative integer").
struct record_point {
    std::optional<frame_point> point;
    std::string error;
};
record_point point_from_record(const json& record, const meter::list_options& resolutions);

/// JSON lines into a report: one meter per distinct "meter" name, in order of appearance.
class jsonl_reader {
public:
    jsonl_reader(report_builder& report, meter::list_options resolutions);

    /// Adds one line. Blank lines are skipped. Returns the problem (not JSON, a field missing
    /// or of the wrong type or range), or nullopt when the line was a record or blank.
    std::optional<std::string> add_line(std::string_view line);
    /// Records added so far.
    std::uint64_t records() const { return records_; }

private:
    report_builder& report_;
    meter::list_options resolutions_;
    std::map<std::string, std::size_t> meters_;
    std::uint64_t records_ = 0;
};

/// A capture (capture::parse) into a report as one meter named `name`: its data bytes through
/// the wire decoder, each decoded frame a record sent at the time its last bytes were read
/// (the record's wall time, else the capture's start plus its offset); decoder errors are
/// "fault" marks ("bad_fcs: ..."), capture events "event" marks. Returns the frames added.
std::uint64_t add_capture(const capture::capture& recording, const std::string& name,
                          meter::wire_decoder_options options, report_builder& report);

}  // namespace hansim::http
