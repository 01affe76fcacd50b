// Fuzz target for the incremental P1 parser. Feeds the input in chunks whose size depends
// on the input length and checks the parser's promises: memory stays bounded, every
// delivered telegram starts with '/' and ends with CR LF, and a telegram without issues
// re-emits to exactly the bytes it was parsed from.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <variant>

#include "hansim/codec/p1/parser.hpp"
#include "hansim/codec/p1/writer.hpp"

using namespace hansim::codec;

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

void check_frame(const p1::telegram_frame& frame) {
    check(frame.raw.size() >= 8 && frame.raw.front() == '/' && frame.raw[frame.raw.size() - 2] == '\r' &&
          frame.raw.back() == '\n');
    if (!frame.issues.empty()) return;
    check(p1::write_telegram(frame.content) == frame.raw);
    const auto again = p1::parse_telegram(frame.raw);
    const auto* same = std::get_if<p1::telegram_frame>(&again);
    check(same != nullptr && same->content == frame.content && same->issues.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const p1::parser_limits limits{1024};
    p1::parser parser(limits);
    const std::size_t chunk = 1 + size % 97;
    const byte_view input(data, size);
    for (std::size_t at = 0; at < size; at += chunk) {
        parser.feed(input.subspan(at, std::min(chunk, size - at)));
        for (;;) {
            auto result = parser.next();
            if (std::holds_alternative<p1::need_more>(result)) break;
            if (const auto* frame = std::get_if<p1::telegram_frame>(&result)) check_frame(*frame);
        }
        check(parser.bytes_buffered() <= limits.max_telegram_bytes + 5);
    }
    check(parser.bytes_fed() == size);
    return 0;
}
