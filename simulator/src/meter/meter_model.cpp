#include "hansim/meter/meter_model.hpp"

#include <cmath>
#include <complex>
#include <map>
#include <optional>
#include <algorithm>
#include <numbers>
#include <stdexcept>

#include "hansim/meter/load_profile.hpp"

namespace hansim::meter {

using namespace std::chrono;

meter_model::meter_model(physics_config config)
    : config_((validate(config), std::move(config))),
      timeline_(config_.events, config_.start),
      identity_(identity_of(config_)),
      energy_(config_.method, config_.initial_energy, initial_phase_energy_of(config_)),
      now_(config_.start) {
    if (config_.clock_unset)
        clock_offset_ = sys_days{year{2000} / January / 1} - floor<seconds>(config_.start);
    else
        clock_offset_ = config_.clock_offset;
}

void meter_model::set_events(hansim::meter::timeline events) {
    resolved_timeline resolved(events, config_.start);  // throws before anything changes
    config_.events = std::move(events);
    timeline_ = std::move(resolved);
}

namespace {

milliseconds drifted(double ppm, milliseconds elapsed) {
    return milliseconds(std::llround(static_cast<double>(elapsed.count()) * ppm / 1e6));
}

// Linear interpolation of a CSV series at `offset` after its event; the last row holds.
load_series_row interpolate(const load_series& series, milliseconds offset) {
    const auto& rows = series.rows;
    auto after = std::upper_bound(rows.begin(), rows.end(), offset,
                                  [](milliseconds o, const load_series_row& r) { return o < r.offset; });
    if (after == rows.begin()) return rows.front();
    if (after == rows.end()) return rows.back();
    const load_series_row& a = *std::prev(after);
    const load_series_row& b = *after;
    const double f = static_cast<double>((offset - a.offset).count()) / static_cast<double>((b.offset - a.offset).count());
    auto mix = [f](const std::array<double, 3>& x, const std::array<double, 3>& y) {
        std::array<double, 3> out{};
        for (std::size_t i = 0; i < 3; ++i) out[i] = x[i] + (y[i] - x[i]) * f;
        return out;
    };
    load_series_row out = a;
    out.offset = offset;
    out.active_w = mix(a.active_w, b.active_w);
    if (a.reactive_var && b.reactive_var) out.reactive_var = mix(*a.reactive_var, *b.reactive_var);
    if (a.power_factor && b.power_factor) out.power_factor = mix(*a.power_factor, *b.power_factor);
    if (a.voltage_v && b.voltage_v) out.voltage_v = mix(*a.voltage_v, *b.voltage_v);
    return out;
}

}  // namespace

meter_model::time_point meter_model::meter_clock(time_point t) const {
    milliseconds offset = clock_offset_;
    double ppm = 0;
    time_point last = config_.start;
    for (const auto& x : timeline_.entries()) {
        if (x.at > t) break;
        const timeline_event& e = *x.event;
        if (e.kind != event_kind::clock_set && e.kind != event_kind::clock_jump && e.kind != event_kind::clock_drift)
            continue;
        offset += drifted(ppm, x.at - last);
        last = x.at;
        if (e.kind == event_kind::clock_set) offset = e.clock_time - x.at;
        else if (e.kind == event_kind::clock_jump) offset += e.amount;
        else ppm = e.value;
    }
    return t + offset + drifted(ppm, t - last);
}

bool meter_model::clock_unset_at(time_point t) const {
    if (!config_.clock_unset) return false;
    const auto* set = timeline_.latest(event_kind::clock_set, t);
    return set == nullptr;
}

clock_rule meter_model::clock_rule_at(time_point t) const {
    const auto* changed = timeline_.latest(event_kind::clock_rule, t);
    return changed ? changed->event->rule : config_.clock;
}

std::array<phase_state, 3> meter_model::phases_at(time_point t) const {
    if (timeline_.in_outage(t)) return {};
    const auto step = config_.integration_step;
    const time_point step_start{floor<milliseconds>(t.time_since_epoch()) / step * step};
    const auto clock = floor<seconds>(meter_clock(step_start));
    const wall_time wall = to_wall_time(clock, clock_rule_at(step_start));
    const auto time_of_day = duration_cast<milliseconds>(wall.local - floor<days>(wall.local));

    // The load profile as the timeline has changed it.
    const auto* source = timeline_.latest(event_kind::load, step_start);
    const auto* noise = timeline_.latest(event_kind::noise, step_start);
    const auto* pf = timeline_.latest(event_kind::power_factor, step_start);
    const load_profile* profile = &config_.load;
    load_profile changed;
    if (noise || pf || (source && source->event->load.type == load_source_type::shape)) {
        changed = config_.load;
        if (noise) changed.noise = noise->event->value;
        if (pf) changed.power_factor = pf->event->value, changed.capacitive = pf->event->flag;
        if (source && source->event->load.type == load_source_type::shape) {
            const load_source& l = source->event->load;
            changed.shape = l.shape;  // numbers not given (NaN): the meter's own
            if (!std::isnan(l.base_w)) changed.base_w = l.base_w;
            if (!std::isnan(l.peak_w)) changed.peak_w = l.peak_w;
            if (!std::isnan(l.solar_peak_w)) changed.solar_peak_w = l.solar_peak_w;
            changed.steps.clear();
        }
        profile = &changed;
    }
    load_point load = evaluate(*profile, step_start, time_of_day, config_.seed);
    std::optional<load_series_row> row;
    if (source) {
        const load_source& l = source->event->load;
        switch (l.type) {
            case load_source_type::constant: load.active_power_w = l.from_w; break;
            case load_source_type::ramp: {
                const double f = std::clamp(static_cast<double>((step_start - source->at).count()) /
                                                static_cast<double>(l.over.count()),
                                            0.0, 1.0);
                load.active_power_w = l.from_w + (l.to_w - l.from_w) * f;
                break;
            }
            case load_source_type::csv: row = interpolate(*l.series, step_start - source->at); break;
            case load_source_type::phases: break;  // per phase, below
            case load_source_type::shape:
            case load_source_type::profile: break;
        }
    }
    double appliances = 0;
    {
        std::map<std::string, double> on;
        for (const auto& x : timeline_.entries()) {
            if (x.at > step_start) break;
            if (x.event->kind == event_kind::appliance) on[x.event->name] = x.event->value;
        }
        for (const auto& [name, watts] : on) appliances += watts;
    }
    if (const auto* v = timeline_.latest(event_kind::voltage, step_start)) {
        double phase_v = v->event->value;
        if (config_.wires == wiring::three_phase_3wire) phase_v /= std::sqrt(3.0);  // given line-to-line
        for (auto& u : load.voltage_v) u += phase_v - config_.load.nominal_voltage_v;
    }
    if (row && row->voltage_v) load.voltage_v = *row->voltage_v;

    const std::size_t used = config_.wires == wiring::single_phase ? 1 : 3;
    double share_sum = 0;
    for (std::size_t i = 0; i < used; ++i) share_sum += config_.load.phase_share[i];

    std::array<phase_state, 3> phases{};
    for (std::size_t i = 0; i < used; ++i) {
        if (config_.fixed_phases[i]) {
            phases[i] = derive_phase(*config_.fixed_phases[i], load.voltage_v[i]);
            continue;
        }
        const double share = share_sum > 0 ? config_.load.phase_share[i] / share_sum : 0.0;
        phase_setpoint set;
        set.voltage_v = load.voltage_v[i];
        if (row) {
            set.active_power_w = row->active_w[i] + appliances * share;
            if (row->reactive_var) set.reactive_power_var = (*row->reactive_var)[i];
            else if (row->power_factor) set.power_factor = (*row->power_factor)[i];
            if (set.power_factor && *set.power_factor == 0) set.active_power_w = 0.0;
        } else if (source && source->event->load.type == load_source_type::phases) {
            set.active_power_w = source->event->load.phase_w[i] + appliances * share;
            set.power_factor = load.power_factor;
            set.capacitive = load.capacitive;
            if (load.power_factor == 0) set.active_power_w = 0.0;
        } else {
            set.active_power_w = (load.active_power_w + appliances) * share;
            set.power_factor = load.power_factor;
            set.capacitive = load.capacitive;
            if (load.power_factor == 0) set.active_power_w = 0.0;
        }
        phases[i] = derive_phase(set, config_.load.nominal_voltage_v);
    }
    return phases;
}

power_sample meter_model::sample_at(time_point t) const { return sample_of(phases_at(t)); }

power_sample meter_model::sample_of(const std::array<phase_state, 3>& phases) {
    power_sample s;
    for (std::size_t i = 0; i < 3; ++i) {
        s.active_mw[i] = std::llround(phases[i].active_power_w * 1000.0);
        s.reactive_mvar[i] = std::llround(phases[i].reactive_power_var * 1000.0);
    }
    return s;
}

meter_model::time_point meter_model::constant_until(time_point step_start) const {
    // The sample of a step depends on its start through the time of day (load shapes other
    // than constant, ramps, CSV series), the minute (noise and voltage draws), the load
    // steps and the timeline. Without the first two it cannot change before the next
    // minute, load step or timeline instant.
    const time_point none = step_start;
    const auto* source = timeline_.latest(event_kind::load, step_start);
    if (source) {
        const load_source& l = source->event->load;
        if (l.type == load_source_type::ramp || l.type == load_source_type::csv) return none;
        if (l.type == load_source_type::shape && l.shape != load_shape::constant) return none;
        if (l.type == load_source_type::profile && config_.load.shape != load_shape::constant) return none;
    } else if (config_.load.shape != load_shape::constant) {
        bool all_fixed = true;
        const std::size_t used = config_.wires == wiring::single_phase ? 1 : 3;
        for (std::size_t i = 0; i < used; ++i) all_fixed = all_fixed && config_.fixed_phases[i].has_value();
        if (!all_fixed) return none;
    }
    time_point until = floor<minutes>(step_start) + minutes(1);
    const bool shape_source = source && source->event->load.type == load_source_type::shape;
    if (!shape_source) {
        auto next_step = std::upper_bound(config_.load.steps.begin(), config_.load.steps.end(), step_start,
                                          [](time_point x, const load_step& s) { return x < s.at; });
        if (next_step != config_.load.steps.end()) until = std::min(until, next_step->at);
    }
    for (const auto& x : timeline_.entries()) {
        if (x.at > step_start) {
            until = std::min(until, x.at);
            break;  // entries are in time order; later ones start later still
        }
        if (x.until && *x.until > step_start) until = std::min(until, *x.until);
    }
    return until;
}

void meter_model::advance_to(time_point t) {
    if (t < now_) throw std::logic_error("meter_model::advance_to: time went backwards");
    const auto step = config_.integration_step;
    while (now_ < t) {
        const time_point step_start{floor<milliseconds>(now_.time_since_epoch()) / step * step};
        time_point segment_end = std::min(step_start + step, t);
        if (segment_end < t) {
            // Whole steps whose power cannot differ from this one's are integrated at once
            // (exactly: P·Δt is additive); a step starting at or after `until` may differ.
            const time_point until = constant_until(step_start);
            if (until > segment_end) {
                const auto ceil_steps = (until - step_start + step - milliseconds(1)) / step;
                segment_end = std::min(step_start + ceil_steps * step, t);
            }
        }
        for (const auto& x : timeline_.entries()) {  // cut at outage edges: energy stops exactly
            if (x.event->kind != event_kind::outage) continue;
            if (x.at > now_ && x.at < segment_end) segment_end = x.at;
            if (x.until && *x.until > now_ && *x.until < segment_end) segment_end = *x.until;
        }
        energy_.integrate(sample_at(now_), segment_end - now_);
        now_ = segment_end;
    }
}

snapshot meter_model::take_snapshot(time_point t) {
    advance_to(t);
    const auto phases = phases_at(t);
    const power_sample sample = sample_of(phases);

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
    const clock_rule rule = clock_rule_at(t);
    const bool unset = clock_unset_at(t);
    snap.clock = meter_date_time(clock, rule, unset);
    snap.daylight_saving = !unset && to_wall_time(clock, rule).daylight_saving;
    snap.utc = meter_clock(t);
    return snap;
}

}  // namespace hansim::meter
