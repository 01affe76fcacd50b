#include "hansim/io/line_settings.hpp"

#include <charconv>
#include <stdexcept>

namespace hansim::io {

unsigned line_settings::bits_per_character() const {
    return 1 + data_bits + (parity == io::parity::none ? 0 : 1) + stop_bits;
}

std::string line_settings::to_string() const {
    const char p = parity == io::parity::none ? 'N' : parity == io::parity::even ? 'E' : 'O';
    return std::to_string(baud) + ' ' + std::to_string(data_bits) + p + std::to_string(stop_bits);
}

std::string line_settings::spec() const {
    auto text = to_string();
    text[text.find(' ')] = ':';
    return text;
}

line_settings parse_line_settings(std::string_view text) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos)
        throw std::invalid_argument("line settings '" + std::string(text) +
                                    "': expected BAUD:DPS, e.g. 2400:8N1");
    const auto baud_text = text.substr(0, colon);
    const auto frame_text = text.substr(colon + 1);
    line_settings line;
    const auto [end, ec] = std::from_chars(baud_text.data(), baud_text.data() + baud_text.size(), line.baud);
    if (ec != std::errc{} || end != baud_text.data() + baud_text.size() || line.baud == 0)
        throw std::invalid_argument("line settings '" + std::string(text) + "': baud rate '" +
                                    std::string(baud_text) + "' is not a positive number");
    if (frame_text.size() != 3)
        throw std::invalid_argument("line settings '" + std::string(text) + "': character format '" +
                                    std::string(frame_text) + "' is not of the form 8N1");
    if (frame_text[0] < '5' || frame_text[0] > '8')
        throw std::invalid_argument("line settings '" + std::string(text) + "': data bits '" +
                                    std::string(1, frame_text[0]) + "' must be 5..8");
    line.data_bits = static_cast<unsigned>(frame_text[0] - '0');
    switch (frame_text[1]) {
        case 'N': case 'n': line.parity = parity::none; break;
        case 'E': case 'e': line.parity = parity::even; break;
        case 'O': case 'o': line.parity = parity::odd; break;
        default:
            throw std::invalid_argument("line settings '" + std::string(text) + "': parity '" +
                                        std::string(1, frame_text[1]) + "' must be N, E or O");
    }
    if (frame_text[2] != '1' && frame_text[2] != '2')
        throw std::invalid_argument("line settings '" + std::string(text) + "': stop bits '" +
                                    std::string(1, frame_text[2]) + "' must be 1 or 2");
    line.stop_bits = static_cast<unsigned>(frame_text[2] - '0');
    return line;
}

line_settings line_for(const meter::push_source& source) {
    line_settings line;
    line.baud = source.baud_rate();
    if (source.bits_per_character() == 11) line.parity = parity::even;
    return line;
}

line_settings line_under(const line_settings& base, const meter::line_condition& condition) {
    line_settings line = base;
    switch (condition.what) {
        case meter::line_condition::kind::parity:
            line.parity = base.parity == parity::none ? parity::even : base.parity == parity::even ? parity::odd : parity::even;
            break;
        case meter::line_condition::kind::baud: line.baud = condition.baud; break;
        case meter::line_condition::kind::brk: break;
    }
    return line;
}

}  // namespace hansim::io
