#include "hansim/codec/axdr/length.hpp"

#include <stdexcept>
#include <string>
#include "../detail/text.hpp"

namespace hansim::codec::axdr {

namespace {

using detail::hex_byte;

/// Length bytes after the 0x8n prefix that `form` asks for (0 = the one-byte form).
std::size_t forced_width(length_form form) {
    switch (form) {
        case length_form::forced_81: return 1;
        case length_form::forced_82: return 2;
        case length_form::forced_83: return 3;
        case length_form::forced_84: return 4;
        case length_form::minimal: break;
    }
    return 0;
}

std::size_t minimal_width(std::size_t n) {
    if (n < 0x80) return 0;
    std::size_t width = 1;
    while (width < 8 && (n >> (8 * width)) != 0) ++width;
    return width;
}

length_form form_of_width(std::size_t width) {
    switch (width) {
        case 1: return length_form::forced_81;
        case 2: return length_form::forced_82;
        case 3: return length_form::forced_83;
        default: return length_form::forced_84;
    }
}


}  // namespace

std::size_t encoded_length_size(std::size_t n, length_form form) {
    if (n > max_length) throw std::length_error("A-XDR length " + std::to_string(n) + " exceeds 4 length bytes");
    const std::size_t needed = minimal_width(n);
    std::size_t width = needed;
    if (form != length_form::minimal) {
        width = forced_width(form);
        if (needed > width)
            throw std::length_error("A-XDR length " + std::to_string(n) + " does not fit the forced 0x8" +
                                    std::to_string(width) + " form");
    }
    return 1 + width;
}

void encode_length(bytes& out, std::size_t n, length_form form) {
    const std::size_t width = encoded_length_size(n, form) - 1;
    if (width == 0) {
        out.push_back(static_cast<std::uint8_t>(n));
        return;
    }
    out.push_back(static_cast<std::uint8_t>(0x80 | width));
    put_be(out, n, width);
}

result<std::optional<decoded_length>> decode_length(byte_view in, std::size_t base_offset) {
    if (in.empty()) return std::optional<decoded_length>{};
    const std::uint8_t first = in[0];
    if (first < 0x80) return std::optional<decoded_length>{decoded_length{first, 1, length_form::minimal}};
    const std::size_t width = first & 0x7F;
    if (width == 0)
        return decode_error{base_offset, "A-XDR: indefinite length form 0x80 at offset " +
                                             std::to_string(base_offset) + " is not allowed"};
    if (width > 4)
        return decode_error{base_offset, "A-XDR: length field " + hex_byte(first) + " at offset " +
                                             std::to_string(base_offset) + " announces " + std::to_string(width) +
                                             " length bytes (at most 4 supported)"};
    if (in.size() < 1 + width) return std::optional<decoded_length>{};
    const std::size_t value = static_cast<std::size_t>(get_be(in.subspan(1, width), width));
    const length_form form = minimal_width(value) == width ? length_form::minimal : form_of_width(width);
    return std::optional<decoded_length>{decoded_length{value, 1 + width, form}};
}

}  // namespace hansim::codec::axdr
