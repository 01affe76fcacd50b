#pragma once
#include <pybind11/pybind11.h>

namespace hansim::bindings {
void register_codec(pybind11::module_& m);
void register_security(pybind11::module_& m);
void register_meter(pybind11::module_& m);
void register_io(pybind11::module_& m);
void register_capture(pybind11::module_& m);
}  // namespace hansim::bindings
