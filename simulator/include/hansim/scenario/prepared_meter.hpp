#pragma once
/// @file
/// Turning a meter_config into a meter that can push: keys loaded (when the meter ciphers),
/// its invocation-counter store opened (when it has one), and the push source made. The one
/// place `hansim generate`, `hansim run` and the Python bindings do this, so a key file means
/// the same thing and fails with the same message everywhere.

#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "hansim/meter/meter_config.hpp"
#include "hansim/meter/push_frame.hpp"
#include "hansim/scenario/meter_spec.hpp"
#include "hansim/security/invocation_counter_store.hpp"
#include "hansim/security/keys.hpp"

namespace hansim::scenario {

/// A configuration problem the user must fix (missing keys, unreadable key file, bad
/// counter file, invalid settings). The message names the meter and what is wrong; it
/// never contains key material.
class meter_setup_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct meter_setup_options {
    /// Key file for ciphered meters whose config names none (e.g. `--key-file`); after it,
    /// HANSIM_ENCRYPTION_KEY / HANSIM_AUTHENTICATION_KEY are tried.
    std::optional<std::filesystem::path> fallback_key_file;
    /// The meter takes changes while it runs (scenario/live_control.hpp): its source has a
    /// live side, and the keys of its key file are loaded even when it does not cipher yet,
    /// so a live security switch can use them.
    bool live_control = false;
};

/// A meter ready to push. Keep it alive as long as `source` is used: the source refers to
/// the counter store.
struct prepared_meter {
    meter::meter_config config;                                     ///< what the meter model was given
    std::optional<security::security_keys> keys;                    ///< when the meter ciphers
    std::unique_ptr<security::invocation_counter_store> counters;  ///< when it ciphers and has a store file
    std::unique_ptr<meter::push_source> source;
    std::vector<std::string> warnings;  ///< e.g. a key file readable by others; for the caller to show
};

/// Paths in the config are taken as they are (relative: to the working directory); a
/// scenario's paths were resolved by load_scenario and the run plan. A missing folder of
/// the counter store is made (mode 0700).
/// Loads keys (the config's key_file, else options.fallback_key_file, else the environment)
/// only when config.security ciphers, opens the counter store when the meter ciphers and
/// config.invocation_counter_file is set, and makes the push source. Throws
/// meter_setup_error naming the meter for anything the user must fix, and
/// security::counter_store_in_use (a runtime failure, exit 1) naming the meter when another
/// process or meter holds its counter store.
prepared_meter prepare_meter(const meter_spec& spec, const meter_setup_options& options = {});

}  // namespace hansim::scenario
