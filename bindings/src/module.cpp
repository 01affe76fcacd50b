// _hansim module entry: calls each area's register function, nothing else.
#include <pybind11/pybind11.h>

#include "register.hpp"

PYBIND11_MODULE(_hansim, m) {
    m.doc() = "hansim native core (use the `hansim` package, not this module)";
    hansim::bindings::register_codec(m);
    hansim::bindings::register_security(m);
    hansim::bindings::register_meter(m);
    hansim::bindings::register_io(m);
    hansim::bindings::register_capture(m);
}
