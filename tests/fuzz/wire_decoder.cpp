// Fuzz target for the whole decoding pipeline behind `hansim decode`: deframing (HDLC, P1,
// raw glo), reassembly, APDUs, Kamstrup list recognition and, with keys, glo_unprotect and
// p1_unprotect. Invariant: the records do not depend on how the stream is split.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "hansim/meter/wire_decoder.hpp"

using namespace hansim;

namespace {

std::vector<std::string> decode(codec::byte_view data, std::size_t cut, bool with_keys) {
    meter::wire_decoder_options options;
    if (with_keys) {
        security::security_keys keys;
        for (std::size_t i = 0; i < 16; ++i) {
            keys.encryption_key[i] = static_cast<std::uint8_t>(i);
            keys.authentication_key[i] = static_cast<std::uint8_t>(0xD0 + i);
        }
        options.keys = keys;
    }
    meter::wire_decoder decoder(options);
    std::vector<std::string> out;
    decoder.feed(data.first(cut));
    for (const auto& r : decoder.drain()) out.push_back(r.dump());
    decoder.feed(data.subspan(cut));
    for (const auto& r : decoder.finish()) out.push_back(r.dump());
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const codec::byte_view input(data + 1, size - 1);
    const bool with_keys = data[0] & 1;
    const std::size_t cut = input.empty() ? 0 : (data[0] >> 1) % (input.size() + 1);
    if (decode(input, 0, with_keys) != decode(input, cut, with_keys)) std::abort();
    return 0;
}
