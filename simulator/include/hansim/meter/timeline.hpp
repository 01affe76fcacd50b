#pragma once
/// @file
/// The scenario timeline of one meter: what happens to it, and when (PROTOCOLS.md §8, the
/// push schedule, and §8.5, the clock, are what the events act on). A timeline is data: the
/// meter model and the push source (meter_source.hpp) apply it, so `hansim generate`
/// (virtual time), `hansim run` (real or --speed time) and Python see the same frames.
/// Nothing here reads a clock or a file: key files and CSV series are loaded by the
/// scenario layer (scenario/event_spec.hpp) into the events before a meter is made.
///
/// Every event has a time, absolute (true UTC) or relative to the meter's start, and some
/// last `for` a duration. The kinds are one table (event_kinds()), from which --help and
/// the docs come:
///
/// | kind           | parameters                                 | what happens |
/// |----------------|--------------------------------------------|--------------|
/// | load           | W, constant:W, phases:W1[:W2:W3], ramp:FROM:TO:OVER, daily_curve[:BASE:PEAK], solar[:BASE:PEAK:SOLAR_PEAK], csv:FILE, profile | the total load source from then on (W signed: negative is export; `3kW` = 3000; a bare W is constant:W); phases: each phase's active power |
/// | appliance      | NAME:W                                     | adds W on top of the load until NAME is set again (0 switches it off) |
/// | noise          | REL (0..1)                                 | relative load noise of daily_curve/solar from then on (seeded) |
/// | voltage        | V                                          | the grid level becomes V (line-to-line on 3-wire), for sag/swell: each phase keeps its own ± spread (`voltage_spread_v`, 4 V) around it; with `for` it returns afterwards |
/// | power_factor   | PF[:capacitive]                            | load power factor; with `for` it returns afterwards |
/// | outage         | (none; `for` required)                     | mains lost: no pushes, energy flat, the clock runs on |
/// | port_cut       | (none; `for` required)                     | the HAN/P1 port has no power: the meter integrates and counts on, nothing reaches the wire |
/// | data_request   | on, off                                    | the P1 data-request line asserted or released |
/// | clock_set      | ISO time                                   | the meter clock is set to that time |
/// | clock_jump     | ±DURATION                                  | the meter clock jumps |
/// | clock_drift    | PPM (signed)                               | the meter clock runs fast (+) or slow (−) from then on |
/// | clock_rule     | cet_fixed, local_dst, utc                  | the DST rule of the wall clock changes |
/// | key_change     | KEY_FILE                                   | the keys of that file take over |
/// | counter_reset  | [N] (default: initial_invocation_counter)  | the invocation counter restarts at N |
/// | security       | none, encrypt, authenticate, encrypt+authenticate | ciphering switched |
/// | lists          | list1,list2,…                              | the pushed lists switch |
/// | list2_delay    | 0..5                                       | list 2 moves to xx:00:05 + 10 s·k |
/// | p1_period      | DURATION                                   | the P1 telegram period changes |
/// | firmware       | KEY=VALUE,… (energy_resolution, current_resolution, voltage_resolution, date_time_form, single_phase_form, power_multiplier) | a remote update changes the wire format |
///
/// Load sources: constant, phases, ramp and csv are exact (no noise); daily_curve and solar follow
/// the meter's load profile with the given numbers and its noise. A ramp goes linearly from
/// FROM at the event to TO at event + OVER and holds TO. A CSV series (event_spec.hpp gives
/// the columns) carries per-phase P, Q or PF, and U; values are interpolated linearly between
/// rows, sampled at the start of each integration step, and the last row holds after the
/// end. `profile` hands control back to the meter's configured load. Power is piecewise
/// constant per integration step and the energy registers integrate exactly that power
/// (energy_integrator.hpp), zero during an outage.
///
/// Silence (PROTOCOLS.md §8.6 gives the reasoning). Frames a silent meter or port would not
/// send are not emitted:
/// - outage: the meter is off; the pushes whose trigger falls in the outage are never made
///   (no sequence number, no invocation counter). On return the meter resumes as an
///   OMNIPOWER does after a mains failure: registers and invocation counter come back from
///   non-volatile memory unchanged, the clock has kept time on its backup (it "runs on"),
///   and pushes continue at the first regular slot after the return. Missed hourly list 2s
///   are not replayed; the next list 2 reports the registers of its own full hour. We model
///   no boot delay because the HAN lists carry no boot indication a reader could check.
/// - port_cut and data_request=off: the meter runs. Under a port cut it still builds and
///   seals each push (sequence and invocation counter advance, as the meter cannot know);
///   with the P1 request released a P1 meter sends nothing and seals nothing. Either way
///   the next emitted push_frame counts the slots in `silenced_before`.
///
/// Clock. clock_set, clock_jump and clock_drift change the meter's clock (its UTC), from
/// which the push slots follow: after a jump the schedule restarts at the new meter time,
/// so a clock set back repeats slots and one set forward skips them, as on a real meter.
/// A drift of D ppm makes the meter clock gain D µs per second from the event on.
///
/// Ground truth: an event is "in force" for a frame when it happened at or before the
/// frame's trigger, has not ended (`for`), and no later event of the same channel replaced
/// it (one channel per kind, per appliance name for appliance; clock_jump, clock_set and
/// firmware events each stay in force). push_frame.events lists them as spec texts.

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hansim/meter/clock_rule.hpp"
#include "hansim/meter/load_profile.hpp"
#include "hansim/security/keys.hpp"

