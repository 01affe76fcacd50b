#pragma once
// Conversions the register_*.cpp files share (Python values <-> library types).
#include <pybind11/pybind11.h>

#include <array>
#include <map>
#include <string>
#include <vector>

#include "hansim/codec/bytes.hpp"
#include "hansim/report/json.hpp"
#include "hansim/scenario/run_plan.hpp"

namespace hansim::bindings {

codec::bytes to_bytes(const pybind11::bytes& b);
pybind11::bytes to_py_bytes(const codec::bytes& b);

/// Exactly N bytes, or ValueError naming the argument and the length (never the content:
/// this is how keys arrive).
template <std::size_t N>
std::array<std::uint8_t, N> fixed(const pybind11::bytes& b, const char* name) {
    const std::string s = b;
    if (s.size() != N)
        throw pybind11::value_error(std::string(name) + " must be " + std::to_string(N) + " bytes, got " +
                                    std::to_string(s.size()));
    std::array<std::uint8_t, N> out{};
    std::copy(s.begin(), s.end(), out.begin());
    return out;
}

/// A record as Python objects (dict, list, str, int, float, bool, None), built here so Python
/// never parses JSON text. Strings that are not UTF-8 (wire text) get U+FFFD, as in report::dump.
pybind11::object to_python(const report::json& value);

/// Python keyword settings (already text) as run-plan settings, named as the user wrote them.
std::vector<scenario::setting> to_settings(const std::map<std::string, std::string>& settings);

/// A run request with the option names Python uses in messages ("start: ...", "profile: ...").
scenario::run_request python_request();

/// A run plan from Python arguments; plan errors become ValueError with the same message
/// the command line gives.
scenario::run_plan plan_from(const scenario::run_request& request, const scenario::plan_defaults& defaults);

/// What one wire unit means for this meter (the wire carries no scalers, PROTOCOLS.md §3.3):
/// energy_wh, current_a, voltage_v, power_multiplier.
std::map<std::string, double> wire_resolution(const meter::meter_config& config);

}  // namespace hansim::bindings
