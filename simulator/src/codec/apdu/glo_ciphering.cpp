#include "hansim/codec/apdu/glo_ciphering.hpp"

#include <stdexcept>
#include <string>

#include "../detail/text.hpp"

namespace hansim::codec::apdu {

using detail::hex_byte;

bytes glo_envelope::to_bytes() const {
    if (tag != general_glo_ciphering_tag && tag != general_ded_ciphering_tag)
        throw std::invalid_argument("glo-ciphering: tag " + hex_byte(tag) + " is neither 0xDB nor 0xDC");
    if (system_title.size() > 127)
        throw std::invalid_argument("glo-ciphering: system title of " + std::to_string(system_title.size()) +
                                    " bytes exceeds 127");
    bytes out;
    out.reserve(3 + system_title.size() + 5 + content_length());
    out.push_back(tag);
    out.push_back(static_cast<std::uint8_t>(system_title.size()));
    out.insert(out.end(), system_title.begin(), system_title.end());
    axdr::encode_length(out, content_length(), length_form);
    out.push_back(security_control);
    put_be(out, invocation_counter, 4);
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

result<glo_envelope> glo_envelope::from_bytes(byte_view in, std::size_t base_offset) {
    const auto at = [&](std::size_t i) { return std::to_string(base_offset + i); };
    const auto cut_off = [&](std::string_view what, std::size_t offset) {
        return decode_error{base_offset + in.size(), "glo-ciphering: " + std::string(what) + " at offset " +
                                                         at(offset) + " is cut off by the end of the input at offset " +
                                                         at(in.size())};
    };
    if (in.empty()) return cut_off("tag", 0);
    if (in[0] != general_glo_ciphering_tag && in[0] != general_ded_ciphering_tag)
        return decode_error{base_offset, "glo-ciphering: tag " + hex_byte(in[0]) + " at offset " + at(0) +
                                             " (expected 0xDB or 0xDC)"};
    glo_envelope envelope;
    envelope.tag = in[0];
    if (in.size() < 2) return cut_off("system-title length", 1);
    const std::size_t title_size = in[1];
    if (title_size > 127)
        return decode_error{base_offset + 1, "glo-ciphering: system-title length " + hex_byte(in[1]) +
                                                 " at offset " + at(1) + " is not a one-byte length"};
    if (in.size() < 2 + title_size) return cut_off("system title", 2);
    envelope.system_title.assign(in.begin() + 2, in.begin() + 2 + static_cast<std::ptrdiff_t>(title_size));

    const std::size_t length_offset = 2 + title_size;
    auto length = axdr::decode_length(in.subspan(length_offset), base_offset + length_offset);
    if (!length) return length.error();
    if (!length.value()) return cut_off("ciphered-content length field", length_offset);
    envelope.length_form = length.value()->form;
    const std::size_t declared = length.value()->value;
    const std::size_t content_offset = length_offset + length.value()->consumed;
    const std::size_t present = in.size() - content_offset;
    if (declared != present)
        return decode_error{base_offset + length_offset,
                            "glo-ciphering: ciphered-content length field at offset " + at(length_offset) +
                                " declares " + std::to_string(declared) + " bytes but " + std::to_string(present) +
                                " follow"};
    if (declared < 5)
        return decode_error{base_offset + length_offset,
                            "glo-ciphering: ciphered-content length " + std::to_string(declared) + " at offset " +
                                at(length_offset) + " is too short for security control and invocation counter"};
    envelope.security_control = in[content_offset];
    envelope.invocation_counter = static_cast<std::uint32_t>(get_be(in.subspan(content_offset + 1, 4), 4));
    envelope.payload.assign(in.begin() + static_cast<std::ptrdiff_t>(content_offset + 5), in.end());
    return envelope;
}

}  // namespace hansim::codec::apdu