namespace hansim::meter {

struct meter_config;

enum class event_kind {
    load, appliance, noise, voltage, power_factor,
    outage, port_cut, data_request,
    clock_set, clock_jump, clock_drift, clock_rule,
    key_change, counter_reset, security, lists, list2_delay, p1_period, firmware,
};

/// Whether an event kind takes a duration (`for`).
enum class event_duration { none, optional, required };

/// One row of the event table.
struct event_kind_info {
    event_kind kind;
    std::string_view name;        ///< as written in scenarios and --event
    std::string_view parameters;  ///< the argument grammar, for help and errors
    std::string_view description;
    event_duration duration;
};

/// The table of event kinds, in documentation order.
const std::vector<event_kind_info>& event_kinds();
/// The row of `kind`.
const event_kind_info& info(event_kind kind);
/// The row named `name`, or null.
const event_kind_info* find_event_kind(std::string_view name);

/// One row of a CSV load series: per-phase values at `offset` after the event.
struct load_series_row {
    std::chrono::milliseconds offset{0};
    std::array<double, 3> active_w{};                     ///< signed
    std::optional<std::array<double, 3>> reactive_var;    ///< signed; or
    std::optional<std::array<double, 3>> power_factor;    ///< 0..1 (Q follows P's sign, inductive)
    std::optional<std::array<double, 3>> voltage_v;       ///< phase-to-neutral
};

/// A CSV series: rows in increasing offset, the first at offset 0.
struct load_series {
    std::string file;  ///< where it came from (for ground truth and errors)
    std::vector<load_series_row> rows;
};

enum class load_source_type { constant, ramp, shape, csv, profile, phases };

struct load_source {
    load_source_type type = load_source_type::profile;
    double from_w = 0;                      ///< constant: the power; ramp: at the event
    double to_w = 0;                        ///< ramp: at the end
    std::chrono::milliseconds over{0};      ///< ramp: how long
    load_shape shape = load_shape::daily_curve;  ///< shape
    double base_w = 0, peak_w = 0, solar_peak_w = 0;  ///< shape (NaN: the meter's own)
    std::shared_ptr<const load_series> series;   ///< csv
    std::array<double, 3> phase_w{};             ///< phases: L1, L2, L3 active power (signed)
};

struct timeline_event {
    event_kind kind = event_kind::load;
    /// When: relative to the meter's start, or absolute UTC (exactly one is set).
    std::optional<std::chrono::milliseconds> after_start;
    std::optional<std::chrono::sys_time<std::chrono::milliseconds>> at;
    std::optional<std::chrono::milliseconds> lasts;  ///< `for`

    std::string text;  ///< the event as written (canonical spec), for ground truth and errors

    // Parameters, by kind.
    load_source load;                 ///< load
    std::string name;                 ///< appliance name
    double value = 0;                 ///< appliance W, noise, voltage V, power factor, drift ppm
    bool flag = false;                ///< power_factor: capacitive; data_request: asserted
    std::chrono::milliseconds amount{0};  ///< clock_jump, p1_period
    std::chrono::sys_time<std::chrono::milliseconds> clock_time{};  ///< clock_set
    meter::clock_rule rule = clock_rule::cet_fixed;                 ///< clock_rule
    std::optional<std::uint32_t> counter;  ///< counter_reset (empty: initial_invocation_counter)
    std::string key_file;                  ///< key_change (as written)
    std::optional<security::security_keys> keys;  ///< key_change, loaded by the scenario layer
    /// Settings-changing kinds (clock_rule, security, lists, list2_delay, p1_period,
    /// firmware): the setting keys and values (meter_settings.hpp spelling), and the whole
    /// configuration after this event, resolved by the scenario layer (prepare_meter).
    std::vector<std::pair<std::string, std::string>> settings;
    std::shared_ptr<const meter_config> config_after;

    /// Where it was written, for errors: file (empty for --event), line (0: unknown), field.
    std::string origin_file;
    int origin_line = 0;
    std::string origin_field;
};

using timeline = std::vector<timeline_event>;

/// Whether an event of this kind changes meter settings (needs config_after).
bool changes_settings(event_kind kind);

/// A timeline with resolved times, sorted by time (stable), checked. Built by the model.
class resolved_timeline {
public:
    using time_point = std::chrono::sys_time<std::chrono::milliseconds>;

    resolved_timeline() = default;
    /// Resolves relative times against `start` and checks: times at or after start, `for`
    /// given where required and positive, outages not overlapping each other, parameters in
    /// range, a P1 request not released for good. Throws std::invalid_argument
    /// "FILE:LINE: FIELD: problem" for events read from a file, else "events[I] 'TEXT': problem".
    /// (Loaded keys and resolved settings are the push source's to check.)
    resolved_timeline(const timeline& events, time_point start);

    struct entry {
        time_point at;
        std::optional<time_point> until;
        const timeline_event* event;  ///< into the owned copy
    };
    const std::vector<entry>& entries() const { return entries_; }
    bool empty() const { return entries_.empty(); }

    /// Within an outage at `t`.
    bool in_outage(time_point t) const;
    /// Within a port cut at `t`.
    bool port_cut(time_point t) const;
    /// The P1 data request at `t` (true when no event says otherwise).
    bool data_request(time_point t) const;
    /// The last event of `kind` at or before `t` still in force, or null.
    const entry* latest(event_kind kind, time_point t) const;
    /// Spec texts of the events in force at `t` (see the file comment).
    std::vector<std::string> in_force(time_point t) const;
    /// The entries that begin or end within (after, up_to], in timeline order.
    std::vector<const entry*> changes(std::optional<time_point> after, time_point up_to) const;

private:
    std::shared_ptr<const timeline> owned_;
    std::vector<entry> entries_;
};

}  // namespace hansim::meter
