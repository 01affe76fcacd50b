// Fuzz target for the timeline's text parsers (scenario/event_spec.hpp): the one-line event
// spec (`--event KIND[=ARGS]@WHEN[/FOR]`) and the CSV load series. The first byte picks the
// parser. Promises checked: only the documented exceptions come out (event_spec_error,
// scenario_error), an accepted spec re-parses from its canonical text to the same event,
// and an accepted CSV series has increasing times starting at 0.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "hansim/scenario/event_spec.hpp"
#include "hansim/scenario/scenario.hpp"

using namespace hansim;

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

void spec(std::string_view text) {
    meter::timeline_event e;
    try {
        e = scenario::parse_event_spec(text);
    } catch (const scenario::event_spec_error&) {
        return;
    }
    const meter::timeline_event again = scenario::parse_event_spec(e.text);
    check(again.text == e.text && again.kind == e.kind && again.after_start == e.after_start && again.at == e.at &&
          again.lasts == e.lasts && again.settings == e.settings);
}

void csv(std::string_view text) {
    try {
        const meter::load_series series = scenario::parse_load_csv(text, "fuzz.csv");
        check(!series.rows.empty() && series.rows.front().offset.count() == 0);
        for (std::size_t i = 1; i < series.rows.size(); ++i) check(series.rows[i - 1].offset < series.rows[i].offset);
    } catch (const scenario::scenario_error& e) {
        check(e.file() == "fuzz.csv");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    if (data[0] & 1) csv(text);
    else spec(text);
    return 0;
}
