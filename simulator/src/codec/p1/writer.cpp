#include "hansim/codec/p1/writer.hpp"

#include <algorithm>
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

bool free_of(std::string_view field, std::string_view forbidden) {
    for (char c : field)
        if (forbidden.find(c) != std::string_view::npos) return false;
    return true;
}

std::string line_name(std::size_t index, std::string_view obis) {
    return "line " + std::to_string(index + 1) + (obis.empty() ? std::string{} : " (" + std::string(obis) + ")");
}

bool alnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Checks one value group of line `index` (the message names the line; it is only made when a
// check fails).
void check_value(const value& v, std::size_t index, std::string_view obis) {
    if (const auto* t = std::get_if<timestamp>(&v)) {
        if (!t->valid())
            throw std::invalid_argument("P1 writer: " + line_name(index, obis) + " has an out-of-range timestamp " +
                                        t->to_text());
    } else if (const auto* s = std::get_if<text>(&v)) {
        if (!free_of(s->content, std::string_view(")/!\r\n", 5)))
            check_free_of(s->content, std::string_view(")/!\r\n", 5), line_name(index, obis) + " text value");
    } else {
        const auto& n = std::get<number>(v);
        if (static_cast<std::size_t>(n.integer_digits) + n.decimals > number::max_digits)
            throw std::invalid_argument("P1 writer: " + line_name(index, obis) + " number has more than 18 digits");
        for (char c : n.unit)
            if (!alnum(c))
                throw std::invalid_argument("P1 writer: " + line_name(index, obis) + " unit '" + n.unit +
                                            "' must be letters and digits only");
    }
}

// format_fixed() appended: the digits of `magnitude`, zero padded to integer_digits (at
// least 1) + decimals, the point before the last `decimals`.
void append_fixed(std::string& out, bool negative, std::uint64_t magnitude, unsigned integer_digits, unsigned decimals) {
    char digits[24];
    int n = 0;
    do {
        digits[n++] = static_cast<char>('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude != 0);
    const std::size_t min_integer = integer_digits == 0 ? 1 : integer_digits;
    std::size_t width = static_cast<std::size_t>(n);
    if (width < decimals + min_integer) width = decimals + min_integer;
    const std::size_t size = width + (decimals > 0 ? 1 : 0) + (negative ? 1 : 0);
    const std::size_t at = out.size();
    out.resize(at + size);
    char* p = out.data() + at;
    if (negative) *p++ = '-';
    for (std::size_t i = width; i-- > 0;) {  // most significant first
        if (decimals > 0 && i + 1 == decimals) *p++ = '.';
        *p++ = i < static_cast<std::size_t>(n) ? digits[i] : '0';
    }
}

}  // namespace

std::string format_fixed(std::int64_t scaled, unsigned integer_digits, unsigned decimals) {
    const bool negative = scaled < 0;
    const std::uint64_t magnitude =
        negative ? static_cast<std::uint64_t>(-(scaled + 1)) + 1 : static_cast<std::uint64_t>(scaled);
    std::string out;
    append_fixed(out, negative, magnitude, integer_digits, decimals);
    return out;
}

void append_value_text(std::string& out, const value& v) {
    if (const auto* n = std::get_if<number>(&v)) {
        // number::to_text(): the sign, then format_fixed() of the magnitude as an int64.
        if (n->negative) out += '-';
        const auto scaled = static_cast<std::int64_t>(n->magnitude);
        append_fixed(out, scaled < 0,
                     scaled < 0 ? static_cast<std::uint64_t>(-(scaled + 1)) + 1 : static_cast<std::uint64_t>(scaled),
                     n->integer_digits, n->decimals);
        if (!n->unit.empty()) {
            out += '*';
            out += n->unit;
        }
    } else if (const auto* t = std::get_if<timestamp>(&v)) {
        for (unsigned x : {unsigned{t->year}, unsigned{t->month}, unsigned{t->day}, unsigned{t->hour}, unsigned{t->minute},
                           unsigned{t->second}}) {
            out += static_cast<char>('0' + x / 10 % 10);
            out += static_cast<char>('0' + x % 10);
        }
        out += t->daylight_saving ? 'S' : 'W';
    } else {
        out += std::get<text>(v).content;
    }
}

std::uint16_t telegram_crc(byte_view from_slash_to_bang) { return crc16_arc(from_slash_to_bang); }

void append_telegram_header(std::string& out, std::string_view ident) {
    if (!free_of(ident, std::string_view("/!\r\n", 4))) check_free_of(ident, std::string_view("/!\r\n", 4), "header ident");
    out += '/';
    out += ident;
    out += "\r\n\r\n";
}

void append_telegram_line(std::string& out, std::size_t index, std::string_view obis, std::span<const value> values) {
    if (!obis.empty() && !parse_p1_obis(obis))
        throw std::invalid_argument("P1 writer: " + line_name(index, obis) + " has malformed OBIS text '" +
                                    std::string(obis) + "'");
    if (values.empty()) throw std::invalid_argument("P1 writer: " + line_name(index, obis) + " has no value group");
    out += obis;
    for (const auto& v : values) {
        check_value(v, index, obis);
        out += '(';
        append_value_text(out, v);
        out += ')';
    }
    out += "\r\n";
}

void append_number_line(std::string& out, std::size_t index, std::string_view obis, std::int64_t scaled,
                        unsigned integer_digits, unsigned decimals, std::string_view unit) {
    // make_number()'s rules, then append_telegram_line()'s checks of the number it makes.
    if (!obis.empty() && !parse_p1_obis(obis))
        throw std::invalid_argument("P1 writer: " + line_name(index, obis) + " has malformed OBIS text '" +
                                    std::string(obis) + "'");
    for (char c : unit)
        if (!alnum(c)) throw std::invalid_argument("P1 number unit '" + std::string(unit) + "' must be letters and digits only");
    const bool negative = scaled < 0;
    const std::uint64_t magnitude =
        negative ? static_cast<std::uint64_t>(-(scaled + 1)) + 1 : static_cast<std::uint64_t>(scaled);
    std::size_t digits = 1;
    for (auto m = magnitude; m >= 10; m /= 10) ++digits;
    const std::size_t needed_int = digits > decimals ? digits - decimals : 1;
    const std::size_t written_int = std::max<std::size_t>(needed_int, integer_digits == 0 ? 1 : integer_digits);
    if (written_int + decimals > number::max_digits)
        throw std::invalid_argument("P1 number " + std::to_string(scaled) + " needs more than 18 digits");
    out += obis;
    out += '(';
    append_fixed(out, negative, magnitude, static_cast<unsigned>(written_int), decimals);
    if (!unit.empty()) {
        out += '*';
        out += unit;
    }
    out += ")\r\n";
}

void append_telegram_end(std::string& out) {
    out += '!';
    const auto crc = telegram_crc({reinterpret_cast<const std::uint8_t*>(out.data()), out.size()});
    static constexpr char hex[] = "0123456789ABCDEF";
    for (int shift = 12; shift >= 0; shift -= 4) out += hex[(crc >> shift) & 0xF];
    out += "\r\n";
}

std::string write_telegram_text(const telegram& t) {
    std::string out;
    out.reserve(64 + 32 * t.lines.size());
    append_telegram_header(out, t.ident);
    for (std::size_t i = 0; i < t.lines.size(); ++i) append_telegram_line(out, i, t.lines[i].obis, t.lines[i].values);
    append_telegram_end(out);
    return out;
}

bytes write_telegram(const telegram& t) {
    const auto text = write_telegram_text(t);
    return bytes(text.begin(), text.end());
}

}  // namespace hansim::codec::p1
