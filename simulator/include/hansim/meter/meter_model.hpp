#pragma once
/// @file
/// The meter model: turns simulated time into physically consistent readings. Power is
/// piecewise constant on a grid of `integration_step` (default 1 s) aligned to the epoch;
/// within a step every phase carries the derived state of the step's start (load profile,
/// overridden by the user's fixed phases). Energy registers integrate exactly that power
/// (energy_integrator.hpp), so at any instant the registers equal the initial values plus
/// ∫P dt, floored to mWh. No clock is read: time only comes in as a parameter. Runs of
/// steps whose power cannot change (a constant load between minute draws, load steps and
/// timeline instants) are integrated in one product, which is the same sum.
///
/// Three-phase 3-wire (Aron, IT grids): the phases are simulated as a star-equivalent load
/// (phase voltage = configured nominal, typically 230/√3 for a 3×230 V grid); the listed
/// voltages are the line-to-line magnitudes UL1 = |U1 − U2|, UL2 = |U1 − U3|,
/// UL3 = |U2 − U3| from the phasors, the currents are the line currents. Per-phase powers
/// still satisfy S = U·I with the star-equivalent U.
///
/// The timeline (config.events, timeline.hpp) is applied here: load sources, appliances,
/// noise, voltage and power factor decide the power of each step; during an outage the
/// power is zero (integration segments are cut at the outage edges, so the registers stay
/// exactly flat); clock events shape meter_clock(), and clock_rule events the wall clock.
/// The model is given only the physics part of a meter's configuration (physics_config):
/// its lists, line and security are the push source's (meter_source.hpp, settings_at()).

#include <array>
#include <chrono>
#include <memory>

#include "hansim/meter/energy_integrator.hpp"
#include "hansim/meter/meter_config.hpp"
#include "hansim/meter/phase.hpp"
#include "hansim/meter/snapshot.hpp"
#include "hansim/meter/timeline.hpp"

namespace hansim::meter {

class meter_model {
public:
    using time_point = std::chrono::sys_time<std::chrono::milliseconds>;

    /// Validates `config` (throws std::invalid_argument) and starts at config.start.
    explicit meter_model(physics_config config);

    /// The electrical state of the three phases in the integration step containing `t`
    /// (unused phases of a single-phase meter are zero). Pure: does not advance the model.
    std::array<phase_state, 3> phases_at(time_point t) const;

    /// Integrates energy up to `t`. Throws std::logic_error when `t` is before now().
    void advance_to(time_point t);

    /// Advances to `t` and reports everything a list may carry at `t`: identity,
    /// instantaneous values, totals, registers, the meter's wall clock (by the clock rule).
    snapshot take_snapshot(time_point t);

    time_point now() const { return now_; }
    energy_registers total_energy() const { return energy_.total(); }
    energy_registers phase_energy(std::size_t index) const { return energy_.phase(index); }
    const physics_config& config() const { return config_; }

    /// The meter's own clock at true UTC `t` (clock offset, unset clock and the timeline's
    /// clock_set / clock_jump / clock_drift applied).
    time_point meter_clock(time_point t) const;
    /// Whether the clock still counts from 2000-01-01 at `t` (clock_unset, no clock_set yet).
    bool clock_unset_at(time_point t) const;

    /// The clock rule of the wall clock at `t`: config().clock, or the last clock_rule event's.
    clock_rule clock_rule_at(time_point t) const;
    const resolved_timeline& timeline() const { return timeline_; }
    /// Replaces the timeline (live control, live_source.hpp): `events` resolved and checked
    /// first (std::invalid_argument as resolved_timeline's, the model unchanged). Events
    /// before now() would rewrite integrated energy: the caller keeps them at or after it.
    void set_events(hansim::meter::timeline events);

    /// Power of the step containing `t` in integer milli-units, as integrated.
    power_sample sample_at(time_point t) const;

private:
    /// What the power of a step takes from the step's start other than the wall clock's time
    /// of day (meter_model.cpp): the load source and profile in force, the minute's draws,
    /// appliances, voltage. It holds from its step until context_until().
    struct step_context;

    static power_sample sample_of(const std::array<phase_state, 3>& phases);
    step_context context_at(time_point step_start) const;
    std::array<phase_state, 3> phases_of(const step_context& context, std::chrono::milliseconds time_of_day) const;
    /// The meter's wall-clock time of day at `step_start`, whole seconds, as the load shapes see it.
    std::chrono::milliseconds time_of_day(time_point step_start) const;
    /// The first instant after `step_start` from which context_at() may differ (the next
    /// minute, load step or timeline instant).
    time_point context_until(time_point step_start) const;
    /// Whether the power of a step depends on the step's start beyond context_at(): through
    /// the time of day (load shapes other than constant), a ramp or a CSV series.
    bool varies_by_step(time_point step_start) const;
    /// The first instant after `step_start` from which a step's power may differ from the
    /// power of the step at `step_start` (`step_start` itself when it may change every step).
    time_point constant_until(time_point step_start) const;
    /// Integrates [now(), end) when the power changes every step only through the time of
    /// day: one context, each step's time of day from a fixed clock offset, the steps' powers
    /// added up and integrated in one product per register. Returns false (nothing done) when
    /// the run does not qualify (ramps, CSV series, clock drift, a DST change inside).
    bool integrate_by_time_of_day(time_point end);

    /// The context last asked for, with the span it holds for and what integration derived
    /// from it once (meter_model.cpp): a context is set up once a minute rather than once a
    /// step or a push. It points into this model, so a copy or a move starts without one.
    class context_memo {
    public:
        struct entry;
        context_memo() = default;
        context_memo(const context_memo&) noexcept {}
        context_memo(context_memo&&) noexcept {}
        context_memo& operator=(const context_memo&) noexcept { return forget(); }
        context_memo& operator=(context_memo&&) noexcept { return forget(); }
        context_memo& forget() noexcept {
            held.reset();
            return *this;
        }
        std::unique_ptr<entry, void (*)(entry*)> held{nullptr, nullptr};
    };
    /// The memo's entry for the step at `step_start` (set up when it holds another span).
    context_memo::entry& context_for(time_point step_start) const;

    physics_config config_;
    resolved_timeline timeline_;
    meter_identity identity_;
    energy_integrator energy_;
    time_point now_;
    std::chrono::milliseconds clock_offset_{0};
    mutable context_memo memo_;  ///< a cache: the model is used by one thread at a time
};

}  // namespace hansim::meter
