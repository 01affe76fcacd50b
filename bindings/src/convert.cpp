#include "convert.hpp"

#include "hansim/meter/profile.hpp"
#include "hansim/scenario/meter_settings.hpp"

namespace py = pybind11;

namespace hansim::bindings {

codec::bytes to_bytes(const py::bytes& b) {
    const std::string s = b;
    return codec::bytes(s.begin(), s.end());
}

py::bytes to_py_bytes(const codec::bytes& b) { return py::bytes(reinterpret_cast<const char*>(b.data()), b.size()); }

meter::meter_config config_from(const std::string& profile, const std::map<std::string, std::string>& settings,
                                const std::string& start) {
    if (!meter::find_profile(profile)) throw py::value_error("unknown meter profile '" + profile + "' (see profiles())");
    auto config = meter::profile_config(profile);
    if (!start.empty()) {
        try {
            config.start = scenario::parse_utc_time(start);
        } catch (const std::invalid_argument& e) {
            throw py::value_error(std::string("start: ") + e.what());
        }
    }
    for (const auto& [key, value] : settings) {
        try {
            scenario::apply_meter_setting(config, key, value);
        } catch (const std::invalid_argument& e) {
            throw py::value_error(key + ": " + e.what());
        }
    }
    return config;
}

}  // namespace hansim::bindings
