#include "hansim/meter/load_profile.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include "hansim/meter/jitter.hpp"

namespace hansim::meter {

std::string_view to_string(load_shape shape) {
    switch (shape) {
        case load_shape::constant: return "constant";
        case load_shape::daily_curve: return "daily_curve";
        case load_shape::solar: return "solar";
    }
    return "?";
}

load_shape parse_load_shape(std::string_view text) {
    std::string name(text);
    for (char& ch : name)
        if (ch == '-') ch = '_';
    if (name == "constant") return load_shape::constant;
    if (name == "daily_curve" || name == "daily") return load_shape::daily_curve;
    if (name == "solar") return load_shape::solar;
    throw std::invalid_argument("unknown load shape '" + std::string(text) + "' (expected constant, daily_curve or solar)");
}

void validate(const load_profile& p) {
    auto fail = [](const std::string& what) { throw std::invalid_argument("load profile: " + what); };
    if (p.power_factor < 0 || p.power_factor > 1) fail("power_factor must be within 0..1");
    if (p.noise < 0 || p.noise > 1) fail("noise must be within 0..1");
    if (p.nominal_voltage_v <= 0) fail("nominal_voltage must be positive");
    if (p.voltage_spread_v < 0 || p.voltage_spread_v >= p.nominal_voltage_v) fail("voltage_spread out of range");
    if (p.base_w < 0 || p.peak_w < 0 || p.solar_peak_w < 0) fail("base, peak and solar_peak must not be negative");
    double share = 0;
    for (double s : p.phase_share) {
        if (s < 0) fail("phase_share must not be negative");
        share += s;
    }
    if (share <= 0) fail("phase_share must not be all zero");
    if (!std::is_sorted(p.steps.begin(), p.steps.end(), [](const load_step& a, const load_step& b) { return a.at < b.at; }))
        fail("steps must be in time order");
}

namespace {

double bump(double hour, double centre, double width) {
    const double d = (hour - centre) / width;
    return std::exp(-0.5 * d * d);
}

double hour_of(std::chrono::milliseconds local_time_of_day) {
    return static_cast<double>(local_time_of_day.count()) / 3'600'000.0;
}

// The daily curve (0..1) and the sine of the sun's course at `hour`.
double daily_shape(double hour) { return std::max(0.45 * bump(hour, 7.5, 1.2), bump(hour, 18.5, 1.8)); }
double sun_of(double hour) { return std::sin(std::numbers::pi * (hour - 6.0) / 12.0); }

// The wall clock's time of day only takes whole seconds (the meter clock is floored to
// seconds), so both curves are tabulated once per second of the day: the same function of
// the same argument, looked up instead of two exponentials (and a sine) per integration step.
constexpr std::int64_t seconds_per_day = 86'400;

template <double (*F)(double)>
const std::vector<double>& table_of() {
    static const std::vector<double> table = [] {
        std::vector<double> t(static_cast<std::size_t>(seconds_per_day));
        for (std::int64_t s = 0; s < seconds_per_day; ++s)
            t[static_cast<std::size_t>(s)] = F(hour_of(std::chrono::milliseconds(s * 1000)));
        return t;
    }();
    return table;
}

template <double (*F)(double)>
double curve_at(std::chrono::milliseconds local_time_of_day) {
    const std::int64_t ms = local_time_of_day.count();
    if (ms >= 0 && ms % 1000 == 0 && ms / 1000 < seconds_per_day)
        return table_of<F>()[static_cast<std::size_t>(ms / 1000)];
    return F(hour_of(local_time_of_day));
}

// In [-1, 1), fixed for one minute.
double minute_noise(std::uint64_t seed, std::uint64_t stream, std::int64_t minute) {
    return 2.0 * random_unit(seed, stream, static_cast<std::uint64_t>(minute)) - 1.0;
}

// The random draws of one minute (they are what changes once a minute). The model asks for
// every integration step, i.e. 60 times a minute with the same arguments, so the last
// minute's draws are kept per thread: a pure function's memo, not state.
struct minute_draws {
    std::uint64_t seed = 0;
    std::int64_t minute = 0;
    bool valid = false;
    double load = 0, clouds = 0;
    std::array<double, 3> voltage{};
};

const minute_draws& draws_for(std::uint64_t seed, std::int64_t minute) {
    static const std::uint64_t load_stream = stream_id("load");
    static const std::uint64_t clouds_stream = stream_id("clouds");
    static const std::uint64_t voltage_stream = stream_id("voltage");
    thread_local minute_draws cache;
    if (!cache.valid || cache.seed != seed || cache.minute != minute) {
        cache.seed = seed;
        cache.minute = minute;
        cache.valid = true;
        cache.load = minute_noise(seed, load_stream, minute);
        cache.clouds = minute_noise(seed, clouds_stream, minute);
        for (std::size_t i = 0; i < 3; ++i) cache.voltage[i] = minute_noise(seed, voltage_stream + i, minute);
    }
    return cache;
}

}  // namespace

load_minute minute_of(const load_profile& p, std::chrono::sys_time<std::chrono::milliseconds> utc, std::uint64_t seed) {
    using namespace std::chrono;
    const minute_draws& draws = draws_for(seed, floor<minutes>(utc).time_since_epoch().count());
    load_minute m;
    m.load_draw = draws.load;
    m.clouds_draw = draws.clouds;
    m.voltage_draw = draws.voltage;
    // The last step at or before `utc` wins unless it released control.
    auto after = std::upper_bound(p.steps.begin(), p.steps.end(), utc,
                                  [](const auto& t, const load_step& s) { return t < s.at; });
    if (after != p.steps.begin() && !std::prev(after)->release) {
        m.stepped = true;
        m.step_power_w = std::prev(after)->active_power_w;
    }
    return m;
}

load_curve::load_curve(const load_profile& p, const load_minute& m)
    : stepped_(m.stepped),
      shaped_(p.shape != load_shape::constant),
      solar_(p.shape == load_shape::solar),
      step_power_w_(m.step_power_w),
      base_w_(p.base_w),
      span_w_(p.peak_w - p.base_w),
      noise_factor_(1.0 + p.noise * m.load_draw),
      solar_peak_w_(p.solar_peak_w),
      clouds_(1.0 - 0.5 * p.noise * (1.0 + m.clouds_draw)) {
    if (shaped_) daily_ = table_of<daily_shape>().data();
    if (solar_) sun_ = table_of<sun_of>().data();
}

double load_curve::at_any(std::chrono::milliseconds local_time_of_day) const {
    // Not a whole second of the day: the shapes' functions themselves (curve_at).
    const bool day = daytime(local_time_of_day.count());
    return power(shaped_ ? curve_at<daily_shape>(local_time_of_day) : 0.0,
                 solar_ && day ? curve_at<sun_of>(local_time_of_day) : 0.0, day);
}

double load_power_w(const load_profile& p, const load_minute& m, std::chrono::milliseconds local_time_of_day) {
    return load_curve(p, m).at(local_time_of_day);
}

load_point evaluate(const load_profile& p, const load_minute& m, std::chrono::milliseconds local_time_of_day) {
    load_point point;
    point.active_power_w = load_power_w(p, m, local_time_of_day);
    point.power_factor = p.power_factor;
    point.capacitive = p.capacitive;
    for (std::size_t i = 0; i < 3; ++i)
        point.voltage_v[i] = p.nominal_voltage_v + p.voltage_spread_v * m.voltage_draw[i];
    return point;
}

load_point evaluate(const load_profile& p, std::chrono::sys_time<std::chrono::milliseconds> utc,
                    std::chrono::milliseconds local_time_of_day, std::uint64_t seed) {
    return evaluate(p, minute_of(p, utc, seed), local_time_of_day);
}

}  // namespace hansim::meter
