#pragma once
// Conversions the register_*.cpp files share (Python values <-> library types).
#include <pybind11/pybind11.h>

#include <array>
#include <map>
#include <string>

#include "hansim/codec/bytes.hpp"
#include "hansim/meter/meter_config.hpp"

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

/// A profile's defaults with settings applied (keys and spellings as in scenario files) and
/// the simulation start (ISO 8601; empty: keep the default). Raises ValueError naming the setting.
meter::meter_config config_from(const std::string& profile, const std::map<std::string, std::string>& settings,
                                const std::string& start);

}  // namespace hansim::bindings
