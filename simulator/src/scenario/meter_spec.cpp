#include "hansim/scenario/meter_spec.hpp"

#include <algorithm>

#include "hansim/meter/profile.hpp"

namespace hansim::scenario {

std::string conventional_port(const meter::meter_config& config) {
    const bool p1 = std::find(config.lists.begin(), config.lists.end(), meter::push_kind::p1) != config.lists.end();
    return p1 ? "pty:/tmp/ttyP1" : "pty:/tmp/ttyHAN0";
}

meter_spec profile_spec(std::string_view profile) {
    meter_spec spec;
    spec.config = meter::profile_config(profile);
    spec.port = conventional_port(spec.config);
    return spec;
}

}  // namespace hansim::scenario
