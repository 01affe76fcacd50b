#pragma once
/// @file
/// A meter as a run sets it up: what the meter layer sees (meter::meter_config: its physics
/// part for the model, its push and security parts for the push source) and what
/// only the layers around it need: the files its keys and invocation counters live in
/// (read by prepare_meter) and the port it is wired to (opened by the io layer). The meter
/// model never sees a path or a port. Every field is set through the one settings table
/// (meter_settings.hpp).

#include <string>
#include <string_view>

#include "hansim/meter/meter_config.hpp"

namespace hansim::scenario {

/// Where a ciphering meter's secrets and state live (PROTOCOLS.md §7).
struct security_files {
    std::string key_file;                 ///< keys; empty: the environment (or a fallback file)
    std::string invocation_counter_file;  ///< counter store; empty: counters start in memory
};

struct meter_spec {
    meter::meter_config config;  ///< all the meter layer is given
    security_files files;
    std::string port;            ///< e.g. "pty:/tmp/ttyHAN0"; parsed by io::parse_port_spec
};

/// The port a meter of this kind conventionally gets when nobody names one: pty:/tmp/ttyP1
/// for P1 meters, pty:/tmp/ttyHAN0 for HAN meters.
std::string conventional_port(const meter::meter_config& config);

/// A profile's meter (meter::profile_config) on its conventional port. Throws
/// std::invalid_argument for an unknown profile.
meter_spec profile_spec(std::string_view profile);

}  // namespace hansim::scenario
