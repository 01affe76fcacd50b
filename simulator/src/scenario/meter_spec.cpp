#include "hansim/scenario/meter_spec.hpp"

#include <algorithm>

#include "hansim/meter/jitter.hpp"
#include "hansim/meter/profile.hpp"

namespace hansim::scenario {

std::string conventional_port(const meter::meter_config& config) {
    const bool p1 = std::find(config.lists.begin(), config.lists.end(), meter::push_kind::p1) != config.lists.end();
    return p1 ? "pty:/tmp/ttyP1" : "pty:/tmp/ttyHAN0";
}

std::chrono::milliseconds push_period(const meter::meter_config& config) {
    using meter::push_kind;
    const auto pushes = [&](push_kind kind) {
        return std::find(config.lists.begin(), config.lists.end(), kind) != config.lists.end();
    };
    if (pushes(push_kind::list1) || pushes(push_kind::push1)) return std::chrono::seconds(10);
    if (pushes(push_kind::p1)) return config.p1_period;
    return std::chrono::hours(1);
}

std::chrono::milliseconds drawn_push_phase(const meter::meter_config& config) {
    constexpr std::uint64_t stream = 0x50484153;  // "PHAS": its own stream of the seed
    const auto period = static_cast<std::uint64_t>(std::max<std::int64_t>(1, push_period(config).count()));
    return std::chrono::milliseconds(static_cast<std::int64_t>(meter::random_u64(config.seed, stream, 0) % period));
}

meter_spec profile_spec(std::string_view profile) {
    meter_spec spec;
    spec.config = meter::profile_config(profile);
    spec.port = conventional_port(spec.config);
    return spec;
}

}  // namespace hansim::scenario
