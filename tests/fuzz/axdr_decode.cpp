// Fuzz target for the A-XDR decoder: decoding never reads past the input, and whatever it
// accepts re-encodes to bytes that decode to the same value and re-encode identically.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "hansim/codec/axdr/codec.hpp"
#include "hansim/codec/axdr/length.hpp"

using namespace hansim::codec;

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const byte_view input(data, size);

    const auto length = axdr::decode_length(input);
    if (length.ok() && length.value()) {
        const auto& decoded = *length.value();
        check(decoded.consumed <= size);
        bytes again;
        axdr::encode_length(again, decoded.value, decoded.form);
        check(again.size() == decoded.consumed && std::equal(again.begin(), again.end(), data));
    }

    const auto result = axdr::decode(input, 100);
    if (!result.ok()) {
        check(!result.error().message.empty() && result.error().offset >= 100 && result.error().offset <= 100 + size);
        return 0;
    }
    check(result->consumed >= 1 && result->consumed <= size);
    const bytes encoded = axdr::encode(result->value);
    const auto reparsed = axdr::decode(encoded);
    check(reparsed.ok() && reparsed->consumed == encoded.size() && reparsed->value == result->value);
    check(axdr::encode(reparsed->value) == encoded);
    (void)result->value.to_string();
    return 0;
}
