#include "hansim/codec/hdlc/frame.hpp"

#include <stdexcept>
#include <string>

#include "hansim/codec/crc.hpp"
#include "../detail/text.hpp"
#include "frame_check.hpp"

namespace hansim::codec::hdlc {

using codec::detail::hex_byte;
using codec::detail::hex_word;

void encode_address(bytes& out, const hdlc_address& address) {
    const unsigned width = address.width;
    if (width != 1 && width != 2 && width != 4)
        throw std::invalid_argument("HDLC address width " + std::to_string(width) + " (must be 1, 2 or 4)");
    if (width < 4 && address.value >= (1u << (7 * width)))
        throw std::invalid_argument("HDLC address " + std::to_string(address.value) + " does not fit " +
                                    std::to_string(width) + " byte(s)");
    for (unsigned i = width; i-- > 0;) {
        auto byte = static_cast<std::uint8_t>(((address.value >> (7 * i)) & 0x7F) << 1);
        if (i == 0) byte |= 0x01;
        out.push_back(byte);
    }
}

result<decoded_address> decode_address(byte_view in, std::size_t base_offset) {
    decoded_address decoded;
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        if (i >= in.size())
            return decode_error{base_offset + i, "HDLC: address at offset " + std::to_string(base_offset) +
                                                     " is cut off at offset " + std::to_string(base_offset + i)};
        value = (value << 7) | (in[i] >> 1);
        if ((in[i] & 0x01) != 0) {
            if (i == 2)
                return decode_error{base_offset, "HDLC: address at offset " + std::to_string(base_offset) +
                                                     " is 3 bytes long (must be 1, 2 or 4)"};
            decoded.address = hdlc_address{value, static_cast<std::uint8_t>(i + 1)};
            decoded.consumed = i + 1;
            return decoded;
        }
    }
    return decode_error{base_offset, "HDLC: address at offset " + std::to_string(base_offset) +
                                         " has no end marker (bit 0 set) within 4 bytes"};
}

void append_frame(bytes& out, const hdlc_address& destination, const hdlc_address& source, std::uint8_t control,
                  bool segmented, byte_view head, byte_view tail) {
    const std::size_t start = out.size();
    const std::size_t information = head.size() + tail.size();
    out.reserve(start + information + 20);
    out.push_back(flag);
    out.push_back(0);  // format, filled in below
    out.push_back(0);
    encode_address(out, destination);
    encode_address(out, source);
    out.push_back(control);
    const std::size_t header_size = out.size() - start - 1;  // format .. control
    const std::size_t length = header_size + (information == 0 ? 0 : 2 + information) + 2;
    if (length > max_frame_length) {
        out.resize(start);
        throw std::length_error("HDLC frame of " + std::to_string(length) + " bytes exceeds the 11-bit length field (" +
                                std::to_string(max_frame_length) + ")");
    }
    const auto format = static_cast<std::uint16_t>(0xA000 | (segmented ? 0x0800 : 0) | length);
    out[start + 1] = static_cast<std::uint8_t>(format >> 8);
    out[start + 2] = static_cast<std::uint8_t>(format & 0xFF);
    if (information != 0) {
        const std::uint16_t hcs = crc16_x25(byte_view(out).subspan(start + 1, header_size));
        out.push_back(static_cast<std::uint8_t>(hcs & 0xFF));
        out.push_back(static_cast<std::uint8_t>(hcs >> 8));
        out.insert(out.end(), head.begin(), head.end());
        out.insert(out.end(), tail.begin(), tail.end());
    }
    const std::uint16_t fcs = crc16_x25(byte_view(out).subspan(start + 1));
    out.push_back(static_cast<std::uint8_t>(fcs & 0xFF));
    out.push_back(static_cast<std::uint8_t>(fcs >> 8));
    out.push_back(flag);
}

bytes encode(const hdlc_frame& frame) {
    bytes out;
    append_frame(out, frame.destination, frame.source, frame.control, frame.segmented, frame.information);
    return out;
}

std::vector<bytes> encode_segmented(const hdlc_address& destination, const hdlc_address& source, std::uint8_t control,
                                    byte_view llc_pdu, std::size_t max_information) {
    if (max_information == 0) throw std::invalid_argument("HDLC segmentation: max_information must be at least 1");
    std::vector<bytes> frames;
    std::size_t pos = 0;
    do {
        const std::size_t size = std::min(max_information, llc_pdu.size() - pos);
        bytes frame;
        append_frame(frame, destination, source, control, pos + size < llc_pdu.size(), llc_pdu.subspan(pos, size));
        frames.push_back(std::move(frame));
        pos += size;
    } while (pos < llc_pdu.size());
    return frames;
}

