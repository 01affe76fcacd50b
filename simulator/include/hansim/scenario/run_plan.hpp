#pragma once
/// @file
/// The run plan: the one place a scenario, command-line options or Python arguments become
/// the meters of a run (validated meter configurations with their ports), its start, end,
/// speed and pacing. `hansim run`, `hansim generate` and the Python session only fill a
/// run_request with what the user wrote (text, spelled as on the command line) and call
/// make_run_plan; so an option has the same name, default, meaning and error message in
/// every front end. They differ only in plan_defaults (what happens when the user says
/// nothing: see below) and in what they do with the plan (virtual time and an output file
/// for generate, real time and ports for run and Python).
///
/// Rules, in the order they are applied:
/// 1. Meters come from the scenario file, else from the requested profiles (one meter each),
///    else from the front end's default (plan_defaults::source).
/// 2. Each meter's own settings (a profile request's settings), then the request's settings
///    for every meter, in the order given (`--KEY VALUE`, `--set KEY=VALUE`, Python keyword
///    arguments): keys and spellings of the settings table (meter_settings.hpp), nothing else.
///    With a scenario, a `seed` setting is the scenario seed (meters without their own seed
///    derive theirs from it), as if written in the file.
/// 3. `count` copies of a single meter: copy n (1-based) is named NAME-n (or NAMEn when the
///    request names it), its serial and seed are the first's + n-1, `{n}` in the port is n,
///    and an invocation-counter file given for all meters gets the suffix ".n", so no two
///    meters ever share a counter store. Copies spread in time as real meters do: unless a
///    push_phase is given, each gets `auto` (meter_spec.hpp), drawn from its own seed, so
///    copy n pushes at the same instant in every front end and every run with that seed.
///    A push_phase must be below the meter's push period.
/// 4. Files a scenario reads (key_file, the files of its events) are relative to the scenario
///    file's folder, for every command; paths given as options are relative to the working
///    directory. State a run writes is not put beside the scenario: a relative
///    invocation_counter_file of a scenario is in the state folder (`--state-dir`, relative
///    to the working directory; default default_state_dir()), so a shipped scenario runs
///    from a read-only checkout and never writes into it, and its counters continue from
///    run to run (and between run and generate) as long as the folder is kept.
/// 5. Timeline events (meter/timeline.hpp): a scenario's, a meter request's, then the
///    request's for every meter; each must fall within [start, end).
/// 6. Everything is checked before anything is opened: settings, counts, speed, duration,
///    start, events, ports' syntax (a front end with ports parses them before opening the first).
/// 7. The live view (`hansim run` only; generate and Python have none and ignore it): --http
///    [ADDR:]PORT, else the scenario's `http`; controls when --http-control or the scenario's
///    `http_control` says so, and only with a live view.
/// Every problem is a plan_error whose message names the option or the meter and field and
/// says what was expected (exit 2 in the CLI, ValueError in Python).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "hansim/meter/meter_config.hpp"
#include "hansim/scenario/meter_settings.hpp"
#include "hansim/scenario/meter_spec.hpp"

