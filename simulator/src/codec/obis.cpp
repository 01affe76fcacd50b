#include "hansim/codec/obis.hpp"

#include <charconv>

namespace hansim::codec {

std::string obis_code::to_string() const {
    // "A-B:C.D.E.F", each group in decimal without padding, written into one buffer.
    static constexpr char separators[] = {'-', ':', '.', '.', '.'};
    char text[24];
    char* at = text;
    for (std::size_t i = 0; i < groups.size(); ++i) {
        if (i != 0) *at++ = separators[i - 1];
        const unsigned v = groups[i];
        if (v >= 100) *at++ = static_cast<char>('0' + v / 100);
        if (v >= 10) *at++ = static_cast<char>('0' + v / 10 % 10);
        *at++ = static_cast<char>('0' + v % 10);
    }
    return std::string(text, at);
}

std::string obis_code::to_dotted() const {
    std::string text;
    for (std::size_t i = 0; i < groups.size(); ++i) {
        if (i != 0) text += '.';
        text += std::to_string(groups[i]);
    }
    return text;
}

std::string obis_code::to_p1_string() const {
    const auto& g = groups;
    return std::to_string(g[0]) + "-" + std::to_string(g[1]) + ":" + std::to_string(g[2]) + "." +
           std::to_string(g[3]) + "." + std::to_string(g[4]);
}

namespace {

/// Reads a decimal 0..255 at the front of `text`, advancing it.
std::optional<std::uint8_t> take_group(std::string_view& text) {
    unsigned value = 0;
    const auto* first = text.data();
    const auto* last = text.data() + text.size();
    const auto [end, ec] = std::from_chars(first, last, value);
    if (ec != std::errc{} || end == first || value > 255) return std::nullopt;
    text.remove_prefix(static_cast<std::size_t>(end - first));
    return static_cast<std::uint8_t>(value);
}

bool take_separator(std::string_view& text, char separator) {
    if (text.empty() || text.front() != separator) return false;
    text.remove_prefix(1);
    return true;
}

}  // namespace

std::optional<obis_code> obis_code::parse(std::string_view text) {
    // "A-B:C.D.E.F", "A-B:C.D.E*F", "A-B:C.D.E" (F = 255) or "A.B.C.D.E.F".
    const bool dlms_form = text.find(':') != std::string_view::npos;
    const char dlms_separators[] = {'-', ':', '.', '.', '.'};
    obis_code code;
    for (std::size_t i = 0; i < code.groups.size(); ++i) {
        if (i > 0) {
            if (dlms_form && i == 5) {
                if (text.empty()) {
                    code.groups[5] = 255;
                    return code;
                }
                if (!take_separator(text, '.') && !take_separator(text, '*')) return std::nullopt;
            } else if (!take_separator(text, dlms_form ? dlms_separators[i - 1] : '.')) {
                return std::nullopt;
            }
        }
        const auto group = take_group(text);
        if (!group) return std::nullopt;
        code.groups[i] = *group;
    }
    if (!text.empty()) return std::nullopt;
    return code;
}

}  // namespace hansim::codec
