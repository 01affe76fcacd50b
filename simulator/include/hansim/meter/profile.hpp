#pragma once
/// @file
/// The meter profiles: named, complete meter configurations for the meters hansim imitates.
/// A scenario or the command line picks one and overrides single fields.
///
/// | profile            | lists           | wire                                  | clock      |
/// |--------------------|-----------------|---------------------------------------|------------|
/// | kamstrup-no-3p     | list 1 + list 2 | plain 2B/21, 10 Wh, 0.01 A, 1 V        | cet_fixed  |
/// | kamstrup-no-3p-it  | list 1 + list 2 | as above, 3-wire (line-to-line U)      | cet_fixed  |
/// | kamstrup-no-1p     | list 1 + list 2 | single phase, null placeholders        | cet_fixed  |
/// | kamstrup-se-3p     | list 1 + list 2 | 1 Wh                                   | local_dst  |
/// | kamstrup-ch-3p     | DLMS push 1     | encrypt+authenticate 41/03, 10 Wh      | cet_fixed  |
/// | kamstrup-dk-3p     | DLMS push 1     | encrypt+authenticate 41/03, 10 Wh      | local_dst  |
/// | kamstrup-dk-1p     | DLMS push 1     | single phase (L2/L3 omitted), ciphered | local_dst  |
/// | kamstrup-dk-3p-ct  | DLMS push 1     | CT 685…, 0.001 A, plain (as the public DK CT capture) | local_dst |
/// | kamstrup-p1, sagemcom-t211, landisgyr-e360, kaifa-ma304h4e, kaifa-cl109, itron-a300, sanxing-sx631 | P1 every 10 s, 115200 8N1 | P1 profile of the same name | local_dst |

#include <string>
#include <string_view>
#include <vector>

#include "hansim/meter/meter_config.hpp"

namespace hansim::meter {

struct meter_profile {
    std::string name;
    std::string description;  ///< one line
    meter_config defaults;    ///< defaults.profile == name
    /// What is assumed rather than seen on a real meter (an ident no public capture shows, a
    /// clock rule the captures cannot decide), and why the default was chosen. Empty when
    /// the profile reproduces public captures in every respect. `hansim profiles` shows it.
    std::string caveats;
};

/// All profiles, the default (kamstrup-no-3p) first.
const std::vector<meter_profile>& meter_profiles();

/// The profile called `name`, or nullptr.
const meter_profile* find_profile(std::string_view name);

/// The defaults of profile `name`; throws std::invalid_argument listing the known profiles.
meter_config profile_config(std::string_view name);

/// The profile used when none is named.
inline constexpr std::string_view default_profile_name = "kamstrup-no-3p";

}  // namespace hansim::meter