namespace detail {

namespace {
std::uint16_t read_le16(byte_view in, std::size_t at) {
    return static_cast<std::uint16_t>(in[at] | (in[at + 1] << 8));
}
}  // namespace

frame_check check_frame(byte_view in, std::uint64_t stream_offset) {
    frame_check check;
    const auto where = [&](std::size_t i) { return std::to_string(stream_offset + i); };
    const std::string in_frame = " in frame at offset " + where(0);
    const auto broken = [&](std::string message) {
        check.status = check_status::broken;
        check.message = "HDLC: " + std::move(message);
        return check;
    };
    if (in.size() < 2) return check;  // need_more
    if ((in[1] >> 4) != 0xA) {
        check.status = check_status::not_a_frame;
        check.message = "HDLC: frame format byte " + hex_byte(in[1]) + " at offset " + where(1) + " is not type 3 (0xA.)";
        return check;
    }
    if (in.size() < 3) return check;
    const std::size_t length = ((in[1] & 0x07u) << 8) | in[2];
    check.frame.segmented = (in[1] & 0x08) != 0;
    check.length = length;

    // Addresses: walk by bit 0, but never beyond the bytes the length field covers.
    std::size_t pos = 3;
    for (hdlc_address* address : {&check.frame.destination, &check.frame.source}) {
        const std::size_t start = pos;
        std::uint32_t value = 0;
        for (;;) {
            if (pos > length) return broken("length " + std::to_string(length) + " is too short for the header" + in_frame);
            if (pos >= in.size()) return check;  // need_more
            value = (value << 7) | (in[pos] >> 1);
            const bool last = (in[pos] & 0x01) != 0;
            ++pos;
            if (last) break;
            if (pos - start >= 4) return broken("address at offset " + where(start) + " has no end marker within 4 bytes" + in_frame);
        }
        const std::size_t width = pos - start;
        if (width == 3) return broken("address at offset " + where(start) + " is 3 bytes long" + in_frame);
        *address = hdlc_address{value, static_cast<std::uint8_t>(width)};
    }
    if (pos >= in.size()) return check;
    check.frame.control = in[pos++];
    const std::size_t header_size = pos - 1;  // format .. control
    const bool has_information = length != header_size + 2;
    if (has_information && length < header_size + 2 + 2 + 1)
        return broken("length " + std::to_string(length) + " leaves no room for HCS, information and FCS" + in_frame);
    if (!has_information && length < header_size + 2)
        return broken("length " + std::to_string(length) + " is too short for the header" + in_frame);

    if (has_information) {
        if (in.size() < pos + 2) return check;
        const std::uint16_t expected = crc16_x25(in.subspan(1, header_size));
        const std::uint16_t got = read_le16(in, pos);
        if (got != expected) {
            // Judged once the whole declared frame is present: a bad HCS in a frame that
            // ends with a flag where its length says is a damaged frame, otherwise noise.
            check.message = "HDLC: HCS mismatch (got " + hex_word(got) + ", expected " + hex_word(expected) + ")" + in_frame;
            check.kind = error_kind::bad_hcs;
            if (in.size() < length + 2) return check;  // need_more (message says what failed so far)
            check.delimited = in[length + 1] == flag;
            check.status = check_status::broken;
            return check;
        }
        pos += 2;
        check.header_verified = true;
    }
    if (in.size() < length + 2) return check;  // need_more: indices 0 .. length+1
    check.delimited = in[length + 1] == flag;
    const std::uint16_t expected = crc16_x25(in.subspan(1, length - 2));
    const std::uint16_t got = read_le16(in, length - 1);
    if (!check.delimited) {
        check.kind = error_kind::truncated;
        return broken("frame does not end where its length field (" + std::to_string(length) + ") says: " +
                      hex_byte(in[length + 1]) + " at offset " + where(length + 1) +
                      " is no closing flag (cut short, or a wrong length)" + in_frame);
    }
    if (got != expected) {
        check.kind = error_kind::bad_fcs;
        return broken("FCS mismatch (got " + hex_word(got) + ", expected " + hex_word(expected) + ")" + in_frame);
    }
    if (has_information)
        check.frame.information.assign(in.begin() + static_cast<std::ptrdiff_t>(pos),
                                       in.begin() + static_cast<std::ptrdiff_t>(length - 1));
    check.status = check_status::ok;
    check.wire_size = length + 2;
    return check;
}

}  // namespace detail

result<hdlc_frame> decode_frame(byte_view in, std::size_t base_offset) {
    if (in.empty() || in[0] != flag)
        return decode_error{base_offset, "HDLC: no opening flag 0x7E at offset " + std::to_string(base_offset)};
    auto check = detail::check_frame(in, base_offset);
    switch (check.status) {
        case detail::check_status::ok:
            if (check.wire_size != in.size())
                return decode_error{base_offset + check.wire_size,
                                    "HDLC: " + std::to_string(in.size() - check.wire_size) +
                                        " bytes after the closing flag at offset " +
                                        std::to_string(base_offset + check.wire_size - 1)};
            return std::move(check.frame);
        case detail::check_status::need_more:
            if (!check.message.empty()) return decode_error{base_offset, std::move(check.message)};
            return decode_error{base_offset + in.size(), "HDLC: frame at offset " + std::to_string(base_offset) +
                                                             " is cut off by the end of the input at offset " +
                                                             std::to_string(base_offset + in.size())};
        default:
            return decode_error{base_offset, std::move(check.message)};
    }
}

}  // namespace hansim::codec::hdlc
