// Fuzz target for the capture-file parser (hansim/capture/capture_file.hpp): any text in,
// never a crash or an exception. Checks its promises: records keep their line order and
// never go back in time, every problem names a line of the input, and the records of a
// capture-format file written out again parse back to the same records.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "hansim/capture/capture_file.hpp"

using namespace hansim::capture;

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto parsed = parse(text);
    std::size_t lines = 1;
    for (const char c : text) lines += c == '\n';
    for (const auto& p : parsed.problems) check(p.line >= 1 && p.line <= lines && !p.message.empty());
    for (std::size_t i = 0; i < parsed.records.size(); ++i) {
        const auto& r = parsed.records[i];
        check(r.line >= 1 && r.line <= lines);
        if (i == 0) continue;
        check(r.offset >= parsed.records[i - 1].offset);
        check(r.line > parsed.records[i - 1].line);
    }
    if (parsed.format != source_format::capture || parsed.records.empty()) return 0;
    std::string again = format_header(header{});
    for (const auto& r : parsed.records) {
        const auto wall = r.wall.value_or(wall_time{});
        again += r.kind == record_kind::data ? format_data(r.offset, wall, r.bytes)
                                             : format_event(r.offset, wall, r.event, r.text);
    }
    const auto reparsed = parse(again);
    check(reparsed.problems.empty() && reparsed.records.size() == parsed.records.size());
    for (std::size_t i = 0; i < parsed.records.size(); ++i) {
        const auto& a = parsed.records[i];
        const auto& b = reparsed.records[i];
        check(a.kind == b.kind && a.offset == b.offset && a.bytes == b.bytes && a.event == b.event);
    }
    return 0;
}
