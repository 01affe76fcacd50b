#pragma once
/// @file
/// Timeline events as text (meter/timeline.hpp has the kinds and what they do; the push
/// schedule they act on is PROTOCOLS.md §8). One grammar, two spellings:
///
/// - one line, for `--event SPEC` and Python:  KIND[=ARGS]@WHEN[/FOR]
///     appliance=ev_charger:7400@+17h30m
///     outage@+2h/20m
///     load=ramp:0:-4000:2h@2024-06-01T08:00:00Z
///     key_change=keys/example-2.txt@+1h
///     firmware=date_time_form=legacy_09,energy_resolution=1wh@+30m
/// - a scenario mapping (scenario.hpp), the same words as keys:
///     - { at: +17h30m, appliance: ev_charger:7400 }
///     - { at: +2h, for: 20m, outage: true }
///
/// WHEN is "+DURATION" after the meter's start or an ISO 8601 time; FOR and every duration
/// are as in meter_settings.hpp ("90s", "1h30m"). KIND is a name of the event table; ARGS
/// are split at ':' as that kind's parameters say (a file name takes the rest). A kind
/// without parameters takes none (in YAML: `true` or empty). The legacy power steps
/// `{ at, power: W }` and `{ at, release: true }` mean load=constant:W and load=profile.
///
/// A CSV load series (load=csv:FILE; FILE relative to the scenario file, or to the working
/// directory for --event) has a header line naming its columns, then one row per line;
/// empty lines and lines starting with '#' are skipped:
///     time,p1,p2,p3,q1,q2,q3,u1,u2,u3
///     0s,1200,800,400,100,80,40,231,230,229
///     15m,3000,800,400,300,80,40,228,230,229
/// `time` (required, first) is a duration after the event, increasing, the first 0;
/// p1..p3 are per-phase active power in W (signed, at least p1; missing phases are 0);
/// either q1..q3 (var, signed) or pf1..pf3 (0 < PF <= 1, inductive); u1..u3 phase voltages
/// (V). Values are linear between rows and the last row holds (timeline.hpp).
/// A bad row is reported as "FILE:LINE: COLUMN: expected …, got '…'".

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "hansim/meter/meter_config.hpp"
#include "hansim/meter/timeline.hpp"
#include "hansim/scenario/meter_settings.hpp"

namespace hansim::scenario {

/// A bad event. field() is "at", "for", "kind" or the kind's name (its arguments); what()
/// says what was expected and what was given.
class event_spec_error : public std::invalid_argument {
public:
    event_spec_error(std::string field, const std::string& problem);
    const std::string& field() const { return field_; }

private:
    std::string field_;
};

/// One event from its parts (as the YAML mapping gives them). No I/O: a CSV series or a key
/// file is named, not loaded. Throws event_spec_error.
meter::timeline_event make_event(std::string_view kind, std::string_view args, std::string_view when,
                                 std::optional<std::string_view> lasts);

/// One event from the one-line form. Throws event_spec_error. No I/O.
meter::timeline_event parse_event_spec(std::string_view text);

/// Loads what the event names besides keys: the CSV series of load=csv:FILE, relative to
/// `base_directory` (empty: the working directory). Throws scenario_error for a bad row or
/// an unreadable file (file, line, column).
void load_event_files(meter::timeline_event& event, const std::filesystem::path& base_directory);

/// Parses a CSV load series (see the file comment); `file` names it in errors and in the
/// series. Throws scenario_error (file, line, column, what was expected).
meter::load_series parse_load_csv(std::string_view text, std::string_view file);

/// Fills config_after of the settings-changing events of `config.events` (in time order,
/// each on top of the previous), so the meter layer needs no settings parser. Throws
/// std::invalid_argument naming the event when a result is not a valid configuration.
void resolve_event_settings(meter::meter_config& config);

/// Checks the timeline of `config` before anything is opened: every event at or after the
/// start and, for events given with the run (--event, Python; not read from a scenario
/// file, whose later events a shorter run simply does not reach), before `end` (the end of
/// the run, when known); settings events giving valid
/// configurations, the timeline itself (meter::resolved_timeline: durations, overlapping
/// outages). Throws std::invalid_argument naming the event (file, line and field when it
/// came from a file).
void check_events(const meter::meter_config& config, std::optional<utc_ms> end);

/// The event table as help text: one line per kind with its parameters and meaning.
std::string event_help();

}  // namespace hansim::scenario
