#include "convert.hpp"

#include <chrono>
#include <cstdint>

namespace py = pybind11;

namespace hansim::bindings {

codec::bytes to_bytes(const py::bytes& b) {
    const std::string s = b;
    return codec::bytes(s.begin(), s.end());
}

py::bytes to_py_bytes(const codec::bytes& b) { return py::bytes(reinterpret_cast<const char*>(b.data()), b.size()); }

py::object to_python(const report::json& value) {
    using value_t = report::json::value_t;
    switch (value.type()) {
        case value_t::null:
        case value_t::discarded: return py::none();
        case value_t::boolean: return py::bool_(value.get<bool>());
        case value_t::number_integer: return py::int_(value.get<std::int64_t>());
        case value_t::number_unsigned: return py::int_(value.get<std::uint64_t>());
        case value_t::number_float: return py::float_(value.get<double>());
        case value_t::string: {
            const auto& text = value.get_ref<const std::string&>();
            PyObject* decoded = PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(text.size()), "replace");
            if (!decoded) throw py::error_already_set();
            return py::reinterpret_steal<py::object>(decoded);
        }
        case value_t::array: {
            py::list out;
            for (const auto& item : value) out.append(to_python(item));
            return out;
        }
        case value_t::object: {
            py::dict out;
            for (const auto& [key, item] : value.items()) out[py::str(key)] = to_python(item);
            return out;
        }
        case value_t::binary: break;
    }
    throw std::logic_error("to_python: binary JSON values are not used by hansim");
}

std::vector<scenario::setting> to_settings(const std::map<std::string, std::string>& settings) {
    std::vector<scenario::setting> out;
    for (const auto& [key, value] : settings) out.push_back({key, value, key});
    return out;
}

scenario::run_request python_request() {
    scenario::run_request request;
    request.names = {"scenario", "profile", "count", "start", "duration", "speed", "chunk_ms", "port", "events"};
    return request;
}

scenario::run_plan plan_from(const scenario::run_request& request, const scenario::plan_defaults& defaults) {
    const auto now = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
    try {
        return scenario::make_run_plan(request, defaults, now);
    } catch (const scenario::plan_error& e) {
        throw py::value_error(e.what());
    }
}

std::map<std::string, double> wire_resolution(const meter::meter_config& config) {
    const auto& list = config.list;
    return {{"energy_wh", list.energy == meter::energy_resolution::ten_wh ? 10.0 : 1.0},
            {"current_a", list.current == meter::current_resolution::milli_ampere ? 0.001 : 0.01},
            {"voltage_v", list.voltage == meter::voltage_resolution::centi_volt ? 0.01 : 1.0},
            {"power_multiplier", static_cast<double>(list.power_multiplier)}};
}

}  // namespace hansim::bindings
