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
    memo_.forget();
}

namespace {

milliseconds drifted(double ppm, milliseconds elapsed) {
    if (ppm == 0) return milliseconds(0);  // most meters: no drift, no rounding to do
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

struct meter_model::step_context {
    time_point step_start{};
    std::optional<load_profile> changed;  ///< the profile as the timeline changed it, when it did
    const load_profile* profile = nullptr;  ///< config_.load or *changed
    load_minute minute;
    const resolved_timeline::entry* source = nullptr;
    std::optional<load_series_row> row;
    double appliances = 0;
    const resolved_timeline::entry* voltage = nullptr;

    const load_profile& load() const { return changed ? *changed : *profile; }
};

meter_model::step_context meter_model::context_at(time_point step_start) const {
    step_context c;
    c.step_start = step_start;
    // The load profile as the timeline has changed it.
    const auto* source = timeline_.latest(event_kind::load, step_start);
    const auto* noise = timeline_.latest(event_kind::noise, step_start);
    const auto* pf = timeline_.latest(event_kind::power_factor, step_start);
    c.profile = &config_.load;
    if (noise || pf || (source && source->event->load.type == load_source_type::shape)) {
        load_profile& changed = c.changed.emplace(config_.load);
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
    }
    c.minute = minute_of(c.load(), step_start, config_.seed);
    c.source = source;
    if (source && source->event->load.type == load_source_type::csv)
        c.row = interpolate(*source->event->load.series, step_start - source->at);
    {
        std::map<std::string, double> on;
        for (const auto& x : timeline_.entries()) {
            if (x.at > step_start) break;
            if (x.event->kind == event_kind::appliance) on[x.event->name] = x.event->value;
        }
        for (const auto& [name, watts] : on) c.appliances += watts;
    }
    c.voltage = timeline_.latest(event_kind::voltage, step_start);
    return c;
}

struct meter_model::context_memo::entry {
    time_point from{}, until{};  ///< the context of every step starting in [from, until)
    step_context context;        ///< its step_start (and a CSV row) set for the step asked for
    // What integrate_by_time_of_day() derives from the context, once:
    bool clock_known = false;
    bool drifting = false;              ///< clock drift: the wall clock is no fixed offset
    milliseconds clock_offset{0};       ///< meter clock − UTC throughout the context
    clock_rule rule = clock_rule::utc;  ///< of the wall clock throughout the context
    std::optional<power_sample> base;   ///< a sample in full: the fixed phases' powers, unused phases' zeros
};

meter_model::context_memo::entry& meter_model::context_for(time_point step_start) const {
    auto* e = memo_.held.get();
    if (e && step_start >= e->from && step_start < e->until) {
        step_context& c = e->context;
        c.step_start = step_start;
        if (c.row) c.row = interpolate(*c.source->event->load.series, step_start - c.source->at);
        return *e;
    }
    if (!e) {
        memo_.held = {new context_memo::entry, [](context_memo::entry* p) { delete p; }};
        e = memo_.held.get();
    }
    *e = context_memo::entry{};
    e->context = context_at(step_start);
    e->from = step_start;
    e->until = context_until(step_start);
    return *e;
}

std::chrono::milliseconds meter_model::time_of_day(time_point step_start) const {
    const auto clock = floor<seconds>(meter_clock(step_start));
    const wall_time wall = to_wall_time(clock, clock_rule_at(step_start));
    return duration_cast<milliseconds>(wall.local - floor<days>(wall.local));
}

std::array<phase_state, 3> meter_model::phases_at(time_point t) const {
    if (timeline_.in_outage(t)) return {};
    const auto step = config_.integration_step;
    const time_point step_start{floor<milliseconds>(t.time_since_epoch()) / step * step};
    return phases_of(context_for(step_start).context, time_of_day(step_start));
}

std::array<phase_state, 3> meter_model::phases_of(const step_context& c, milliseconds time_of_day) const {
    const time_point step_start = c.step_start;
    load_point load = evaluate(c.load(), c.minute, time_of_day);
    const auto* source = c.source;
    const std::optional<load_series_row>& row = c.row;
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
            case load_source_type::csv: break;  // the context's row, below
            case load_source_type::phases: break;  // per phase, below
            case load_source_type::shape:
            case load_source_type::profile: break;
        }
    }
    const double appliances = c.appliances;
    if (const auto* v = c.voltage) {
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
        s.active_mw[i] = round_half_away(phases[i].active_power_w * 1000.0);
        s.reactive_mvar[i] = round_half_away(phases[i].reactive_power_var * 1000.0);
    }
    return s;
}

