#include "hansim/codec/p1/writer.hpp"

#include <array>
#include <cstring>
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

// 10^0 … 10^19: every power of ten a uint64 holds.
constexpr auto powers_of_ten = [] {
    std::array<std::uint64_t, 20> p{};
    p[0] = 1;
    for (std::size_t i = 1; i < p.size(); ++i) p[i] = p[i - 1] * 10;
    return p;
}();

// The digits format_fixed() writes for `magnitude` (without sign and point): all of its
// digits, at least integer_digits (at least 1) + decimals.
std::size_t fixed_width(std::uint64_t magnitude, unsigned integer_digits, unsigned decimals) {
    std::size_t width = std::size_t{decimals} + (integer_digits == 0 ? 1 : integer_digits);
    while (width < powers_of_ten.size() && magnitude >= powers_of_ten[width]) ++width;  // wider than the layout
    return width;
}

// "00" "01" … "99": two digits a step.
constexpr auto digit_pairs = [] {
    std::array<char, 200> p{};
    for (std::size_t i = 0; i < 100; ++i) {
        p[2 * i] = static_cast<char>('0' + i / 10);
        p[2 * i + 1] = static_cast<char>('0' + i % 10);
    }
    return p;
}();

// Writes the last `count` digits of `v` backwards so that they end just before `end`, and
// takes them off `v`; returns where they start. The place is filled with '0' beforehand:
// the zero padding is left as it is.
char* put_digits_backwards(char* end, std::uint64_t& v, std::size_t count) {
    char* const start = end - count;
    for (; count >= 2 && v != 0; count -= 2) {
        const auto pair = static_cast<std::size_t>(v % 100);
        v /= 100;
        end -= 2;
        std::memcpy(end, &digit_pairs[2 * pair], 2);
    }
    if (count == 1 && v != 0) {
        end[-1] = static_cast<char>('0' + v % 10);
        v /= 10;
    }
    return start;
}

// Writes `width` digits of `magnitude`, the point before the last `decimals`, backwards so
// that they end just before `end`, over '0's (put_digits_backwards()).
void put_fixed_backwards(char* end, std::uint64_t magnitude, std::size_t width, unsigned decimals) {
    end = put_digits_backwards(end, magnitude, decimals);
    if (decimals > 0) *--end = '.';
    put_digits_backwards(end, magnitude, width - decimals);
}

std::size_t fixed_size(bool negative, std::size_t width, unsigned decimals) {
    return (negative ? 1 : 0) + width + (decimals > 0 ? 1 : 0);
}

std::uint64_t magnitude_of(std::int64_t scaled) {
    return scaled < 0 ? static_cast<std::uint64_t>(-(scaled + 1)) + 1 : static_cast<std::uint64_t>(scaled);
}

// format_fixed() appended (any width: format_fixed has no digit limit).
void append_fixed(std::string& out, bool negative, std::uint64_t magnitude, unsigned integer_digits, unsigned decimals) {
    const std::size_t width = fixed_width(magnitude, integer_digits, decimals);
    const std::size_t at = out.size();
    out.append(fixed_size(negative, width, decimals), '0');
    if (negative) out[at] = '-';
    put_fixed_backwards(out.data() + out.size(), magnitude, width, decimals);
}

}  // namespace

std::string format_fixed(std::int64_t scaled, unsigned integer_digits, unsigned decimals) {
    std::string out;
    append_fixed(out, scaled < 0, magnitude_of(scaled), integer_digits, decimals);
    return out;
}

char* write_number(char* at, std::int64_t scaled, unsigned integer_digits, unsigned decimals) {
    const std::uint64_t magnitude = magnitude_of(scaled);
    const std::size_t width = fixed_width(magnitude, integer_digits, decimals);
    if (width > number::max_digits) return nullptr;
    char* const end = at + fixed_size(scaled < 0, width, decimals);
    std::memset(at, '0', max_number_size);  // the padding (and what comes after: scratch)
    if (scaled < 0) *at = '-';
    put_fixed_backwards(end, magnitude, width, decimals);
    return end;
}

char* write_timestamp(char* at, const timestamp& t) {
    for (unsigned x : {unsigned{t.year}, unsigned{t.month}, unsigned{t.day}, unsigned{t.hour}, unsigned{t.minute},
                       unsigned{t.second}}) {
        *at++ = static_cast<char>('0' + x / 10 % 10);
        *at++ = static_cast<char>('0' + x % 10);
    }
    *at++ = t.daylight_saving ? 'S' : 'W';
    return at;
}

void append_value_text(std::string& out, const value& v) {
    if (const auto* n = std::get_if<number>(&v)) {
        // number::to_text(): the sign, then format_fixed() of the magnitude as an int64.
        if (n->negative) out += '-';
        const auto scaled = static_cast<std::int64_t>(n->magnitude);
        append_fixed(out, scaled < 0, magnitude_of(scaled), n->integer_digits, n->decimals);
        if (!n->unit.empty()) {
            out += '*';
            out += n->unit;
        }
    } else if (const auto* t = std::get_if<timestamp>(&v)) {
        char chars[timestamp_size];
        write_timestamp(chars, *t);
        out.append(chars, timestamp_size);
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
    char digits[max_number_size];
    const char* const end = write_number(digits, scaled, integer_digits, decimals);
    if (end == nullptr) throw std::invalid_argument("P1 number " + std::to_string(scaled) + " needs more than 18 digits");
    out += obis;
    out += '(';
    out.append(digits, static_cast<std::size_t>(end - digits));
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
