#pragma once
/// @file
/// Everything that makes one simulated meter: who it is, how it is wired, what it pushes and
/// how, its clock, its load and its starting register values. Profiles (profile.hpp) give
/// complete defaults; scenarios and command-line options override single fields. Where its
/// keys, counters and port are is not the meter's business: scenario::meter_spec holds them.

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

struct meter_config {
    std::string name = "meter1";            ///< unique within a run; push_frame.meter
    std::string profile = "kamstrup-no-3p"; ///< the profile these settings started from

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

    // What goes on the wire
    list_options list;                      ///< resolutions and encodings (list_options.hpp)
    std::vector<push_kind> lists{push_kind::list1, push_kind::list2};
    unsigned list2_delay_steps = 0;         ///< list 2 at xx:00:05 + 10 s·k
    std::string p1_profile;                 ///< P1 meters: name for find_p1_profile
    std::string p1_ident;                   ///< P1 header ident after '/'; empty: the profile's
    std::chrono::milliseconds p1_period{10'000};
    std::chrono::milliseconds p1_phase{0};
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

    // The line the meter drives (its timing; the port itself is scenario::meter_spec's)
    unsigned baud_rate = 2400;              ///< HAN 2400, P1 115200
    unsigned bits_per_character = 10;       ///< 8N1

    // Timing randomness
    jitter_config jitter;
    std::uint64_t seed = 1;

    // Physics
    energy_method method = energy_method::vector_summation;
    energy_registers initial_energy;                      ///< totals at `start`, mWh / mvarh
    std::array<energy_registers, 3> initial_phase_energy{};  ///< per phase at `start`
    load_profile load;
    /// Values set by the user win over the load profile, phase by phase.
    std::array<std::optional<phase_setpoint>, 3> fixed_phases{};
    std::chrono::milliseconds integration_step{1000};     ///< power is constant within a step

    std::chrono::sys_time<std::chrono::milliseconds> start{};  ///< true UTC at which the simulation begins

    /// What happens to the meter during the run (timeline.hpp): load, outages, clock, keys,
    /// lists, firmware. Applied by the model and the push source alike.
    meter::timeline events;
};

/// The meter type actually used (config.meter_type or the derived one).
std::string effective_meter_type(const meter_config& config);

/// The resolved identity block of a meter.
meter_identity identity_of(const meter_config& config);

/// The schedule settings of a meter, with transmission times for `list1_bytes` and
/// `list2_bytes` frames at the meter's line speed.
schedule_config schedule_of(const meter_config& config, std::size_t list1_bytes, std::size_t list2_bytes);

/// Checks the whole configuration; throws std::invalid_argument whose message starts with
/// the field name, e.g. "serial: expected at most 8 digits, got 123456789".
void validate(const meter_config& config);

/// The P1 profile this meter sends with: its p1_profile, with p1_ident in place of the
/// profile's ident when set. Throws std::invalid_argument naming p1_profile when unknown.
p1_profile p1_profile_of(const meter_config& config);

}  // namespace hansim::meter
