#pragma once
/// @file
/// A meter as a run sets it up: what the meter layer sees (meter::meter_config: its physics
/// part for the model, its push and security parts for the push source) and what
/// only the layers around it need: the files its keys and invocation counters live in
/// (read by prepare_meter) and the port it is wired to (opened by the io layer). The meter
/// model never sees a path or a port. Every field is set through the one settings table
/// (meter_settings.hpp).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "hansim/meter/meter_config.hpp"

namespace hansim::scenario {

/// Where a ciphering meter's secrets and state live (PROTOCOLS.md §7).
struct security_files {
    std::string key_file;                 ///< keys; empty: the environment (or a fallback file)
    std::string invocation_counter_file;  ///< counter store; empty: counters start in memory
};

/// Where a meter's pushes fall in true time within its push period (`push_phase`): real
/// meters do not all push at the same instant, because their clocks differ by seconds. A
/// meter with push phase P runs its clock P behind (prepare_meter subtracts P from
/// clock_offset), so its frames still carry the x0 / xx:00:05 slots of its own clock and
/// leave P later in true time. The run plan (run_plan.hpp rule 3) draws it from the seed for
/// `auto`, and for copies made by `count` that were given none.
struct push_phase {
    bool drawn = false;                             ///< `auto`: drawn from the meter's seed
    std::optional<std::chrono::milliseconds> given;  ///< a duration, 0 <= P < the push period
};

struct meter_spec {
    meter::meter_config config;  ///< all the meter layer is given
    security_files files;
    std::string port;            ///< e.g. "pty:/tmp/ttyHAN0"; parsed by io::parse_port_spec
    push_phase phase;            ///< unset: 0 (the run plan resolves `auto` into `given`)
};

/// The meter's shortest push period: 10 s when it pushes list 1 or push 1, else p1_period
/// when it pushes P1, else an hour (list 2 only). A push phase is within [0, this).
std::chrono::milliseconds push_period(const meter::meter_config& config);

/// The phase `auto` gives a meter: drawn from its seed, uniform over whole milliseconds in
/// [0, push_period(config)).
std::chrono::milliseconds drawn_push_phase(const meter::meter_config& config);

/// The port a meter of this kind conventionally gets when nobody names one: pty:/tmp/ttyP1
/// for P1 meters, pty:/tmp/ttyHAN0 for HAN meters.
std::string conventional_port(const meter::meter_config& config);

/// A profile's meter (meter::profile_config) on its conventional port. Throws
/// std::invalid_argument for an unknown profile.
meter_spec profile_spec(std::string_view profile);

}  // namespace hansim::scenario
