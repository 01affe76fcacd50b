// Fuzz target for `hansim decode --hex`: text a line at a time, '#' starts a comment, each
// line whole bytes (codec::from_hex), the bytes fed to the wire decoder. Checks from_hex
// against an independent reading: it accepts exactly the lines whose hex digit runs all have
// even length (separated by blanks), rejects everything else with std::invalid_argument, and
// returns the bytes the digits spell.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "hansim/codec/bytes.hpp"
#include "hansim/meter/wire_decoder.hpp"

using namespace hansim;

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

int digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// The independent reading: nullopt when the line is not whole hex bytes.
std::optional<codec::bytes> expected_bytes(std::string_view line) {
    codec::bytes out;
    int high = -1;
    for (const char c : line) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            if (high >= 0) return std::nullopt;
            continue;
        }
        const int v = digit(c);
        if (v < 0) return std::nullopt;
        if (high < 0) {
            high = v;
        } else {
            out.push_back(static_cast<std::uint8_t>(high * 16 + v));
            high = -1;
        }
    }
    if (high >= 0) return std::nullopt;
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    meter::wire_decoder decoder{meter::wire_decoder_options{}};
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        if (const auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
        const auto expected = expected_bytes(line);
        try {
            const auto bytes = codec::from_hex(line);
            check(expected && bytes == *expected);
            check(codec::from_hex(codec::to_hex(bytes)) == bytes);
            decoder.feed(bytes);
            (void)decoder.drain();
        } catch (const std::invalid_argument&) {
            check(!expected);
        }
        start = end + 1;
    }
    (void)decoder.finish();
    return 0;
}
