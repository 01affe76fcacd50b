#pragma once
/// @file
/// Everything that makes one simulated meter, in the parts each layer needs (PROTOCOLS.md §3.5
/// identity, §8 schedule, §8.5 clock, §5 security):
/// - physics_config: who the meter is, how it is wired, its clock, load, starting registers,
///   start and timeline. All the meter model (meter_model.hpp) and the energy integrator see.
/// - push_config: what goes on the wire and when (lists, list options, P1 profile, line
///   speed, jitter). The schedule and the list builders.
/// - security_config: how pushes are sealed (policy, invocation counter, ciphering faults).
/// meter_config aggregates the three (so `config.serial`, `config.lists` and
/// `config.security` read the same) with the meter's name and profile, and is what the push
/// source (meter_source.hpp) is given. Profiles (profile.hpp) give complete defaults;
/// scenarios and command-line options override single fields through the one settings table
/// (scenario/meter_settings.hpp). Where its keys, counters and port are is not the meter's
/// business: scenario::meter_spec holds them.

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hansim/meter/clock_rule.hpp"
#include "hansim/meter/energy_integrator.hpp"
#include "hansim/meter/fault_plan.hpp"
#include "hansim/meter/identity.hpp"
#include "hansim/meter/jitter.hpp"
#include "hansim/meter/list_options.hpp"
#include "hansim/meter/p1_profile.hpp"
#include "hansim/meter/load_profile.hpp"
#include "hansim/meter/phase.hpp"
#include "hansim/meter/schedule.hpp"
#include "hansim/meter/snapshot.hpp"
#include "hansim/meter/timeline.hpp"
#include "hansim/security/security_policy.hpp"

namespace hansim::meter {

/// What the meter model needs: identity, hardware, clock, physics, start and timeline.
struct physics_config {
    // Identity (§3.5)
    std::uint32_t serial = 12345678;        ///< 8 digits; GS1 id and system title follow from it
    std::string meter_type;                 ///< 18 chars; empty: kamstrup_meter_type(wires, ct, country)
    std::optional<std::uint32_t> meter_number;  ///< DLMS push 1 "meter number 1"; empty: = serial

    // Hardware
    wiring wires = wiring::three_phase_4wire;
    bool current_transformer = false;       ///< CT meter (685…): 0.001 A current by default
    meter::country country = meter::country::norway;

    // Clock (§8.5)
    clock_rule clock = clock_rule::cet_fixed;
    bool clock_unset = false;               ///< status 0x01, clock counting from 2000-01-01 at start
    std::chrono::milliseconds clock_offset{0};  ///< meter clock − true UTC (a drifting meter)

    /// Seed of every random choice: load noise here, jitter and fault rates in the push layers.
    std::uint64_t seed = 1;

    // Physics
    energy_method method = energy_method::vector_summation;
    energy_registers initial_energy;                      ///< totals at `start`, mWh / mvarh
    /// Per-phase registers at `start` as given; empty (the usual case): initial_energy split
    /// across the phases by initial_phase_split (initial_phase_energy_of()).
    std::optional<std::array<energy_registers, 3>> initial_phase_energy;
    /// Weights of that split; empty: the load's phase_share. Phases the meter lacks get nothing.
    std::optional<std::array<double, 3>> initial_phase_split;
    load_profile load;
    /// Values set by the user win over the load profile, phase by phase.
    std::array<std::optional<phase_setpoint>, 3> fixed_phases{};
    std::chrono::milliseconds integration_step{1000};     ///< power is constant within a step

    std::chrono::sys_time<std::chrono::milliseconds> start{};  ///< true UTC at which the simulation begins

    /// What happens to the meter during the run (timeline.hpp): load, outages, clock, keys,
    /// lists, firmware. The model applies the physical events; the push source the rest.
    meter::timeline events;
};

/// What goes on the wire, and when: the schedule (schedule.hpp) and the list builders.
struct push_config {
    list_options list;                      ///< resolutions and encodings (list_options.hpp)
    std::vector<push_kind> lists{push_kind::list1, push_kind::list2};
    unsigned list2_delay_steps = 0;         ///< list 2 at xx:00:05 + 10 s·k
    std::string p1_profile;                 ///< P1 meters: name for find_p1_profile
    std::string p1_ident;                   ///< P1 header ident after '/'; empty: the profile's
    std::chrono::milliseconds p1_period{10'000};
    std::chrono::milliseconds p1_phase{0};

    // The line the meter drives (its timing; the port itself is scenario::meter_spec's)
    unsigned baud_rate = 2400;              ///< HAN 2400, P1 115200
    unsigned bits_per_character = 10;       ///< 8N1

    // Timing randomness (seeded by physics_config::seed)
    jitter_config jitter;
};

/// How pushes are sealed (PROTOCOLS.md §5; P1: §6.7).
struct security_config {
    /// HAN lists: general-glo-ciphering in HDLC 41/03. P1 meters: the Luxembourg-style wrapper
    /// (a raw 0xDB frame carrying the ASCII telegram, PROTOCOLS.md §6.7), which is always
    /// encrypt+authenticate.
    security::security_policy security = security::security_policy::none;
    /// Ciphered P1 only: true (default) authenticates with the fixed, public Luxembourg AK
    /// 00112233…EEFF as smarty meters do; false uses the key file's authentication_key.
    bool p1_fixed_authentication_key = true;
    std::uint32_t initial_invocation_counter = 1;  ///< first counter when no store says otherwise
    /// Ciphering faults injected into selected pushes (fault_plan.hpp); needs a ciphering
    /// security policy. Empty: every push is sealed correctly.
    fault_plan faults;
};

/// One whole meter: the three parts, its name and the profile it started from.
struct meter_config : physics_config, push_config, security_config {
    std::string name = "meter1";            ///< unique within a run; push_frame.meter
    std::string profile = "kamstrup-no-3p"; ///< the profile these settings started from
};

/// The meter type actually used (config.meter_type or the derived one).
std::string effective_meter_type(const physics_config& config);

/// The resolved identity block of a meter.
meter_identity identity_of(const physics_config& config);

/// The schedule settings of a meter, with transmission times for `list1_bytes` and
/// `list2_bytes` frames at the meter's line speed.
schedule_config schedule_of(const meter_config& config, std::size_t list1_bytes, std::size_t list2_bytes);

/// The per-phase registers at `start`: initial_phase_energy when given, else
/// split_energy(initial_energy, …) by initial_phase_split (or the load's phase_share) over
/// the phases the wiring has, so the phases add up to the totals from the first frame.
std::array<energy_registers, 3> initial_phase_energy_of(const physics_config& config);

/// Checks the whole configuration; throws std::invalid_argument whose message starts with
/// the field name, e.g. "serial: expected at most 8 digits, got 123456789".
void validate(const meter_config& config);
/// Checks only the physics part (what the meter model is given); the same messages.
void validate(const physics_config& config);

/// The P1 profile this meter sends with: its p1_profile, with p1_ident in place of the
/// profile's ident when set. Throws std::invalid_argument naming p1_profile when unknown.
p1_profile p1_profile_of(const push_config& config);

/// The settings in force at `t` (true UTC): `config` as the settings events of `timeline`
/// (their config_after, resolved by scenario::resolve_event_settings) have changed it.
const meter_config& settings_at(const meter_config& config, const resolved_timeline& timeline,
                                std::chrono::sys_time<std::chrono::milliseconds> t);

}  // namespace hansim::meter