bool meter_model::varies_by_step(time_point step_start) const {
    // The sample of a step depends on its start through the time of day (load shapes other
    // than constant), a ramp or a CSV series, and through context_at().
    const auto* source = timeline_.latest(event_kind::load, step_start);
    if (source) {
        const load_source& l = source->event->load;
        if (l.type == load_source_type::ramp || l.type == load_source_type::csv) return true;
        if (l.type == load_source_type::shape && l.shape != load_shape::constant) return true;
        if (l.type == load_source_type::profile && config_.load.shape != load_shape::constant) return true;
    } else if (config_.load.shape != load_shape::constant) {
        bool all_fixed = true;
        const std::size_t used = config_.wires == wiring::single_phase ? 1 : 3;
        for (std::size_t i = 0; i < used; ++i) all_fixed = all_fixed && config_.fixed_phases[i].has_value();
        if (!all_fixed) return true;
    }
    return false;
}

meter_model::time_point meter_model::context_until(time_point step_start) const {
    // The context changes with the minute (noise and voltage draws), the load steps and the
    // timeline.
    const auto* source = timeline_.latest(event_kind::load, step_start);
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

meter_model::time_point meter_model::constant_until(time_point step_start) const {
    // Without a dependence on the step itself, the power cannot change before the context does.
    return varies_by_step(step_start) ? step_start : context_until(step_start);
}

bool meter_model::integrate_by_time_of_day(time_point end) {
    const auto step = config_.integration_step;
    const time_point first{floor<milliseconds>(now_.time_since_epoch()) / step * step};
    context_memo::entry& memo = context_for(first);
    const step_context& context = memo.context;
    const time_point until = std::min(end, memo.until);
    const time_point last{floor<milliseconds>((until - milliseconds(1)).time_since_epoch()) / step * step};
    if (last <= first) return false;  // a single step: nothing to gain
    const auto* source = context.source;
    if (source && (source->event->load.type == load_source_type::ramp || source->event->load.type == load_source_type::csv))
        return false;
    if (timeline_.in_outage(first)) {  // the context ends with the outage: no power, no energy
        now_ = until;
        return true;
    }
    // The wall clock is the step start plus one fixed offset throughout the context: no drift,
    // and no clock event inside (clock events are timeline instants, which end the context).
    // A DST change can fall inside: it shows as different offsets at the two ends.
    if (!memo.clock_known) {
        const auto* drift = timeline_.latest(event_kind::clock_drift, first);
        memo.drifting = drift && drift->event->value != 0.0;
        memo.clock_offset = meter_clock(first) - first;
        memo.rule = clock_rule_at(first);
        memo.clock_known = true;
    }
    if (memo.drifting) return false;
    const milliseconds clock_offset = memo.clock_offset;
    const auto wall_offset = [&](time_point step_start) {
        const auto clock = floor<seconds>(step_start + clock_offset);
        return to_wall_time(clock, memo.rule).utc_offset;
    };
    const minutes utc_offset = wall_offset(first);
    if (wall_offset(last) != utc_offset) return false;

    constexpr std::int64_t ms_per_day = 86'400'000;
    const auto local_time_of_day = [&](time_point step_start) {
        const auto local = floor<seconds>(step_start + clock_offset) + utc_offset;
        const std::int64_t ms = duration_cast<milliseconds>(local.time_since_epoch()).count() % ms_per_day;
        return milliseconds(ms < 0 ? ms + ms_per_day : ms);
    };
    // Each step's power. When the load profile decides every phase that is not fixed (the
    // last case of phases_of), only its total active power changes from step to step: that
    // and the phases' P and Q are computed alone, with the very expressions of phases_of and
    // derive_phase (P·share, S = |P|/PF, Q = ±√(S² − P²)). Once a context, a step goes
    // through phases_of in full, which also checks what derive_phase checks (voltages, power
    // factor) and gives the fixed phases, whose power holds throughout.
    const auto* l = source ? &source->event->load : nullptr;
    const bool by_profile =
        !context.row && (!l || l->type == load_source_type::shape || l->type == load_source_type::profile);
    if (!memo.base) memo.base = sample_of(phases_of(context, local_time_of_day(first)));
    const power_sample& base = *memo.base;
    const std::size_t used = config_.wires == wiring::single_phase ? 1 : 3;
    std::array<double, 3> share{};
    std::array<bool, 3> by_load{};  // the phases the load decides (not fixed, in use)
    {
        double share_sum = 0;
        for (std::size_t i = 0; i < used; ++i) share_sum += config_.load.phase_share[i];
        for (std::size_t i = 0; i < used; ++i) {
            share[i] = share_sum > 0 ? config_.load.phase_share[i] / share_sum : 0.0;
            by_load[i] = !config_.fixed_phases[i];
        }
    }
    const load_profile& profile = context.load();
    const load_curve curve(profile, context.minute);  // load_power_w(profile, context.minute, ·)
    const double appliances = context.appliances;
    const double power_factor = profile.power_factor;
    const bool capacitive = profile.capacitive;
    const auto sample_at_step = [&](milliseconds tod) {
        if (!by_profile) return sample_of(phases_of(context, tod));
        const double total = curve.at(tod) + appliances;
        power_sample sample = base;  // the fixed phases' (and unused phases' zeros)
        for (std::size_t i = 0; i < 3; ++i) {
            if (!by_load[i]) continue;
            double p = total * share[i];
            if (power_factor == 0) p = 0.0;
            const double apparent = power_factor == 0 ? 0 : std::abs(p) / power_factor;
            if (std::abs(p) > apparent + apparent * 1e-9) return sample_of(phases_of(context, tod));  // derive_phase refuses
            const double q = derived_q_sign(p, false, capacitive) * other_leg(apparent, p);
            sample.active_mw[i] = round_half_away(p * 1000.0);
            sample.reactive_mvar[i] = round_half_away(q * 1000.0);
        }
        return sample;
    };
    // The first and last steps may be parts of steps; the whole ones between are added up.
    energy_integrator::step_sums whole(energy_, step);
    // With whole-second steps the wall clock's time of day moves on by the step exactly.
    const bool whole_seconds = step % seconds(1) == milliseconds(0);
    milliseconds tod = local_time_of_day(first);
    for (time_point s = first; s <= last; s += step) {
        if (s != first) {
            if (whole_seconds) {
                tod += step;
                if (tod.count() >= ms_per_day) tod -= milliseconds(ms_per_day);
            } else {
                tod = local_time_of_day(s);
            }
        }
        const power_sample sample = sample_at_step(tod);
        const time_point from = std::max(s, now_);
        const time_point to = std::min(s + step, until);
        if (to - from != step) energy_.integrate(sample, to - from);
        else whole.add(sample);
    }
    whole.flush();
    now_ = until;
    return true;
}

void meter_model::advance_to(time_point t) {
    if (t < now_) throw std::logic_error("meter_model::advance_to: time went backwards");
    const auto step = config_.integration_step;
    while (now_ < t) {
        const time_point step_start{floor<milliseconds>(now_.time_since_epoch()) / step * step};
        time_point segment_end = std::min(step_start + step, t);
        if (segment_end < t && varies_by_step(step_start) && integrate_by_time_of_day(t)) continue;
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
