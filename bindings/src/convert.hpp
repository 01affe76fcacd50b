#pragma once
// Conversions the register_*.cpp files share (Python values <-> library types).
#include <pybind11/pybind11.h>

#include <map>
#include <string>

#include "hansim/codec/bytes.hpp"
#include "hansim/meter/meter_config.hpp"

namespace hansim::bindings {

codec::bytes to_bytes(const pybind11::bytes& b);
pybind11::bytes to_py_bytes(const codec::bytes& b);

/// A profile's defaults with settings applied (keys and spellings as in scenario files) and
/// the simulation start (ISO 8601; empty: keep the default). Raises ValueError naming the setting.
meter::meter_config config_from(const std::string& profile, const std::map<std::string, std::string>& settings,
                                const std::string& start);

}  // namespace hansim::bindings
