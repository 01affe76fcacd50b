#include "hansim/codec/axdr/data.hpp"

#include <bit>
#include <stdexcept>

namespace hansim::codec::axdr {

bool is_known_type(std::uint8_t tag) noexcept {
    switch (static_cast<data_type>(tag)) {
        case data_type::null_data:
        case data_type::array:
        case data_type::structure:
        case data_type::boolean:
        case data_type::bit_string:
        case data_type::double_long:
        case data_type::double_long_unsigned:
        case data_type::octet_string:
        case data_type::visible_string:
        case data_type::utf8_string:
        case data_type::bcd:
        case data_type::integer:
        case data_type::long_:
        case data_type::unsigned_:
        case data_type::long_unsigned:
        case data_type::long64:
        case data_type::long64_unsigned:
        case data_type::enum_:
        case data_type::float32:
        case data_type::float64:
        case data_type::date_time:
        case data_type::date:
        case data_type::time:
            return true;
    }
    return false;
}

std::string_view type_name(data_type type) noexcept {
    switch (type) {
        case data_type::null_data: return "null-data";
        case data_type::array: return "array";
        case data_type::structure: return "structure";
        case data_type::boolean: return "boolean";
        case data_type::bit_string: return "bit-string";
        case data_type::double_long: return "double-long";
        case data_type::double_long_unsigned: return "double-long-unsigned";
        case data_type::octet_string: return "octet-string";
        case data_type::visible_string: return "visible-string";
        case data_type::utf8_string: return "utf8-string";
        case data_type::bcd: return "bcd";
        case data_type::integer: return "integer";
        case data_type::long_: return "long";
        case data_type::unsigned_: return "unsigned";
        case data_type::long_unsigned: return "long-unsigned";
        case data_type::long64: return "long64";
        case data_type::long64_unsigned: return "long64-unsigned";
        case data_type::enum_: return "enum";
        case data_type::float32: return "float32";
        case data_type::float64: return "float64";
        case data_type::date_time: return "date-time";
        case data_type::date: return "date";
        case data_type::time: return "time";
    }
    return "unknown";
}

data::data(data_type type, storage value, std::size_t bit_count)
    : type_(type), value_(std::move(value)), bit_count_(bit_count) {}

data data::null() { return {}; }
data data::array(std::vector<data> elements) { return {data_type::array, std::move(elements)}; }
data data::structure(std::vector<data> elements) { return {data_type::structure, std::move(elements)}; }
data data::boolean(bool value) { return {data_type::boolean, std::uint64_t{value ? 1u : 0u}}; }

data data::bit_string(bytes bits, std::size_t bit_count) {
    if (bits.size() != (bit_count + 7) / 8)
        throw std::invalid_argument("A-XDR bit-string of " + std::to_string(bit_count) + " bits needs " +
                                    std::to_string((bit_count + 7) / 8) + " bytes, got " +
                                    std::to_string(bits.size()));
    return {data_type::bit_string, std::move(bits), bit_count};
}

data data::double_long(std::int32_t value) { return {data_type::double_long, std::int64_t{value}}; }
data data::double_long_unsigned(std::uint32_t value) { return {data_type::double_long_unsigned, std::uint64_t{value}}; }
data data::octet_string(bytes value) { return {data_type::octet_string, std::move(value)}; }
data data::visible_string(std::string value) { return {data_type::visible_string, std::move(value)}; }
data data::utf8_string(std::string value) { return {data_type::utf8_string, std::move(value)}; }
data data::bcd(std::int8_t value) { return {data_type::bcd, std::int64_t{value}}; }
data data::integer(std::int8_t value) { return {data_type::integer, std::int64_t{value}}; }
data data::long_(std::int16_t value) { return {data_type::long_, std::int64_t{value}}; }
data data::unsigned_(std::uint8_t value) { return {data_type::unsigned_, std::uint64_t{value}}; }
data data::long_unsigned(std::uint16_t value) { return {data_type::long_unsigned, std::uint64_t{value}}; }
data data::long64(std::int64_t value) { return {data_type::long64, value}; }
data data::long64_unsigned(std::uint64_t value) { return {data_type::long64_unsigned, value}; }
data data::enum_(std::uint8_t value) { return {data_type::enum_, std::uint64_t{value}}; }
data data::float32(float value) { return {data_type::float32, std::uint64_t{std::bit_cast<std::uint32_t>(value)}}; }
data data::float64(double value) { return {data_type::float64, std::bit_cast<std::uint64_t>(value)}; }
data data::float32_bits(std::uint32_t bits) { return {data_type::float32, std::uint64_t{bits}}; }
data data::float64_bits(std::uint64_t bits) { return {data_type::float64, bits}; }
data data::date_time(const cosem_date_time& value) { return {data_type::date_time, value}; }
data data::date(std::array<std::uint8_t, 5> value) { return {data_type::date, bytes(value.begin(), value.end())}; }
data data::time(std::array<std::uint8_t, 4> value) { return {data_type::time, bytes(value.begin(), value.end())}; }

namespace {

/// Printable ASCII as is, quotes and backslashes escaped, everything else as \xNN.
std::string quoted(const std::string& text) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out = "\"";
    for (const char c : text) {
        const auto b = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (b >= 0x20 && b < 0x7F) {
            out += c;
        } else {
            out += "\\x";
            out += digits[b >> 4];
            out += digits[b & 0x0F];
        }
    }
    return out + "\"";
}

[[noreturn]] void wrong_type(std::string_view accessor, data_type actual) {
    throw std::logic_error("A-XDR data: " + std::string(accessor) + " called on a " + std::string(type_name(actual)) +
                           " value");
}

}  // namespace

