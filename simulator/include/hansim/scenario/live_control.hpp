#pragma once
/// @file
/// Live control of a running meter: a timeline event or a fault, given as text in the
/// grammars of `--event` (event_spec.hpp) and `--faults` (faults/catalogue.hpp), applied to a
/// meter that is already pushing. The push schedule they act on is PROTOCOLS.md §8.
///
/// Who calls what:
///   - io::session::post_live / apply_live (paced meters: `hansim run`, Python's Session,
///     the HTTP controls) and io::unpaced_runner::change_live (Python's advance()) call
///     live_meter::apply on the meter's runner thread, between frames, after taking back a
///     push that was built but has not started (meter/live_source.hpp);
///   - live_meter::apply parses, resolves and checks the change against the meter as it
///     runs, then hands it to the push source.
/// So a change shows in the ground truth (push_frame.events, push_frame.fault /
/// fault_rule / effect) of the first frame whose bytes have not started yet when it is made.
///
/// Events: KIND[=ARGS][@WHEN[/FOR]], every kind of the event table (load, appliance, noise,
/// voltage, power_factor, outage, port_cut, data_request, clock_set, clock_jump,
/// clock_drift, clock_rule, key_change, counter_reset, security, lists, list2_delay,
/// p1_period, firmware). WHEN is
///   - `now`, or left out (no `@`): the meter's time now;
///   - `+DURATION`: that long after the meter's time now (not after the start of the run);
///   - an ISO 8601 time, not before the meter's time now.
/// `/FOR` needs an explicit WHEN (`outage@now/20m`): without `@` a `/` is part of ARGS (a key
/// file path). Files (key_change=FILE, load=csv:FILE) are relative to the working directory.
/// The applied event's text, which frames list in `events`, carries the absolute time, e.g.
/// `load=constant:3000@2024-01-15T13:00:00Z`.
///
/// Faults: NAME[:PARAM=VALUE]...[@SELECTION][,...] as in `--faults`, and two more selections:
/// `@next` (also when `@` is left out): the next push built; `@next:K`: the next K pushes.
/// `@N` and `@A-B` are push sequence numbers as in `--faults` (pushes already built are
/// refused), `every:K` and `rate:P` select among the pushes from now on, and in
/// `time:T[..T2]` a `+DURATION` counts from the meter's time now. The applied text names the
/// pushes (`bad_fcs@17`). A rule is checked as `--faults` is (catalogue, parameters, profile,
/// port, security policy at the time).
///
/// Every problem is a live_error (std::invalid_argument) whose message says what was given
/// and what is wrong, e.g. "event 'lod=3kW': kind: unknown event kind 'lod' (known: ...)";
/// the meter then runs on unchanged. The meter's time is passed in; nothing here reads a
/// clock.

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "hansim/meter/meter_config.hpp"
#include "hansim/meter/push_frame.hpp"
#include "hansim/scenario/meter_settings.hpp"

namespace hansim::scenario {

/// A live change that cannot apply; the message is for people.
class live_error : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

/// What a live change is.
enum class live_kind { event, fault };

/// A live change as the user wrote it.
struct live_request {
    live_kind kind = live_kind::event;
    std::string text;
};

/// "event 'TEXT'" or "fault 'TEXT'": how messages about a request name it.
std::string describe(const live_request& request);

/// What a live change did.
struct live_result {
    bool ok = false;
    std::string applied;  ///< the change as applied (absolute times, resolved selections)
    std::string error;    ///< when !ok: why (for people)
    utc_ms meter_now{};   ///< the meter's time when it was applied
    utc_ms at{};          ///< when it takes effect (events: its time; faults: the meter's time)
};

/// The live-control state of one running meter: its configuration with every change so
/// far. Not thread-safe: used on the meter's runner thread only (see the file comment).
class live_meter {
public:
    /// `config`: the meter as prepared (prepared_meter::config: settings of events resolved,
    /// key files and CSV series loaded); `port`: its port text (for the faults' port check);
    /// `end`: the end of the run, when known (later events are refused).
    live_meter(meter::meter_config config, std::string port, std::optional<utc_ms> end = std::nullopt);

    /// Applies `request` to `source` (made with live control: source.live() not null) at
    /// the meter's time `now`. Returns what was applied; throws live_error, leaving the
    /// source unchanged.
    live_result apply(const live_request& request, meter::push_source& source, utc_ms now);

    /// The configuration with every event applied so far.
    const meter::meter_config& config() const { return config_; }

private:
    live_result apply_event(std::string_view text, meter::push_source& source, utc_ms now);
    live_result apply_fault(std::string_view text, meter::push_source& source, utc_ms now);

    meter::meter_config config_;
    std::string port_;
    std::optional<utc_ms> end_;
};

/// The one-line help of live changes (for --help texts and error messages).
std::string live_help();

}  // namespace hansim::scenario
