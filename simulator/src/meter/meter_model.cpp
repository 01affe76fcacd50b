#include "hansim/meter/meter_model.hpp"

#include <cmath>
#include <complex>
#include <numbers>
#include <stdexcept>

#include "hansim/meter/load_profile.hpp"

namespace hansim::meter {

using namespace std::chrono;

meter_model::meter_model(meter_config config)
    : config_((validate(config), std::move(config))),
      identity_(identity_of(config_)),
      energy_(config_.method, config_.initial_energy, config_.initial_phase_energy),
      now_(config_.start) {
    if (config_.clock_unset)
        clock_offset_ = sys_days{year{2000} / January / 1} - floor<seconds>(config_.start);
    else
        clock_offset_ = config_.clock_offset;
}

meter_model::time_point meter_model::meter_clock(time_point t) const { return t + clock_offset_; }

std::array<phase_state, 3> meter_model::phases_at(time_point t) const {
    const auto step = config_.integration_step;
    const time_point step_start{floor<milliseconds>(t.time_since_epoch()) / step * step};
    const auto clock = floor<seconds>(meter_clock(step_start));
    const wall_time wall = to_wall_time(clock, config_.clock);
    const auto time_of_day = duration_cast<milliseconds>(wall.local - floor<days>(wall.local));
    const load_point load = evaluate(config_.load, step_start, time_of_day, config_.seed);

    const std::size_t used = config_.wires == wiring::single_phase ? 1 : 3;
    double share_sum = 0;
    for (std::size_t i = 0; i < used; ++i) share_sum += config_.load.phase_share[i];

    std::array<phase_state, 3> phases{};
    for (std::size_t i = 0; i < used; ++i) {
        if (config_.fixed_phases[i]) {
            phases[i] = derive_phase(*config_.fixed_phases[i], load.voltage_v[i]);
            continue;
        }
        phase_setpoint set;
        set.voltage_v = load.voltage_v[i];
        set.active_power_w = share_sum > 0 ? load.active_power_w * config_.load.phase_share[i] / share_sum : 0.0;
        set.power_factor = load.power_factor;
        set.capacitive = load.capacitive;
        if (load.power_factor == 0) set.active_power_w = 0.0;
        phases[i] = derive_phase(set, config_.load.nominal_voltage_v);
    }
    return phases;
}

power_sample meter_model::sample_at(time_point t) const {
    const auto phases = phases_at(t);
    power_sample s;
    for (std::size_t i = 0; i < 3; ++i) {
        s.active_mw[i] = std::llround(phases[i].active_power_w * 1000.0);
        s.reactive_mvar[i] = std::llround(phases[i].reactive_power_var * 1000.0);
    }
    return s;
}

void meter_model::advance_to(time_point t) {
    if (t < now_) throw std::logic_error("meter_model::advance_to: time went backwards");
    const auto step = config_.integration_step;
    while (now_ < t) {
        const time_point step_start{floor<milliseconds>(now_.time_since_epoch()) / step * step};
        const time_point segment_end = std::min(step_start + step, t);
        energy_.integrate(sample_at(now_), segment_end - now_);
        now_ = segment_end;
    }
}

snapshot meter_model::take_snapshot(time_point t) {
    advance_to(t);
    const auto phases = phases_at(t);
    const power_sample sample = sample_at(t);

    snapshot snap;
    snap.identity = identity_;
    snap.wires = config_.wires;
    double net_p = 0, net_q = 0, plus_p = 0, minus_p = 0, plus_q = 0, minus_q = 0, abs_p = 0, abs_q = 0;
    for (std::size_t i = 0; i < 3; ++i) {
        phase_state st = phases[i];
        st.active_power_w = static_cast<double>(sample.active_mw[i]) / 1000.0;
        st.reactive_power_var = static_cast<double>(sample.reactive_mvar[i]) / 1000.0;
        snap.phases[i] = to_reading(st);
        snap.phases[i].energy = energy_.phase(i);
        net_p += st.active_power_w;
        net_q += st.reactive_power_var;
        (st.active_power_w >= 0 ? plus_p : minus_p) += std::abs(st.active_power_w);
        (st.reactive_power_var >= 0 ? plus_q : minus_q) += std::abs(st.reactive_power_var);
        abs_p += std::abs(st.active_power_w);
        abs_q += std::abs(st.reactive_power_var);
    }
    if (config_.wires == wiring::three_phase_3wire) {
        // Line-to-line magnitudes from the star-equivalent phasors (0°, −120°, +120°).
        const double third = 2.0 * std::numbers::pi / 3.0;
        const std::complex<double> u1 = std::polar(phases[0].voltage_v, 0.0);
        const std::complex<double> u2 = std::polar(phases[1].voltage_v, -third);
        const std::complex<double> u3 = std::polar(phases[2].voltage_v, third);
        snap.phases[0].voltage_v = std::abs(u1 - u2);
        snap.phases[1].voltage_v = std::abs(u1 - u3);
        snap.phases[2].voltage_v = std::abs(u2 - u3);
    }
    switch (config_.method) {
        case energy_method::vector_summation:
            snap.active_import_w = std::max(0.0, net_p);
            snap.active_export_w = std::max(0.0, -net_p);
            snap.reactive_import_var = std::max(0.0, net_q);
            snap.reactive_export_var = std::max(0.0, -net_q);
            break;
        case energy_method::individual_phases:
            snap.active_import_w = plus_p, snap.active_export_w = minus_p;
            snap.reactive_import_var = plus_q, snap.reactive_export_var = minus_q;
            break;
        case energy_method::total_summation:
            snap.active_import_w = abs_p, snap.reactive_import_var = abs_q;
            break;
    }
    const double s_total = std::hypot(net_p, net_q);
    snap.power_factor = s_total > 0 ? std::abs(net_p) / s_total : 1.0;
    snap.energy = energy_.total();

    const auto clock = floor<seconds>(meter_clock(t));
    snap.clock = meter_date_time(clock, config_.clock, config_.clock_unset);
    snap.daylight_saving = !config_.clock_unset && to_wall_time(clock, config_.clock).daylight_saving;
    snap.utc = meter_clock(t);
    return snap;
}

}  // namespace hansim::meter
