#include "hansim/codec/p1/writer.hpp"

#include <stdexcept>

#include "hansim/codec/crc.hpp"

namespace hansim::codec::p1 {
namespace {

void check_free_of(std::string_view field, std::string_view forbidden, const std::string& where) {
    for (char c : field) {
        if (forbidden.find(c) == std::string_view::npos) continue;
        const std::string shown = c == '\r' ? "CR" : c == '\n' ? "LF" : std::string(1, c);
        throw std::invalid_argument("P1 writer: " + where + " contains '" + shown + "', which would break the telegram framing");
    }
}

std::string line_name(std::size_t index, const data_line& line) {
    return "line " + std::to_string(index + 1) + (line.obis.empty() ? std::string{} : " (" + line.obis + ")");
}

void append_value(std::string& out, const value& v, const std::string& where) {
    if (const auto* t = std::get_if<timestamp>(&v)) {
        if (!t->valid()) throw std::invalid_argument("P1 writer: " + where + " has an out-of-range timestamp " + t->to_text());
    } else if (const auto* s = std::get_if<text>(&v)) {
        check_free_of(s->content, std::string_view(")/!\r\n", 5), where + " text value");
    } else {
        const auto& n = std::get<number>(v);
        if (static_cast<std::size_t>(n.integer_digits) + n.decimals > number::max_digits)
            throw std::invalid_argument("P1 writer: " + where + " number has more than 18 digits");
        for (char c : n.unit)
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
                throw std::invalid_argument("P1 writer: " + where + " unit '" + n.unit + "' must be letters and digits only");
    }
    out += '(';
    out += to_text(v);
    out += ')';
}

}  // namespace

std::string format_fixed(std::int64_t scaled, unsigned integer_digits, unsigned decimals) {
    const bool negative = scaled < 0;
    std::uint64_t magnitude = negative ? static_cast<std::uint64_t>(-(scaled + 1)) + 1 : static_cast<std::uint64_t>(scaled);
    std::string digits;
    do {
        digits.insert(digits.begin(), static_cast<char>('0' + magnitude % 10));
        magnitude /= 10;
    } while (magnitude != 0);
    const std::size_t min_integer = integer_digits == 0 ? 1 : integer_digits;
    if (digits.size() < decimals + min_integer) digits.insert(0, decimals + min_integer - digits.size(), '0');
    if (decimals > 0) digits.insert(digits.size() - decimals, 1, '.');
    return negative ? "-" + digits : digits;
}

std::uint16_t telegram_crc(byte_view from_slash_to_bang) { return crc16_arc(from_slash_to_bang); }

std::string write_telegram_text(const telegram& t) {
    check_free_of(t.ident, std::string_view("/!\r\n", 4), "header ident");
    std::string out = "/" + t.ident + "\r\n\r\n";
    for (std::size_t i = 0; i < t.lines.size(); ++i) {
        const auto& line = t.lines[i];
        const std::string where = line_name(i, line);
        if (!line.obis.empty() && !parse_p1_obis(line.obis))
            throw std::invalid_argument("P1 writer: " + where + " has malformed OBIS text '" + line.obis + "'");
        if (line.values.empty()) throw std::invalid_argument("P1 writer: " + where + " has no value group");
        out += line.obis;
        for (const auto& v : line.values) append_value(out, v, where);
        out += "\r\n";
    }
    out += '!';
    const auto crc = telegram_crc({reinterpret_cast<const std::uint8_t*>(out.data()), out.size()});
    static constexpr char hex[] = "0123456789ABCDEF";
    for (int shift = 12; shift >= 0; shift -= 4) out += hex[(crc >> shift) & 0xF];
    out += "\r\n";
    return out;
}

bytes write_telegram(const telegram& t) {
    const auto text = write_telegram_text(t);
    return bytes(text.begin(), text.end());
}

}  // namespace hansim::codec::p1
