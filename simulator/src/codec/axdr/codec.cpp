#include "hansim/codec/axdr/codec.hpp"

#include <string>

#include "hansim/codec/axdr/length.hpp"
#include "../detail/text.hpp"

namespace hansim::codec::axdr {

namespace {

using detail::hex_byte;

/// Contents size of the fixed-width types (no length field); 0 for the others.
std::size_t fixed_size(data_type type) {
    switch (type) {
        case data_type::boolean:
        case data_type::bcd:
        case data_type::integer:
        case data_type::unsigned_:
        case data_type::enum_:
            return 1;
        case data_type::long_:
        case data_type::long_unsigned:
            return 2;
        case data_type::double_long:
        case data_type::double_long_unsigned:
        case data_type::float32:
            return 4;
        case data_type::long64:
        case data_type::long64_unsigned:
        case data_type::float64:
            return 8;
        case data_type::date_time:
            return cosem_date_time::wire_size;
        case data_type::date:
            return 5;
        case data_type::time:
            return 4;
        default:
            return 0;
    }
}

void encode_into(const data& value, bytes& out) {
    const data_type type = value.type();
    out.push_back(static_cast<std::uint8_t>(type));
    switch (type) {
        case data_type::null_data:
            return;
        case data_type::array:
        case data_type::structure:
            encode_length(out, value.children().size());
            for (const auto& child : value.children()) encode_into(child, out);
            return;
        case data_type::bit_string:
            encode_length(out, value.bit_count());
            out.insert(out.end(), value.as_bytes().begin(), value.as_bytes().end());
            return;
        case data_type::octet_string:
            encode_length(out, value.as_bytes().size());
            out.insert(out.end(), value.as_bytes().begin(), value.as_bytes().end());
            return;
        case data_type::visible_string:
        case data_type::utf8_string:
            encode_length(out, value.as_string().size());
            out.insert(out.end(), value.as_string().begin(), value.as_string().end());
            return;
        case data_type::date:
        case data_type::time:
            out.insert(out.end(), value.as_bytes().begin(), value.as_bytes().end());
            return;
        case data_type::date_time: {
            const bytes dt = value.as_date_time().to_bytes();
            out.insert(out.end(), dt.begin(), dt.end());
            return;
        }
        case data_type::float32:
        case data_type::float64:
            put_be(out, value.float_bits(), fixed_size(type));
            return;
        case data_type::integer:
        case data_type::long_:
        case data_type::double_long:
        case data_type::long64:
        case data_type::bcd:
            // Two's complement: the low bytes of the sign-extended value.
            put_be(out, static_cast<std::uint64_t>(value.as_signed()), fixed_size(type));
            return;
        default:
            put_be(out, value.as_unsigned(), fixed_size(type));
            return;
    }
}


/// Recursive-descent reader over one input; `base` is added to every reported offset.
class reader {
public:
    reader(byte_view in, std::size_t base) : in_(in), base_(base) {}

    result<data> value(std::size_t depth) {
        const std::size_t tag_offset = pos_;
        if (pos_ >= in_.size()) return truncated("type tag", tag_offset, 1);
        const std::uint8_t tag = in_[pos_];
        if (!is_known_type(tag))
            return decode_error{at(tag_offset),
                                "A-XDR: unknown type tag " + hex_byte(tag) + " at offset " + where(tag_offset)};
        ++pos_;
        const auto type = static_cast<data_type>(tag);
        switch (type) {
            case data_type::null_data:
                return data::null();
            case data_type::array:
            case data_type::structure:
                return sequence(type, tag_offset, depth);
            case data_type::bit_string:
            case data_type::octet_string:
            case data_type::visible_string:
            case data_type::utf8_string:
                return variable(type, tag_offset);
            default:
                return fixed(type, tag_offset);
        }
    }

    std::size_t position() const { return pos_; }

private:
    std::size_t at(std::size_t offset) const { return base_ + offset; }
    std::string where(std::size_t offset) const { return std::to_string(at(offset)); }

    decode_error truncated(std::string_view what, std::size_t offset, std::size_t needed) const {
        return decode_error{at(in_.size()), "A-XDR: " + std::string(what) + " at offset " + where(offset) + " needs " +
                                                std::to_string(needed) + " bytes but the input ends at offset " +
                                                where(in_.size())};
    }

    /// Reads a length field for the value whose tag is at `tag_offset`.
    result<std::size_t> length(data_type type, std::size_t tag_offset) {
        auto decoded = decode_length(in_.subspan(pos_), at(pos_));
        if (!decoded) return decoded.error();
        if (!decoded.value())
            return decode_error{at(in_.size()), "A-XDR: length field of the " + std::string(type_name(type)) +
                                                    " at offset " + where(tag_offset) +
                                                    " is cut off by the end of the input at offset " +
                                                    where(in_.size())};
        pos_ += decoded.value()->consumed;
        return decoded.value()->value;
    }

