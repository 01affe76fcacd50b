#include "hansim/codec/apdu/llc.hpp"

#include <algorithm>
#include <string>

#include "../detail/text.hpp"

namespace hansim::codec::apdu {

using detail::hex_byte;

bytes wrap_llc(byte_view apdu) {
    // Sized once and filled: one allocation, and no vector::insert (whose regrowth path GCC 12
    // misreads as an out-of-bounds copy under -O2).
    bytes out(llc_response_header.size() + apdu.size());
    const auto body = std::copy(llc_response_header.begin(), llc_response_header.end(), out.begin());
    std::copy(apdu.begin(), apdu.end(), body);
    return out;
}

result<byte_view> strip_llc(byte_view in, std::size_t base_offset) {
    const auto at = [&](std::size_t i) { return std::to_string(base_offset + i); };
    if (in.size() < llc_response_header.size())
        return decode_error{base_offset + in.size(), "LLC: header needs 3 bytes at offset " + at(0) + " but only " +
                                                         std::to_string(in.size()) + " are present"};
    if (in[0] != 0xE6)
        return decode_error{base_offset, "LLC: destination LSAP " + hex_byte(in[0]) + " at offset " + at(0) +
                                             " (expected 0xE6)"};
    if (in[1] != 0xE7 && in[1] != 0xE6)
        return decode_error{base_offset + 1, "LLC: source LSAP " + hex_byte(in[1]) + " at offset " + at(1) +
                                                 " (expected 0xE7 or 0xE6)"};
    if (in[2] != 0x00)
        return decode_error{base_offset + 2, "LLC: quality byte " + hex_byte(in[2]) + " at offset " + at(2) +
                                                 " (expected 0x00)"};
    return in.subspan(llc_response_header.size());
}

}  // namespace hansim::codec::apdu
