#include "hansim/meter/identity.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace hansim::meter {

std::string_view to_string(country c) {
    switch (c) {
        case country::norway: return "no";
        case country::sweden: return "se";
        case country::denmark: return "dk";
        case country::switzerland: return "ch";
    }
    return "?";
}

country parse_country(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
    if (lower == "no" || lower == "norway") return country::norway;
    if (lower == "se" || lower == "sweden") return country::sweden;
    if (lower == "dk" || lower == "denmark") return country::denmark;
    if (lower == "ch" || lower == "switzerland") return country::switzerland;
    throw std::invalid_argument("unknown country '" + std::string(text) + "' (expected no, se, dk or ch)");
}

char gs1_check_digit(std::string_view digits) {
    if (digits.empty()) throw std::invalid_argument("GS1 check digit: no digits given");
    unsigned sum = 0;
    unsigned weight = 3;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        if (*it < '0' || *it > '9')
            throw std::invalid_argument("GS1 check digit: '" + std::string(digits) + "' holds a non-digit");
        sum += weight * static_cast<unsigned>(*it - '0');
        weight = weight == 3 ? 1 : 3;
    }
    return static_cast<char>('0' + (10 - sum % 10) % 10);
}

bool gs1_id_valid(std::string_view id) {
    if (id.size() < 2) return false;
    if (!std::all_of(id.begin(), id.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) return false;
    return gs1_check_digit(id.substr(0, id.size() - 1)) == id.back();
}

std::string gs1_meter_id(std::uint32_t serial) {
    if (serial > 99'999'999u)
        throw std::invalid_argument("serial " + std::to_string(serial) + " has more than 8 digits");
    std::string serial_text = std::to_string(serial);
    std::string body = std::string(kamstrup_gs1_prefix) + std::string(8 - serial_text.size(), '0') + serial_text;
    return body + gs1_check_digit(body);
}

std::optional<std::uint32_t> serial_from_gs1_id(std::string_view id) {
    if (id.size() != 16 || id.substr(0, 7) != kamstrup_gs1_prefix || !gs1_id_valid(id)) return std::nullopt;
    return static_cast<std::uint32_t>(std::stoul(std::string(id.substr(7, 8))));
}

std::array<std::uint8_t, 8> kamstrup_system_title(std::uint32_t serial) {
    return {'K', 'A', 'M', 'E', static_cast<std::uint8_t>(serial >> 24), static_cast<std::uint8_t>(serial >> 16),
            static_cast<std::uint8_t>(serial >> 8), static_cast<std::uint8_t>(serial)};
}

std::string kamstrup_meter_type(wiring wires, bool current_transformer, country c) {
    if (wires == wiring::single_phase && current_transformer)
        throw std::invalid_argument("a single-phase Kamstrup meter has no current-transformer variant");
    std::string family = wires == wiring::single_phase ? "686" : current_transformer ? "685" : "684";
    char conductors = wires == wiring::single_phase ? '1' : wires == wiring::three_phase_3wire ? '2' : '3';
    const bool nordic_8 = c == country::denmark || c == country::sweden;
    std::string country_code;
    std::string firmware = "43";
    switch (c) {
        case country::norway: country_code = "040"; break;
        case country::sweden: country_code = "090"; firmware = "45"; break;
        case country::denmark: country_code = "010"; break;
        case country::switzerland: country_code = "063"; firmware = "40"; break;
    }
    if (wires == wiring::single_phase) firmware = "42";
    // 684-11-31B-N24-3101-040 -> "684" "11" conductors nordic "BN2" firmware "101" country
    std::string type = family + "11" + conductors + (nordic_8 ? '8' : '1') + "BN2" + firmware + "101" + country_code;
    return type;
}

meter_identity make_identity(std::uint32_t serial, std::string meter_type, std::uint32_t meter_number) {
    meter_identity id;
    id.serial = serial;
    id.gs1_id = gs1_meter_id(serial);
    id.meter_type = std::move(meter_type);
    id.meter_number = meter_number;
    id.system_title = kamstrup_system_title(serial);
    return id;
}

}  // namespace hansim::meter
