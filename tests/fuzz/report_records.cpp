// Fuzz target for the report's record reader (http/record_reader.hpp), what `hansim report`
// reads: JSON lines of `hansim generate --format jsonl` or a Python bench, and captures of
// `hansim record` through the wire decoder. Any text in: never a crash, an exception or
// undefined behaviour. Checks its promises: every refused line says why, every accepted line
// is one frame of the report (the counts and the downsampled series add up), at most the
// report's buckets per meter, and the report becomes its HTML page (invalid UTF-8 included).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "hansim/capture/capture_file.hpp"
#include "hansim/http/record_reader.hpp"

using namespace hansim;

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

constexpr std::size_t buckets = 64;  // small, so merging is reached by short inputs

void check_report(const http::report_builder& report, std::uint64_t frames) {
    const auto data = report.to_json("fuzz");
    std::uint64_t counted = 0;
    for (const auto& meter : data["meters"]) {
        std::uint64_t in_series = 0;
        for (const auto& bucket : meter["series"]) in_series += bucket["frames"].get<std::uint64_t>();
        const auto& counts = meter["counts"];
        std::uint64_t by_outcome = 0;
        for (const auto& [key, value] : counts.items())  // every outcome, and the lateness figures
            if (key.find("lateness") == std::string::npos) by_outcome += value.get<std::uint64_t>();
        check(in_series == by_outcome);
        check(meter["series"].size() <= buckets);
        counted += by_outcome;
    }
    check(counted == frames);
    check(!http::page_html(&data).empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    // As JSON lines.
    http::report_builder lines_report(buckets, 16);
    http::jsonl_reader reader(lines_report, {});
    std::uint64_t accepted = 0;
    std::string_view rest = text;
    while (!rest.empty()) {
        const auto end = rest.find('\n');
        const auto line = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
        const auto before = reader.records();
        if (const auto problem = reader.add_line(line)) {
            check(!problem->empty() && reader.records() == before);
        } else if (reader.records() != before) {
            check(reader.records() == before + 1);
            ++accepted;
        }
    }
    check(reader.records() == accepted);
    check_report(lines_report, accepted);

    // As a capture (or an import capture::parse recognises), decoded.
    const auto parsed = capture::parse(text);
    meter::wire_decoder_options options;
    security::security_keys keys;
    for (std::size_t i = 0; i < 16; ++i) {
        keys.encryption_key[i] = static_cast<std::uint8_t>(i);
        keys.authentication_key[i] = static_cast<std::uint8_t>(0xD0 + i);
    }
    options.keys = keys;
    http::report_builder capture_report(buckets, 16);
    const auto frames = http::add_capture(parsed, "fuzz", options, capture_report);
    check_report(capture_report, frames);
    return 0;
}
