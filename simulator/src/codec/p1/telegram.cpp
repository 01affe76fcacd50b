#include "hansim/codec/p1/telegram.hpp"

#include <algorithm>
#include <stdexcept>

#include "hansim/codec/p1/writer.hpp"

namespace hansim::codec::p1 {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool all_alnum(std::string_view s) {
    for (char c : s)
        if (!is_alnum(c)) return false;
    return true;
}

unsigned two_digits(std::string_view s, std::size_t at) {
    return static_cast<unsigned>((s[at] - '0') * 10 + (s[at + 1] - '0'));
}

std::optional<timestamp> parse_timestamp(std::string_view s) {
    if (s.size() != 13 || (s[12] != 'W' && s[12] != 'S')) return std::nullopt;
    for (std::size_t i = 0; i < 12; ++i)
        if (!is_digit(s[i])) return std::nullopt;
    timestamp t;
    t.year = static_cast<std::uint8_t>(two_digits(s, 0));
    t.month = static_cast<std::uint8_t>(two_digits(s, 2));
    t.day = static_cast<std::uint8_t>(two_digits(s, 4));
    t.hour = static_cast<std::uint8_t>(two_digits(s, 6));
    t.minute = static_cast<std::uint8_t>(two_digits(s, 8));
    t.second = static_cast<std::uint8_t>(two_digits(s, 10));
    t.daylight_saving = s[12] == 'S';
    if (!t.valid()) return std::nullopt;
    return t;
}

std::optional<number> parse_number(std::string_view s) {
    number n;
    std::size_t i = 0;
    if (i < s.size() && s[i] == '-') {
        n.negative = true;
        ++i;
    }
    std::size_t int_start = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    const std::size_t int_digits = i - int_start;
    std::size_t decimals = 0;
    std::size_t frac_start = i;
    if (i < s.size() && s[i] == '.') {
        frac_start = ++i;
        while (i < s.size() && is_digit(s[i])) ++i;
        decimals = i - frac_start;
        if (decimals == 0) return std::nullopt;  // "12." is text
    }
    if (int_digits == 0 || int_digits + decimals > number::max_digits) return std::nullopt;
    if (i < s.size()) {
        if (s[i] != '*') return std::nullopt;
        n.unit = std::string(s.substr(i + 1));
        if (n.unit.empty() || !all_alnum(n.unit)) return std::nullopt;
    }
    for (std::size_t k = int_start; k < int_start + int_digits; ++k) n.magnitude = n.magnitude * 10 + static_cast<unsigned>(s[k] - '0');
    for (std::size_t k = frac_start; k < frac_start + decimals; ++k) n.magnitude = n.magnitude * 10 + static_cast<unsigned>(s[k] - '0');
    n.integer_digits = static_cast<std::uint8_t>(int_digits);
    n.decimals = static_cast<std::uint8_t>(decimals);
    return n;
}

template <typename T>
const T* group_as(const std::vector<value>& values, std::size_t index) {
    if (index >= values.size()) return nullptr;
    return std::get_if<T>(&values[index]);
}

}  // namespace

std::int64_t number::scaled() const {
    const auto m = static_cast<std::int64_t>(magnitude);  // max_digits keeps it in range
    return negative ? -m : m;
}

double number::value() const {
    double scale = 1;
    for (unsigned i = 0; i < decimals; ++i) scale *= 10;
    return static_cast<double>(scaled()) / scale;
}

std::string number::to_text() const {
    std::string out = negative ? "-" : "";
    out += format_fixed(static_cast<std::int64_t>(magnitude), integer_digits, decimals);
    if (!unit.empty()) out += "*" + unit;
    return out;
}

number make_number(std::int64_t scaled, unsigned integer_digits, unsigned decimals, std::string unit) {
    if (!all_alnum(unit)) throw std::invalid_argument("P1 number unit '" + unit + "' must be letters and digits only");
    number n;
    n.negative = scaled < 0;
    n.magnitude = scaled < 0 ? static_cast<std::uint64_t>(-(scaled + 1)) + 1 : static_cast<std::uint64_t>(scaled);
    std::size_t digits = 1;
    for (auto m = n.magnitude; m >= 10; m /= 10) ++digits;
    const std::size_t needed_int = digits > decimals ? digits - decimals : 1;
    const std::size_t written_int = std::max<std::size_t>(needed_int, integer_digits == 0 ? 1 : integer_digits);
    if (written_int + decimals > number::max_digits)
        throw std::invalid_argument("P1 number " + std::to_string(scaled) + " with " + std::to_string(decimals) +
                                    " decimals needs more than " + std::to_string(number::max_digits) + " digits");
    n.integer_digits = static_cast<std::uint8_t>(written_int);
    n.decimals = static_cast<std::uint8_t>(decimals);
    n.unit = std::move(unit);
    return n;
}

std::string timestamp::to_text() const {
    std::string out;
    for (unsigned v : {unsigned{year}, unsigned{month}, unsigned{day}, unsigned{hour}, unsigned{minute}, unsigned{second}}) {
        out += static_cast<char>('0' + v / 10 % 10);
        out += static_cast<char>('0' + v % 10);
    }
    out += daylight_saving ? 'S' : 'W';
    return out;
}

bool timestamp::valid() const {
    return year < 100 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour < 24 && minute < 60 && second < 60;
}

value classify_value(std::string_view content) {
    if (auto t = parse_timestamp(content)) return *t;
    if (auto n = parse_number(content)) return *n;
    return text{std::string(content)};
}

std::string to_text(const value& v) {
    if (auto n = std::get_if<number>(&v)) return n->to_text();
    if (auto t = std::get_if<timestamp>(&v)) return t->to_text();
    return std::get<text>(v).content;
}

std::optional<codec::obis_code> parse_p1_obis(std::string_view s) {
    static constexpr char separators[] = {'-', ':', '.', '.', '.'};
    codec::obis_code code = codec::obis(0, 0, 0, 0, 0);
    std::size_t i = 0;
    for (std::size_t group = 0; group < 6; ++group) {
        if (group > 0) {
            if (i == s.size() && group == 5) break;  // F omitted
            if (i >= s.size() || s[i] != separators[group - 1]) return std::nullopt;
            ++i;
        }
        std::size_t start = i;
        unsigned v = 0;
        while (i < s.size() && is_digit(s[i]) && i - start < 3) v = v * 10 + static_cast<unsigned>(s[i++] - '0');
        if (i == start || v > 255) return std::nullopt;
        code.groups[group] = static_cast<std::uint8_t>(v);
    }
    if (i != s.size()) return std::nullopt;
    return code;
}

std::optional<codec::obis_code> data_line::parsed_obis() const { return parse_p1_obis(obis); }

const number* data_line::number_at(std::size_t index) const { return group_as<number>(values, index); }
const timestamp* data_line::timestamp_at(std::size_t index) const { return group_as<timestamp>(values, index); }
const text* data_line::text_at(std::size_t index) const { return group_as<text>(values, index); }

const data_line* telegram::find(std::string_view obis) const {
    for (const auto& line : lines)
        if (line.obis == obis) return &line;
    return nullptr;
}

const number* telegram::number_of(std::string_view obis) const {
    const auto* line = find(obis);
    return line ? line->number_at(0) : nullptr;
}

const timestamp* telegram::timestamp_of(std::string_view obis) const {
    const auto* line = find(obis);
    return line ? line->timestamp_at(0) : nullptr;
}

std::string telegram::manufacturer() const { return ident.size() >= 3 ? ident.substr(0, 3) : std::string{}; }

}  // namespace hansim::codec::p1
