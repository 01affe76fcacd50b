#pragma once
/// @file
/// Meter settings as text: the one place that turns `key = value` into a field of a
/// meter_spec (the meter_config parts: physics, push, security; its key and counter files,
/// its port). Scenario files (YAML scalars) and the command line (`--serial 12345678`)
/// use the same keys and spellings, so a setting means the same thing everywhere.
///
/// | key                   | value                                                              |
/// |-----------------------|--------------------------------------------------------------------|
/// | name                  | meter name                                                         |
/// | serial                | 1..8 digits                                                        |
/// | meter_type            | 18 characters                                                      |
/// | meter_number          | 1..8 digits (DLMS push 1 "meter number 1")                          |
/// | wiring                | single_phase (1p), three_phase_4wire (3p, 4wire), three_phase_3wire (it, 3wire) |
/// | ct                    | true/false                                                         |
/// | country               | no, se, dk, ch                                                     |
/// | clock_rule            | cet_fixed, local_dst, utc                                          |
/// | clock_unset           | true/false                                                         |
/// | clock_offset          | duration, may be negative ("-30s")                                 |
/// | energy_resolution     | 10 / 10wh or 1 / 1wh                                               |
/// | current_resolution    | 0.01 or 0.001                                                      |
/// | voltage_resolution    | 1 or 0.01                                                          |
/// | date_time_form        | standard, legacy_09                                                |
/// | single_phase_form     | null_placeholders, compact                                         |
/// | power_multiplier      | 1, 10, …                                                           |
/// | lists                 | comma separated: list1,list2,push1,p1                              |
/// | list2_delay_steps     | 0..5                                                               |
/// | p1_profile            | P1 profile name                                                    |
/// | p1_ident              | P1 header ident after '/' (default: the profile's)                  |
/// | p1_period, p1_phase   | durations                                                          |
/// | security              | none, encrypt, authenticate, encrypt+authenticate (P1: the Luxembourg wrapper, encrypt+authenticate only) |
/// | p1_authentication_key | luxembourg (fixed public AK, default) or key_file                  |
/// | key_file, invocation_counter_file | paths                                                  |
/// | initial_invocation_counter | 0..4294967295                                                 |
/// | faults                | ciphering faults by push sequence (0-based), comma separated:      |
/// |                       | FAULT@N, FAULT@A-B, FAULT@every:K, e.g. corrupted_tag@3 (see       |
/// |                       | meter/fault_plan.hpp; needs security other than none)              |
/// | push_phase            | auto, or a duration 0 <= P < the push period (10 s; P1: p1_period):  |
/// |                       | the meter pushes P after its slots in true time, its clock running |
/// |                       | P behind (meter_spec.hpp). Default 0; copies made by count: auto,  |
/// |                       | drawn from each copy's seed (run_plan.hpp rule 3)                  |
/// | port                  | e.g. pty:/tmp/ttyHAN0                                              |
/// | baud, bits_per_character | integers                                                        |
/// | seed                  | unsigned 64-bit                                                    |
/// | energy_method         | vector_summation, individual_phases, total_summation               |
/// | initial_energy        | A+[:A−[:R+[:R−]]] in Wh / varh at the start (unnamed ones keep theirs) |
/// | initial_phase_split   | load (the load's phase_share), equal, or W1:W2:W3: how the initial |
/// |                       | totals are shared by the per-phase registers (meter_config.hpp)    |
/// | integration_step      | duration                                                           |
/// | jitter                | none, uniform[:MIN:MAX], normal[:MEAN:STDDEV[:MIN:MAX]] (ms)       |
/// | load                  | constant[:W], daily_curve[:BASE:PEAK], solar[:BASE:PEAK:SOLAR_PEAK] (W), with the load's ±5 % noise (an exact power: `power`) |
/// | power                 | fixed total active power in W for the whole run (negative: export) |
///
/// Durations: an integer with unit ms, s, m, h or d, or several ("1h30m"); a bare number is
/// seconds. Times: ISO 8601 "2024-01-15T12:00:00Z", "2024-01-15T13:00:00+01:00", or without
/// offset (UTC), seconds optional.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hansim/meter/meter_config.hpp"
#include "hansim/meter/time_text.hpp"
#include "hansim/scenario/meter_spec.hpp"

namespace hansim::scenario {

using utc_ms = std::chrono::sys_time<std::chrono::milliseconds>;

/// Sets one field. Throws std::invalid_argument with a message that names the expected form
/// and the value given (the caller adds where: file, line, option); unknown keys are
/// rejected with the list of known keys.
void apply_meter_setting(meter_spec& spec, std::string_view key, std::string_view value);

/// The same for the meter model's own keys; port, key_file and invocation_counter_file are
/// refused (std::invalid_argument), as they are not the meter's.
void apply_meter_setting(meter::meter_config& config, std::string_view key, std::string_view value);

/// The keys apply_meter_setting accepts, in table order.
const std::vector<std::string>& meter_setting_keys();

/// A one-line description of a key (for --help); empty for unknown keys.
std::string_view meter_setting_help(std::string_view key);

/// The time grammar lives with the meter (meter/time_text.hpp) so the fault selection reads
/// time as the timeline does; these names stay for the scenario layer's callers.
using meter::format_utc_time;
using meter::max_duration_days;
using meter::parse_duration;
using meter::parse_utc_time;

/// Where a server listens (the live view's --http).
struct listen_address {
    std::string address = "127.0.0.1";  ///< an IPv4 or IPv6 address, never a name
    std::uint16_t port = 0;             ///< 0: any free port
};
/// "[ADDR:]PORT": the address defaults to 127.0.0.1 (loopback), an IPv6 address is written in
/// brackets ("[::1]:8080"), PORT is 0..65535. Throws std::invalid_argument naming what is wrong.
listen_address parse_listen_spec(std::string_view spec);

}  // namespace hansim::scenario
