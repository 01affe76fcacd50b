#pragma once
/// @file
/// Scenario files: several meters, each a profile plus overrides, a port, a load and
/// events, with a common start time and seed. The format (YAML):
///
/// ```yaml
/// start: 2024-01-15T12:00:00Z      # or "now": the caller picks (hansim run: wall clock)
/// seed: 42                         # default 1; the i-th meter (0-based) without its own seed gets 42 + i
/// http: 8080                       # hansim run: the live view at [ADDR:]PORT, as --http
/// http_control: true               # and its token-guarded controls, as --http-control
/// meters:
///   - name: han0                   # required, unique
///     profile: kamstrup-no-3p      # default kamstrup-no-3p
///     port: pty:/tmp/ttyHAN0
///     serial: 12345678             # …any scalar key of meter_settings.hpp
///     jitter: { distribution: uniform, min: 0ms, max: 800ms }   # or "uniform:0:800"
///     load: { shape: solar, base: 400, peak: 4000, solar_peak: 6000, power_factor: 0.95,
///             capacitive: false, noise: 0.05, phase_share: [0.5, 0.3, 0.2],
///             nominal_voltage: 230, voltage_spread: 4 }
///     initial_energy: { active_import_wh: 1234567, active_export_wh: 0,
///                       reactive_import_varh: 0, reactive_export_varh: 0 }   # or "1234567:0:0:0"
///     initial_phase_split: equal   # or "1:1:2"; default: the load's phase_share. Or give the
///     initial_phase_energy: [ {active_import_wh: …}, {…}, {…} ]   # phases as they are
///     phases:                      # fixed values per phase win over the load
///       - { voltage: 231, current: 10, power_factor: 0.95 }   # or active_power, reactive_power,
///                                                            # exporting, capacitive
///     events:                      # the timeline (event_spec.hpp, meter/timeline.hpp)
///       - { at: 2024-01-15T12:30:00Z, power: 5000 }   # at: ISO time or "+90m" after start
///       - { at: +2h, release: true }                  # back to the load shape
///       - { at: +17h30m, appliance: ev_charger:7400 }
///       - { at: +3h, for: 20m, outage: true }
///       - { at: +4h, load: csv:house.csv }           # files relative to this scenario file
/// ```
/// Errors name the file, the line and the field:
/// "scenario.yaml:12: meters[0].serial: expected 1 to 8 digits, got 'abc'".

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "hansim/meter/meter_config.hpp"
#include "hansim/scenario/meter_settings.hpp"

namespace hansim::scenario {

/// A problem in a scenario file. what() is "<file>:<line>: <field>: <problem>".
class scenario_error : public std::runtime_error {
public:
    scenario_error(std::string file, int line, std::string field, const std::string& problem);
    const std::string& file() const { return file_; }
    int line() const { return line_; }  ///< 1-based; 0 when unknown
    const std::string& field() const { return field_; }

private:
    std::string file_;
    int line_;
    std::string field_;
};

/// A meter as the file gives it (config.start not yet set; events relative or absolute).
struct scenario_meter : meter_spec {
    bool seed_given = false;                 ///< false: the seed is derived from the scenario seed
};

struct scenario {
    std::string name;                        ///< file name, or the name given to load_scenario_text
    std::optional<utc_ms> start;             ///< nullopt: "now" (or not given)
    std::uint64_t seed = 1;
    std::vector<scenario_meter> meters;
    /// The live view of `hansim run` (run_plan.hpp rule 7): `http: [ADDR:]PORT` (checked by
    /// parse_listen_spec) and `http_control: true`.
    std::optional<std::string> http;
    bool http_control = false;
    /// The folder of the scenario file (empty for text and the embedded default). Every file
    /// a scenario reads is relative to it, for every command: load_scenario resolves key_file
    /// and the events' files; a new input-file field must use resolve() too. The counter
    /// store is state, not input: invocation_counter_file stays as written, and the run plan
    /// puts a relative one in the state folder (run_plan.hpp), never beside the scenario.
    std::filesystem::path directory;

    /// `path` relative to the scenario's folder (unchanged when absolute, empty, or the
    /// scenario has no folder).
    std::string resolve(const std::string& path) const;

    /// Ready-to-run configurations: start = `start` (the scenario's own start unless
    /// `override_start` is given, which also covers "now"; events at absolute times before
    /// an overridden start are dropped: they have already happened), seeds
    /// derived (scenario seed + the meter's index, as for --count copies) where not given. Throws
    /// std::invalid_argument when neither start is available.
    std::vector<meter_spec> configs(std::optional<utc_ms> override_start = std::nullopt) const;
};

/// The largest scenario read (1 MiB). yaml-cpp needs about 60 bytes of memory per byte of
/// YAML, so a 50 MB file would need over 3 GB; a scenario is a description, and long series
/// belong in files it names.
inline constexpr std::size_t max_scenario_bytes = std::size_t{1} << 20;

/// Reads a scenario file; relative input paths in it are resolved against its folder. Throws
/// scenario_error (also for an unreadable file or a folder, line 0, and a file over
/// max_scenario_bytes, which is not read).
scenario load_scenario(const std::filesystem::path& path);

/// Parses scenario text; `name` stands for the file name in error messages. Refuses text
/// over max_scenario_bytes, a key given twice in one mapping ("<file>:<line>: <field>:
/// duplicate key (first given on line N)"), and documents whose aliases expand to more than
/// a million nodes.
scenario load_scenario_text(std::string_view text, std::string_view name);

/// scenarios/default.yaml as embedded at build time.
std::string_view default_scenario_text();

/// load_scenario_text(default_scenario_text(), "default.yaml").
scenario default_scenario();

}  // namespace hansim::scenario