namespace hansim::scenario {

/// A usage or configuration mistake in a run request.
class plan_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// One `key = value` from the user. `origin` is how the user wrote it, for messages
/// ("--jitter", "--set jitter=x", "jitter"); empty: "KEY".
struct setting {
    std::string key;
    std::string value;
    std::string origin;
};

/// One meter of a profile with its own settings (`--meter PROFILE`, Python's add()).
struct meter_request {
    std::string profile;
    std::vector<setting> settings;
    std::vector<std::string> events;  ///< timeline events of this meter (event_spec.hpp one-line form)
};

/// How the front end spells its options, for messages ("--start: ..." on the command line,
/// "start: ..." in Python).
struct option_names {
    std::string scenario = "--scenario";
    std::string meter = "--meter";
    std::string count = "--count";
    std::string start = "--start";
    std::string duration = "--duration";
    std::string speed = "--speed";
    std::string chunk = "--chunk-ms";
    std::string port = "--port";
    std::string event = "--event";
    std::string http = "--http";
    std::string http_control = "--http-control";
    std::string state_dir = "--state-dir";
};

/// What the user asked for, as text. Empty optionals: not given.
struct run_request {
    option_names names;
    std::optional<std::filesystem::path> scenario_file;  ///< --scenario
    std::vector<meter_request> meters;                   ///< --meter (not with a scenario)
    std::vector<setting> settings;                       ///< for every meter, after its own
    std::optional<std::string> count;                    ///< --count: copies of a single meter (default 1)
    std::optional<std::string> start;                    ///< --start: ISO 8601 UTC, or "now"
    std::optional<std::string> duration;                 ///< --duration: meter time, > 0
    std::optional<std::string> speed;                    ///< --speed: meter clock / real time (default 1)
    bool fast = false;                                   ///< --fast: each frame at once, not at the line rate
    std::optional<std::string> chunk_ms;                 ///< --chunk-ms: pacing granularity (io/pacer.hpp)
    /// --event KIND[=ARGS]@WHEN[/FOR]: timeline events for every meter (event_spec.hpp), after
    /// a scenario's own; files they name are relative to the working directory.
    std::vector<std::string> events;
    std::optional<std::string> http;                     ///< --http [ADDR:]PORT: the live view
    bool http_control = false;                           ///< --http-control: its controls
    /// --state-dir: the folder for a scenario's relative counter stores (rule 4).
    std::optional<std::string> state_dir;
};

/// What a front end does when the user says nothing.
struct plan_defaults {
    enum class meter_source { default_scenario, default_profile };
    /// hansim run: the embedded default scenario (a meter on pty:/tmp/ttyHAN0);
    /// hansim generate and Python: one meter of the default profile.
    meter_source source = meter_source::default_profile;
    /// Start when neither the request nor the scenario gives one; nullopt: `now`.
    std::optional<utc_ms> start;
    /// Run length when not requested; nullopt: until stopped.
    std::optional<std::chrono::milliseconds> duration;
    /// Every meter must have a port (run, Python session).
    bool ports_required = false;
};

/// The speeds a run accepts: the meter clock may run from 1/1000 of real time to a million
/// times faster.
inline constexpr double min_speed = 1e-3;
inline constexpr double max_speed = 1e6;

/// The live view of a run (rule 7).
struct live_view_plan {
    listen_address listen;
    bool control = false;  ///< controls on (each request still needs the token printed at start)
};

/// A run, ready to set up: every meter validated, with start set and file paths resolved.
struct run_plan {
    std::vector<meter_spec> meters;  ///< config.start set; config validated
    utc_ms start{};
    std::optional<utc_ms> end;       ///< start + duration; nullopt: until stopped
    double speed = 1.0;
    bool fast = false;
    std::optional<std::chrono::milliseconds> chunk;  ///< unset: the pacer's default for each line
    std::optional<live_view_plan> live;  ///< nullopt: no live view
};

/// Builds the plan. `now` is the wall clock (the plan reads no clock). Throws plan_error.
run_plan make_run_plan(const run_request& request, const plan_defaults& defaults, utc_ms now);

/// Where a scenario's counter stores go when no state folder is given: "hansim-state-UID" in
/// the temporary directory (TMPDIR, else /tmp), one per user, kept across runs until the
/// system clears it. The folder is made (mode 0700) when a store is first opened in it.
std::filesystem::path default_state_dir();

/// "--KEY" for a settings-table key (underscores become dashes): the option that sets it.
std::string option_for_setting(std::string_view key);

/// Parsers for the request's numbers, shared with front ends that take them typed; each
/// throws plan_error naming `option` and the accepted range.
std::uint32_t parse_count(std::string_view text, std::string_view option);
double parse_speed(std::string_view text, std::string_view option);

}  // namespace hansim::scenario
