#pragma once
/// @file
/// What the household (or plant) behind the meter draws over time: a deterministic, seeded
/// load profile so that `hansim generate` produces realistic-looking numbers. The result is
/// the total signed active power (import > 0, export < 0), a power factor and per-phase
/// voltages; the meter model spreads the power over the phases.

#include <array>
#include <chrono>
#include <cstdint>
#include <string_view>
#include <vector>

namespace hansim::meter {

enum class load_shape {
    constant,     ///< base_w all the time
    daily_curve,  ///< base_w at night, a morning bump and an evening peak reaching peak_w (local time)
    solar,        ///< daily_curve minus a midday solar bell of solar_peak_w (net export around noon)
};

/// "constant", "daily_curve", "solar".
std::string_view to_string(load_shape shape);
/// Inverse of to_string(); throws std::invalid_argument listing the accepted names.
load_shape parse_load_shape(std::string_view text);

/// From `at` on, the total active power is `active_power_w` (signed) regardless of the shape,
/// until the next step; a step with `release` set hands control back to the shape.
struct load_step {
    std::chrono::sys_time<std::chrono::milliseconds> at{};
    double active_power_w = 0;
    bool release = false;
};

struct load_profile {
    load_shape shape = load_shape::daily_curve;
    double base_w = 350;          ///< night-time / constant load
    double peak_w = 3500;         ///< evening peak (daily_curve, solar)
    double solar_peak_w = 0;      ///< solar: production at local noon on a clear day
    double power_factor = 0.96;   ///< of the load, 0..1
    bool capacitive = false;      ///< reactive power sign relative to the active power
    double noise = 0.05;          ///< relative random variation, changes once a minute
    std::array<double, 3> phase_share{0.45, 0.33, 0.22};  ///< how the load is spread (normalised)
    double nominal_voltage_v = 230;  ///< phase-to-neutral (star-equivalent on 3-wire IT grids)
    double voltage_spread_v = 4;     ///< ± random voltage variation, changes once a minute
    std::vector<load_step> steps;    ///< sorted by time
};

/// Throws std::invalid_argument naming the field that is out of range.
void validate(const load_profile& profile);

/// The load at one instant.
struct load_point {
    double active_power_w = 0;  ///< total, signed
    double power_factor = 1;
    bool capacitive = false;
    std::array<double, 3> voltage_v{};  ///< phase-to-neutral per phase
};

/// Evaluates the profile at `utc`; `local_time_of_day` is the meter's wall-clock time of
/// day (shapes follow local habits). Deterministic in (profile, seed, utc). The same as
/// evaluate(profile, minute_of(profile, utc, seed), local_time_of_day).
load_point evaluate(const load_profile& profile, std::chrono::sys_time<std::chrono::milliseconds> utc,
                    std::chrono::milliseconds local_time_of_day, std::uint64_t seed);

/// What evaluate() takes from `utc` rather than from the time of day: the random draws of
/// its minute and the load step in force. It stays the same until the next minute or load
/// step, so a run of integration steps within one minute draws it once and evaluates each
/// step's time of day on it.
struct load_minute {
    double load_draw = 0;    ///< in [-1, 1): the minute's relative load noise
    double clouds_draw = 0;  ///< in [-1, 1): the minute's clouds (solar)
    std::array<double, 3> voltage_draw{};  ///< in [-1, 1): the minute's voltage per phase
    bool stepped = false;    ///< a load step (not a release) is in force
    double step_power_w = 0; ///< its power when stepped
};

load_minute minute_of(const load_profile& profile, std::chrono::sys_time<std::chrono::milliseconds> utc,
                      std::uint64_t seed);

/// The load at `local_time_of_day` within `minute` (from minute_of() of the same profile).
load_point evaluate(const load_profile& profile, const load_minute& minute, std::chrono::milliseconds local_time_of_day);

/// Its total active power alone (what changes from one integration step to the next).
double load_power_w(const load_profile& profile, const load_minute& minute, std::chrono::milliseconds local_time_of_day);

/// load_power_w() of one profile and minute, set up once (the model integrates up to 60
/// steps of a minute with it): at() is load_power_w(profile, minute, t), the same
/// expressions in the same order, so the same doubles; whole seconds of the day are looked
/// up in the shapes' tables inline, anything else goes to the functions themselves.
class load_curve {
public:
    load_curve(const load_profile& profile, const load_minute& minute);
    double at(std::chrono::milliseconds local_time_of_day) const {
        if (stepped_) return step_power_w_;
        const std::int64_t ms = local_time_of_day.count();
        if (ms < 0 || ms % 1000 != 0 || ms >= 86'400'000) return at_any(local_time_of_day);
        const auto second = static_cast<std::size_t>(ms / 1000);
        const bool day = daytime(ms);
        return power(shaped_ ? daily_[second] : 0.0, solar_ && day ? sun_[second] : 0.0, day);
    }

private:
    /// hour > 6 and hour < 18, hour = ms / 3 600 000.0: exactly these whole milliseconds.
    static bool daytime(std::int64_t ms) { return ms > 21'600'000 && ms < 64'800'000; }
    /// The load from the daily shape's and the sun's values at one time of day (each read
    /// only when the profile has it).
    double power(double daily, double sun, bool day) const {
        double watts = base_w_;
        if (shaped_) watts = base_w_ + span_w_ * daily;
        watts *= noise_factor_;
        if (solar_ && day) watts -= solar_peak_w_ * sun * sun * clouds_;
        return watts;
    }
    double at_any(std::chrono::milliseconds local_time_of_day) const;
    bool stepped_ = false, shaped_ = false, solar_ = false;
    double step_power_w_ = 0, base_w_ = 0, span_w_ = 0, noise_factor_ = 1, solar_peak_w_ = 0, clouds_ = 0;
    const double* daily_ = nullptr;  ///< the daily shape per second of the day
    const double* sun_ = nullptr;    ///< the sun's sine per second of the day
};

}  // namespace hansim::meter
