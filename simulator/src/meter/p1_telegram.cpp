#include "hansim/meter/p1_telegram.hpp"

#include <cmath>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <utility>

#include "hansim/codec/p1/writer.hpp"

namespace hansim::meter {
namespace {

namespace p1 = codec::p1;
using q = p1_quantity;

std::int64_t pow10(unsigned n) {
    std::int64_t v = 1;
    while (n-- > 0) v *= 10;
    return v;
}

/// x / d rounded towards minus infinity (d > 0).
std::int64_t floor_div(std::int64_t x, std::int64_t d) {
    auto q = x / d;
    if (x % d != 0 && x < 0) --q;
    return q;
}

/// Milli-units (mWh) to the line's decimals of kilo-units (kWh), rounded down. Throws
/// std::invalid_argument when a line of 6 or more decimals scales it past the int64 range.
std::int64_t from_milli_to_kilo(std::int64_t milli, unsigned decimals) {
    if (decimals < 6) return floor_div(milli, pow10(6 - decimals));
    std::int64_t out = 0;
    if (decimals - 6 > 18 || __builtin_mul_overflow(milli, pow10(decimals - 6), &out))
        throw std::invalid_argument("P1 energy of " + std::to_string(milli) + " m-units with " +
                                    std::to_string(decimals) + " decimals does not fit the line");
    return out;
}

/// from_milli_to_kilo(a + b, decimals) where a + b may pass the int64 range (two registers
/// near their limit): each part floored on its own, the remainders added. Throws
/// std::invalid_argument when the result itself does not fit.
std::int64_t sum_from_milli_to_kilo(std::int64_t a, std::int64_t b, unsigned decimals) {
    std::int64_t sum = 0;
    if (!__builtin_add_overflow(a, b, &sum)) return from_milli_to_kilo(sum, decimals);
    if (decimals < 6) {  // with 6 or more decimals the scaled sum is larger still
        const auto divisor = pow10(6 - decimals);
        const auto qa = floor_div(a, divisor), qb = floor_div(b, divisor);
        const auto rests = (a - qa * divisor) + (b - qb * divisor);  // each 0 .. divisor - 1
        std::int64_t out = 0;
        if (!__builtin_add_overflow(qa, qb, &out) && !__builtin_add_overflow(out, rests / divisor, &out)) return out;
    }
    throw std::invalid_argument("P1 energy sum of " + std::to_string(a) + " and " + std::to_string(b) +
                                " mWh does not fit the line");
}

std::int64_t rounded(double v, unsigned decimals) {
    const double scaled = v * static_cast<double>(pow10(decimals));
    if (!std::isfinite(scaled) || std::fabs(scaled) >= 9.0e18)
        throw std::invalid_argument("P1 value " + std::to_string(v) + " does not fit the line");
    return std::llround(scaled);
}

p1::timestamp clock_of(const snapshot& s) {
    p1::timestamp t;
    t.year = static_cast<std::uint8_t>(s.clock.year % 100);
    t.month = s.clock.month;
    t.day = s.clock.day;
    t.hour = s.clock.hour;
    t.minute = s.clock.minute;
    t.second = s.clock.second;
    t.daylight_saving = s.daylight_saving;
    return t;
}

bool exporting(const snapshot& s) { return s.active_export_w > s.active_import_w; }

// The exact scaled integer a number line writes (its decimals of kilo-units or units);
// nullopt for the clock and fixed lines, which are not numbers made here.
std::optional<std::int64_t> scaled_of(const snapshot& s, const p1_line& line) {
    const auto& ph = s.phases.at(line.phase);
    const auto kilo = [&](double w) { return rounded(w / 1000.0, line.decimals); };
    const auto plain = [&](double v) { return rounded(v, line.decimals); };
    const auto energy = [&](std::int64_t milli) { return from_milli_to_kilo(milli, line.decimals); };
    switch (line.quantity) {
        case q::clock: return std::nullopt;
        case q::active_import_energy: return energy(s.energy.active_import_mwh);
        case q::active_export_energy: return energy(s.energy.active_export_mwh);
        case q::reactive_import_energy: return energy(s.energy.reactive_import_mvarh);
        case q::reactive_export_energy: return energy(s.energy.reactive_export_mvarh);
        case q::active_energy_sum:
            return sum_from_milli_to_kilo(s.energy.active_import_mwh, s.energy.active_export_mwh, line.decimals);
        case q::active_import_power: return kilo(s.active_import_w);
        case q::active_export_power: return kilo(s.active_export_w);
        case q::reactive_import_power: return kilo(s.reactive_import_var);
        case q::reactive_export_power: return kilo(s.reactive_export_var);
        case q::reactive_power_q1: return kilo(exporting(s) ? 0.0 : s.reactive_import_var);
        case q::reactive_power_q2: return kilo(exporting(s) ? s.reactive_import_var : 0.0);
        case q::reactive_power_q3: return kilo(exporting(s) ? s.reactive_export_var : 0.0);
        case q::reactive_power_q4: return kilo(exporting(s) ? 0.0 : s.reactive_export_var);
        case q::power_factor: return plain(s.power_factor);
        case q::phase_active_import_power: return kilo(ph.active_import_w);
        case q::phase_active_export_power: return kilo(ph.active_export_w);
        case q::phase_reactive_import_power: return kilo(ph.reactive_import_var);
        case q::phase_reactive_export_power: return kilo(ph.reactive_export_var);
        case q::phase_voltage: return plain(ph.voltage_v);
        case q::phase_current: return plain(ph.current_a);
        case q::phase_power_factor: return plain(ph.power_factor);
        case q::fixed: return std::nullopt;
    }
    throw std::invalid_argument("P1 profile line " + line.obis + " has an unknown quantity");
}

p1::value value_of(const snapshot& s, const p1_line& line) {
    if (const auto scaled = scaled_of(s, line)) return p1::make_number(*scaled, line.integer_digits, line.decimals, line.unit);
    if (line.quantity == q::clock) return clock_of(s);
    if (!line.fixed) throw std::invalid_argument("P1 profile line " + line.obis + " is fixed but has no value");
    return *line.fixed;
}

// The telegram as the codec writes build_p1_telegram_model(): the path that names what
// cannot be written.
std::string by_model(const snapshot& values, const p1_profile& profile, std::string_view ident) {
    p1_profile named = profile;
    named.ident = std::string(ident);
    return p1::write_telegram_text(build_p1_telegram_model(values, named));
}

char* put(char* at, std::string_view text) {
    std::memcpy(at, text.data(), text.size());
    return at + text.size();
}

// A profile line as the codec writes it, split around its value: `before` is "OBIS(" (a
// fixed line: the whole line, and no value), `after` "*unit)" CR LF. The codec checks the
// line by writing it once with a stand-in value: what it refuses there (OBIS text, unit,
// digit layout, a fixed value, a phase that does not exist) it refuses for every value, and
// the line is nullopt.
struct line_text {
    std::string before;
    std::string after;
    bool has_value = true;
};

std::optional<line_text> checked_line_text(const p1_line& line) {
    if (line.phase > 2 || (line.quantity == q::fixed && !line.fixed)) return std::nullopt;
    std::string probe;
    std::size_t value_size = 0;
    try {
        if (line.quantity == q::fixed) {
            p1::append_telegram_line(probe, 0, line.obis, {&*line.fixed, 1});
            return line_text{std::move(probe), {}, false};
        }
        if (line.quantity == q::clock) {
            const p1::value stand_in = p1::timestamp{};
            p1::append_telegram_line(probe, 0, line.obis, {&stand_in, 1});
            value_size = p1::timestamp_size;
        } else {
            p1::append_number_line(probe, 0, line.obis, 0, line.integer_digits, line.decimals, line.unit);
            char zero[p1::max_number_size];
            value_size = static_cast<std::size_t>(p1::write_number(zero, 0, line.integer_digits, line.decimals) - zero);
        }
    } catch (const std::invalid_argument&) {
        return std::nullopt;
    }
    const std::size_t value_at = line.obis.size() + 1;  // after "OBIS("
    return line_text{probe.substr(0, value_at), probe.substr(value_at + value_size)};
}

// '/' and CR LF CR LF around the ident; '!', four hex digits and CR LF at the end.
constexpr std::size_t header_size_without_ident = 5;
constexpr std::size_t end_size = 7;

}  // namespace

codec::p1::telegram build_p1_telegram_model(const snapshot& values, const p1_profile& profile) {
    p1::telegram t;
    t.ident = profile.ident;
    const bool single_phase = values.wires == wiring::single_phase;
    for (const auto& line : profile.lines) {
        if (single_phase && line.belongs_to_l2_or_l3()) continue;
        if (line.phase > 2) throw std::invalid_argument("P1 profile line " + line.obis + " names phase " + std::to_string(line.phase + 1));
        t.lines.push_back({line.obis, {value_of(values, line)}});
    }
    return t;
}

std::string build_p1_telegram(const snapshot& values, const p1_profile& profile) {
    return build_p1_telegram(values, profile, profile.ident);
}

std::string build_p1_telegram(const snapshot& values, const p1_profile& profile, std::string_view ident) {
    return p1_telegram_writer(profile).build(values, ident);
}

p1_telegram_writer::p1_telegram_writer(const p1_profile& profile)
    : profile_(&profile), three_phase_(lay_out(profile, false)), single_phase_(lay_out(profile, true)) {}

p1_telegram_writer::layout p1_telegram_writer::lay_out(const p1_profile& profile, bool single_phase) {
    layout out;
    std::string pending;  // constant text since the last value
    for (const auto& line : profile.lines) {
        if (single_phase && line.belongs_to_l2_or_l3()) continue;
        auto text = checked_line_text(line);
        if (!text) return layout{false, {}, {}, 0};
        pending += text->before;
        if (!text->has_value) continue;
        out.longest += pending.size() + (line.quantity == q::clock ? p1::timestamp_size : p1::max_number_size);
        out.slots.push_back({&line, std::move(pending)});
        pending = std::move(text->after);
    }
    out.longest += pending.size();
    out.text_after = std::move(pending);
    return out;
}

std::string p1_telegram_writer::build(const snapshot& values, std::string_view ident) const {
    if (auto text = try_build(values, ident)) return std::move(*text);
    return by_model(values, *profile_, ident);
}

std::optional<std::string> p1_telegram_writer::try_build(const snapshot& values, std::string_view ident) const {
    const layout& telegram = values.wires == wiring::single_phase ? single_phase_ : three_phase_;
    if (!telegram.writable) return std::nullopt;
    std::optional<std::string> text(std::in_place);
    std::string& out = *text;
    out.reserve(header_size_without_ident + ident.size() + telegram.longest + end_size);
    try {
        p1::append_telegram_header(out, ident);
        // Room for the lines at their longest (in the capacity reserved), written in place.
        const std::size_t lines_at = out.size();
        out.resize(lines_at + telegram.longest);
        char* p = out.data() + lines_at;
        for (const slot& s : telegram.slots) {
            p = put(p, s.text_before);
            const p1_line& line = *s.source;
            if (line.quantity == q::clock) {
                const p1::timestamp t = clock_of(values);
                if (!t.valid()) return std::nullopt;
                p = p1::write_timestamp(p, t);
            } else {
                p = p1::write_number(p, *scaled_of(values, line), line.integer_digits, line.decimals);
                if (p == nullptr) return std::nullopt;
            }
        }
        p = put(p, telegram.text_after);
        out.resize(static_cast<std::size_t>(p - out.data()));
        p1::append_telegram_end(out);
    } catch (const std::invalid_argument&) {
        return std::nullopt;  // a value that does not fit its line, a framing character in the ident
    }
    return text;
}

const p1_telegram_writer* find_p1_telegram_writer(std::string_view name) {
    static const std::vector<p1_telegram_writer> writers = [] {
        std::vector<p1_telegram_writer> out;
        for (const auto& profile : p1_profiles()) out.emplace_back(profile);
        return out;
    }();
    for (const auto& w : writers)
        if (w.profile().name == name) return &w;
    return nullptr;
}

}  // namespace hansim::meter
