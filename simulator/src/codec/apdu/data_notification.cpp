#include "hansim/codec/apdu/data_notification.hpp"

#include <stdexcept>
#include <string>

#include "hansim/codec/axdr/codec.hpp"
#include "../detail/text.hpp"

namespace hansim::codec::apdu {

using detail::hex_byte;

namespace {
constexpr std::uint8_t octet_string_tag = 0x09;
constexpr std::uint8_t date_time_length = 0x0C;
}  // namespace

bytes data_notification::to_bytes() const {
    bytes out;
    out.push_back(data_notification_tag);
    put_be(out, long_invoke_id_and_priority, 4);
    if (dt_encoding == date_time_encoding::absent) {
        out.push_back(0x00);
    } else {
        if (!date_time)
            throw std::invalid_argument("data-notification: date-time encoding requires a date_time value");
        if (dt_encoding == date_time_encoding::legacy_09) out.push_back(octet_string_tag);
        out.push_back(date_time_length);
        const bytes dt = date_time->to_bytes();
        out.insert(out.end(), dt.begin(), dt.end());
    }
    axdr::encode(body, out);
    return out;
}

result<data_notification> data_notification::from_bytes(byte_view in, std::size_t base_offset) {
    const auto at = [&](std::size_t i) { return std::to_string(base_offset + i); };
    const auto cut_off = [&](std::string_view what, std::size_t offset) {
        return decode_error{base_offset + in.size(), "data-notification: " + std::string(what) + " at offset " +
                                                         at(offset) + " is cut off by the end of the APDU at offset " +
                                                         at(in.size())};
    };
    if (in.empty()) return cut_off("tag", 0);
    if (in[0] != data_notification_tag)
        return decode_error{base_offset, "data-notification: tag " + hex_byte(in[0]) + " at offset " + at(0) +
                                             " (expected 0x0F)"};
    if (in.size() < 5) return cut_off("long-invoke-id-and-priority", 1);

    data_notification apdu;
    apdu.long_invoke_id_and_priority = static_cast<std::uint32_t>(get_be(in.subspan(1, 4), 4));

    std::size_t pos = 5;
    if (pos >= in.size()) return cut_off("date-time field", pos);
    const std::size_t field_offset = pos;
    if (in[pos] == 0x00) {
        apdu.dt_encoding = date_time_encoding::absent;
        pos += 1;
    } else {
        if (in[pos] == octet_string_tag) {
            apdu.dt_encoding = date_time_encoding::legacy_09;
            ++pos;
            if (pos >= in.size()) return cut_off("date-time field", field_offset);
        } else {
            apdu.dt_encoding = date_time_encoding::standard;
        }
        if (in[pos] != date_time_length)
            return decode_error{base_offset + pos, "data-notification: date-time length " + hex_byte(in[pos]) +
                                                       " at offset " + at(pos) + " (expected 0x00 or 0x0C)"};
        ++pos;
        apdu.date_time = cosem_date_time::from_bytes(in.subspan(pos));
        if (!apdu.date_time) return cut_off("date-time", pos);
        pos += cosem_date_time::wire_size;
    }

    if (pos >= in.size()) return cut_off("notification body", pos);
    auto body = axdr::decode(in.subspan(pos), base_offset + pos);
    if (!body) return body.error();
    pos += body->consumed;
    if (pos != in.size())
        return decode_error{base_offset + pos, "data-notification: " + std::to_string(in.size() - pos) +
                                                   " unexpected bytes after the body at offset " + at(pos)};
    apdu.body = std::move(body)->value;
    return apdu;
}

}  // namespace hansim::codec::apdu