std::uint64_t data::as_unsigned() const {
    switch (type_) {
        case data_type::boolean:
        case data_type::unsigned_:
        case data_type::long_unsigned:
        case data_type::double_long_unsigned:
        case data_type::long64_unsigned:
        case data_type::enum_:
            return std::get<std::uint64_t>(value_);
        default:
            wrong_type("as_unsigned()", type_);
    }
}

std::int64_t data::as_signed() const {
    switch (type_) {
        case data_type::integer:
        case data_type::long_:
        case data_type::double_long:
        case data_type::long64:
        case data_type::bcd:
            return std::get<std::int64_t>(value_);
        default:
            wrong_type("as_signed()", type_);
    }
}

bool data::as_bool() const {
    if (type_ != data_type::boolean) wrong_type("as_bool()", type_);
    return std::get<std::uint64_t>(value_) != 0;
}

double data::as_double() const {
    if (type_ == data_type::float32)
        return std::bit_cast<float>(static_cast<std::uint32_t>(std::get<std::uint64_t>(value_)));
    if (type_ == data_type::float64) return std::bit_cast<double>(std::get<std::uint64_t>(value_));
    wrong_type("as_double()", type_);
}

std::uint64_t data::float_bits() const {
    if (type_ != data_type::float32 && type_ != data_type::float64) wrong_type("float_bits()", type_);
    return std::get<std::uint64_t>(value_);
}

const bytes& data::as_bytes() const {
    switch (type_) {
        case data_type::octet_string:
        case data_type::bit_string:
        case data_type::date:
        case data_type::time:
            return std::get<bytes>(value_);
        default:
            wrong_type("as_bytes()", type_);
    }
}

const std::string& data::as_string() const {
    if (type_ != data_type::visible_string && type_ != data_type::utf8_string) wrong_type("as_string()", type_);
    return std::get<std::string>(value_);
}

const cosem_date_time& data::as_date_time() const {
    if (type_ != data_type::date_time) wrong_type("as_date_time()", type_);
    return std::get<cosem_date_time>(value_);
}

const std::vector<data>& data::children() const {
    if (type_ != data_type::array && type_ != data_type::structure) wrong_type("children()", type_);
    return std::get<std::vector<data>>(value_);
}

std::size_t data::bit_count() const {
    if (type_ != data_type::bit_string) wrong_type("bit_count()", type_);
    return bit_count_;
}

std::string data::to_string() const {
    std::string text(type_name(type_));
    switch (type_) {
        case data_type::null_data:
            return text;
        case data_type::array:
        case data_type::structure: {
            const auto& elements = children();
            text += "[" + std::to_string(elements.size()) + "]{";
            for (std::size_t i = 0; i < elements.size(); ++i) {
                if (i != 0) text += ", ";
                text += elements[i].to_string();
            }
            return text + "}";
        }
        case data_type::boolean:
            return text + (as_bool() ? "(true)" : "(false)");
        case data_type::bit_string:
            return text + "(" + std::to_string(bit_count_) + " bits " + to_hex(as_bytes()) + ")";
        case data_type::octet_string:
        case data_type::date:
        case data_type::time:
            return text + "(" + to_hex(as_bytes()) + ")";
        case data_type::visible_string:
        case data_type::utf8_string:
            return text + "(" + quoted(as_string()) + ")";
        case data_type::float32:
        case data_type::float64:
            return text + "(" + std::to_string(as_double()) + ")";
        case data_type::date_time:
            return text + "(" + as_date_time().to_iso8601() + ")";
        case data_type::integer:
        case data_type::long_:
        case data_type::double_long:
        case data_type::long64:
        case data_type::bcd:
            return text + "(" + std::to_string(as_signed()) + ")";
        default:
            return text + "(" + std::to_string(as_unsigned()) + ")";
    }
}

}  // namespace hansim::codec::axdr
