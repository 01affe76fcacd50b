#include "hansim/meter/p1_profile.hpp"

namespace hansim::meter {
namespace {

using q = p1_quantity;
namespace p1 = codec::p1;

p1_line line(std::string obis, q quantity, unsigned integer_digits, unsigned decimals, std::string unit, unsigned phase = 0) {
    p1_line l;
    l.obis = std::move(obis);
    l.quantity = quantity;
    l.phase = static_cast<std::uint8_t>(phase);
    l.integer_digits = static_cast<std::uint8_t>(integer_digits);
    l.decimals = static_cast<std::uint8_t>(decimals);
    l.unit = std::move(unit);
    return l;
}

p1_line constant(std::string obis, p1::value v) {
    p1_line l;
    l.obis = std::move(obis);
    l.quantity = q::fixed;
    l.fixed = std::move(v);
    return l;
}

/// Unit spellings: Kamstrup and L+G write kVArh/kVAr, Sagemcom and Sanxing kvarh/kvar.
struct units {
    std::string reactive_energy;
    std::string reactive_power;
};
const units capital_var{"kVArh", "kVAr"};
const units lower_var{"kvarh", "kvar"};

/// Per-phase power lines in one of the two observed orders.
enum class phase_order {
    by_quantity,  ///< Kamstrup, Sagemcom: 21,41,61 then 22,42,62, 23,43,63, 24,44,64
    by_phase,     ///< L+G E360, Kaifa: 21,22,41,42,61,62 then 23,24,43,44,63,64
};

/// The 27-line Swedish list (PROTOCOLS.md §6.3): clock, 4 energies 8.3, 4 totals 4.3,
/// 12 per-phase powers 4.3, voltages 3.1 V, currents 3.1 A.
std::vector<p1_line> swedish_list(const units& u, phase_order order) {
    std::vector<p1_line> out{
        line("0-0:1.0.0", q::clock, 0, 0, ""),
        line("1-0:1.8.0", q::active_import_energy, 8, 3, "kWh"),
        line("1-0:2.8.0", q::active_export_energy, 8, 3, "kWh"),
        line("1-0:3.8.0", q::reactive_import_energy, 8, 3, u.reactive_energy),
        line("1-0:4.8.0", q::reactive_export_energy, 8, 3, u.reactive_energy),
        line("1-0:1.7.0", q::active_import_power, 4, 3, "kW"),
        line("1-0:2.7.0", q::active_export_power, 4, 3, "kW"),
        line("1-0:3.7.0", q::reactive_import_power, 4, 3, u.reactive_power),
        line("1-0:4.7.0", q::reactive_export_power, 4, 3, u.reactive_power),
    };
    // C of the per-phase lines: L1 21..24, L2 41..44, L3 61..64 (+1 import/export, +2/+3 reactive).
    const auto phase_line = [&](unsigned phase, unsigned offset) {
        static constexpr q kinds[] = {q::phase_active_import_power, q::phase_active_export_power,
                                      q::phase_reactive_import_power, q::phase_reactive_export_power};
        const bool reactive = offset >= 2;
        return line("1-0:" + std::to_string(21 + 20 * phase + offset) + ".7.0", kinds[offset], 4, 3,
                    reactive ? u.reactive_power : "kW", phase);
    };
    if (order == phase_order::by_quantity) {
        for (unsigned offset = 0; offset < 4; ++offset)
            for (unsigned phase = 0; phase < 3; ++phase) out.push_back(phase_line(phase, offset));
    } else {
        for (unsigned pair = 0; pair < 2; ++pair)
            for (unsigned phase = 0; phase < 3; ++phase)
                for (unsigned offset = 2 * pair; offset < 2 * pair + 2; ++offset) out.push_back(phase_line(phase, offset));
    }
    for (unsigned phase = 0; phase < 3; ++phase)
        out.push_back(line("1-0:" + std::to_string(32 + 20 * phase) + ".7.0", q::phase_voltage, 3, 1, "V", phase));
    for (unsigned phase = 0; phase < 3; ++phase)
        out.push_back(line("1-0:" + std::to_string(31 + 20 * phase) + ".7.0", q::phase_current, 3, 1, "A", phase));
    return out;
}

/// Sanxing SX631 (S34U18) as the anonymized tasmota sample is laid out, restricted to what a
/// snapshot carries plus configured constants.
std::vector<p1_line> sanxing_list() {
    std::vector<p1_line> out{
        line("0-0:1.0.0", q::clock, 0, 0, ""),
        constant("0-0:42.0.0", p1::text{"AUX1234567890123"}),
        constant("0-0:96.1.0", p1::text{"1234567890"}),
        constant("0-0:96.14.0", p1::text{"0001"}),
        constant("0-0:96.50.68", p1::text{"ON"}),
        constant("0-0:17.0.0", p1::make_number(90000, 2, 3, "kW")),
        line("1-0:1.8.0", q::active_import_energy, 6, 3, "kWh"),
        line("1-0:2.8.0", q::active_export_energy, 6, 3, "kWh"),
        line("1-0:3.8.0", q::reactive_import_energy, 6, 3, "kvarh"),
        line("1-0:4.8.0", q::reactive_export_energy, 6, 3, "kvarh"),
        line("1-0:15.8.0", q::active_energy_sum, 6, 3, "kWh"),
    };
    for (unsigned phase = 0; phase < 3; ++phase)
        out.push_back(line("1-0:" + std::to_string(32 + 20 * phase) + ".7.0", q::phase_voltage, 3, 1, "V", phase));
    for (unsigned phase = 0; phase < 3; ++phase)
        out.push_back(line("1-0:" + std::to_string(31 + 20 * phase) + ".7.0", q::phase_current, 3, 0, "A", phase));
    out.push_back(line("1-0:13.7.0", q::power_factor, 1, 3, ""));
    for (unsigned phase = 0; phase < 3; ++phase)
        out.push_back(line("1-0:" + std::to_string(33 + 20 * phase) + ".7.0", q::phase_power_factor, 1, 3, "", phase));
    out.push_back(line("1-0:1.7.0", q::active_import_power, 2, 3, "kW"));
    out.push_back(line("1-0:2.7.0", q::active_export_power, 2, 3, "kW"));
    out.push_back(line("1-0:5.7.0", q::reactive_power_q1, 2, 3, "kvar"));
    out.push_back(line("1-0:6.7.0", q::reactive_power_q2, 2, 3, "kvar"));
    out.push_back(line("1-0:7.7.0", q::reactive_power_q3, 2, 3, "kvar"));
    out.push_back(line("1-0:8.7.0", q::reactive_power_q4, 2, 3, "kvar"));
    out.push_back(constant("0-0:96.13.0", p1::text{}));
    return out;
}

p1_profile profile(std::string name, std::string ident, bool confirmed, std::vector<p1_line> lines, std::string description) {
    p1_profile p;
    p.name = std::move(name);
    p.ident = std::move(ident);
    p.ident_confirmed = confirmed;
    p.lines = std::move(lines);
    p.description = std::move(description);
    p.interval = std::chrono::seconds{10};
    return p;
}

std::vector<p1_profile> make_profiles() {
    std::vector<p1_profile> out;
    out.push_back(profile(
        "kamstrup-p1", "KAM5", true, swedish_list(capital_var, phase_order::by_quantity),
        "Kamstrup OMNIPOWER/Omnia with HAN module P1: header /KAM5, the 27-line datasheet list in the order real "
        "telegrams use (PROTOCOLS.md 6.3), kVArh/kVAr units; reproduces captures from Sweden and Norway byte for byte."));
    out.push_back(profile(
        "sagemcom-t211", "ELL5\\253833635_A", true, swedish_list(lower_var, phase_order::by_quantity),
        "Sagemcom T211 (Ellevio): header as captured (/ELL5\\253833635_A; the part after the backslash may differ per "
        "meter, override ident), Kamstrup line order, lower-case kvarh/kvar units as in the captures."));
    out.push_back(profile(
        "landisgyr-e360", "LGF5E360", true, swedish_list(capital_var, phase_order::by_phase),
        "Landis+Gyr E360 (E.ON and others): header /LGF5E360, per-phase powers ordered by phase (21,22,41,42,61,62 "
        "then 23,24,43,44,63,64), kVArh/kVAr units; reproduces the public captures byte for byte."));
    out.push_back(profile(
        "kaifa-ma304h4e", "KFM5KAIFA-METER", true, swedish_list(capital_var, phase_order::by_phase),
        "KAIFA MA304H4E (Nacka Energi): line set and order taken from one Swedish capture (same order as the E360, "
        "kVArh/kVAr). The header /KFM5KAIFA-METER is the one that capture shows (the reader logged it after the "
        "telegram; it is also the Dutch Kaifa ident)."));
    out.push_back(profile(
        "kaifa-cl109", "KFM5KAIFA-METER", false, swedish_list(capital_var, phase_order::by_quantity),
        "KAIFA CL109 (Oresundskraft): no public capture was found. Neither the ident nor the line set is known; "
        "the ident defaults to the Kaifa ident seen from an MA304H4E (an assumption - override it) and the content "
        "follows the Swedish branch recommendation (the Kamstrup/E360 27-line list, Kamstrup order)."));
    out.push_back(profile(
        "itron-a300", "XXX5A300", false, swedish_list(capital_var, phase_order::by_quantity),
        "Itron A300 (Boras Elnat): no public capture was found. The ident is unknown and 'XXX5A300' is only a "
        "placeholder (XXX is not a registered manufacturer id) - override it; the content follows the Swedish branch "
        "recommendation (the Kamstrup/E360 27-line list, Kamstrup order)."));
    out.push_back(profile(
        "sanxing-sx631", "XXX5S34U18", false, sanxing_list(),
        "Sanxing SX631 / S34U18 (Vattenfall): laid out like the only public sample (tasmota docs), which is "
        "anonymized: its ident is unknown ('XXX5S34U18' is a placeholder - override it), and 0-0:42.0.0, 0-0:96.1.0, "
        "0-0:96.14.0, 0-0:96.50.68, 0-0:17.0.0 and the empty 0-0:96.13.0 are configured constants copied from the "
        "sample's placeholders. Left out because a snapshot does not carry them: tariff registers 1.8.1-1.8.4 and "
        "2.8.1-2.8.4, quadrant energies 5.8.0-8.8.0, frequency 14.7.0 and the monthly values 0-0:98.1.0. Reactive "
        "power is split into quadrants 5.7.0-8.7.0 by the sign of the total active power. Integer amperes."));
    return out;
}

}  // namespace

bool p1_line::belongs_to_l2_or_l3() const {
    switch (quantity) {
        case q::phase_active_import_power:
        case q::phase_active_export_power:
        case q::phase_reactive_import_power:
        case q::phase_reactive_export_power:
        case q::phase_voltage:
        case q::phase_current:
        case q::phase_power_factor:
            return phase > 0;
        default:
            return false;
    }
}

const std::vector<p1_profile>& p1_profiles() {
    static const std::vector<p1_profile> profiles = make_profiles();
    return profiles;
}

const p1_profile* find_p1_profile(std::string_view name) {
    for (const auto& p : p1_profiles())
        if (p.name == name) return &p;
    return nullptr;
}

}  // namespace hansim::meter