    result<data> sequence(data_type type, std::size_t tag_offset, std::size_t depth) {
        if (depth >= max_nesting_depth)
            return decode_error{at(tag_offset), "A-XDR: " + std::string(type_name(type)) + " at offset " +
                                                    where(tag_offset) + " nests deeper than " +
                                                    std::to_string(max_nesting_depth) + " levels"};
        auto count = length(type, tag_offset);
        if (!count) return count.error();
        // Every element takes at least one byte: refuse counts the input cannot hold before
        // reserving memory for them.
        if (*count > in_.size() - pos_)
            return decode_error{at(in_.size()), "A-XDR: " + std::string(type_name(type)) + " at offset " +
                                                    where(tag_offset) + " declares " + std::to_string(*count) +
                                                    " elements but only " + std::to_string(in_.size() - pos_) +
                                                    " bytes remain"};
        std::vector<data> elements;
        elements.reserve(*count);
        for (std::size_t i = 0; i < *count; ++i) {
            auto element = value(depth + 1);
            if (!element) return element.error();
            elements.push_back(std::move(element).value());
        }
        return type == data_type::array ? data::array(std::move(elements)) : data::structure(std::move(elements));
    }

    result<data> variable(data_type type, std::size_t tag_offset) {
        auto declared = length(type, tag_offset);
        if (!declared) return declared.error();
        const std::size_t size = type == data_type::bit_string ? (*declared + 7) / 8 : *declared;
        if (size > in_.size() - pos_)
            return decode_error{at(in_.size()), "A-XDR: " + std::string(type_name(type)) + " of " +
                                                    std::to_string(size) + " bytes at offset " + where(tag_offset) +
                                                    " runs past the end of the input (" +
                                                    std::to_string(in_.size() - pos_) + " bytes left)"};
        const auto contents = in_.subspan(pos_, size);
        pos_ += size;
        switch (type) {
            case data_type::bit_string:
                return data::bit_string(bytes(contents.begin(), contents.end()), *declared);
            case data_type::octet_string:
                return data::octet_string(bytes(contents.begin(), contents.end()));
            case data_type::visible_string:
                return data::visible_string(std::string(contents.begin(), contents.end()));
            default:
                return data::utf8_string(std::string(contents.begin(), contents.end()));
        }
    }

    result<data> fixed(data_type type, std::size_t tag_offset) {
        const std::size_t size = fixed_size(type);
        if (size > in_.size() - pos_) return truncated(type_name(type), tag_offset, 1 + size);
        const auto contents = in_.subspan(pos_, size);
        pos_ += size;
        const std::uint64_t raw = type == data_type::date_time ? 0 : get_be(contents, size);
        switch (type) {
            case data_type::boolean: return data::boolean(raw != 0);
            case data_type::bcd: return data::bcd(static_cast<std::int8_t>(raw));
            case data_type::integer: return data::integer(static_cast<std::int8_t>(raw));
            case data_type::unsigned_: return data::unsigned_(static_cast<std::uint8_t>(raw));
            case data_type::enum_: return data::enum_(static_cast<std::uint8_t>(raw));
            case data_type::long_: return data::long_(static_cast<std::int16_t>(raw));
            case data_type::long_unsigned: return data::long_unsigned(static_cast<std::uint16_t>(raw));
            case data_type::double_long: return data::double_long(static_cast<std::int32_t>(raw));
            case data_type::double_long_unsigned: return data::double_long_unsigned(static_cast<std::uint32_t>(raw));
            case data_type::float32: return data::float32_bits(static_cast<std::uint32_t>(raw));
            case data_type::long64: return data::long64(static_cast<std::int64_t>(raw));
            case data_type::long64_unsigned: return data::long64_unsigned(raw);
            case data_type::float64: return data::float64_bits(raw);
            case data_type::date_time: return data::date_time(*cosem_date_time::from_bytes(contents));
            case data_type::date: {
                std::array<std::uint8_t, 5> date{};
                std::copy(contents.begin(), contents.end(), date.begin());
                return data::date(date);
            }
            default: {
                std::array<std::uint8_t, 4> time{};
                std::copy(contents.begin(), contents.end(), time.begin());
                return data::time(time);
            }
        }
    }

    byte_view in_;
    std::size_t base_;
    std::size_t pos_ = 0;
};

}  // namespace

void encode(const data& value, bytes& out) { encode_into(value, out); }

bytes encode(const data& value) {
    bytes out;
    encode_into(value, out);
    return out;
}

decode_result decode(byte_view in, std::size_t base_offset) {
    reader r(in, base_offset);
    auto value = r.value(0);
    if (!value) return value.error();
    return decoded{std::move(value).value(), r.position()};
}

}  // namespace hansim::codec::axdr
