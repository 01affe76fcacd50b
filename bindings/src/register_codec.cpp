#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "hansim/codec/crc.hpp"
#include "convert.hpp"
#include "register.hpp"

namespace py = pybind11;

namespace hansim::bindings {
void register_codec(py::module_& m) {
    m.def("crc16_x25", [](const py::bytes& data) { return codec::crc16_x25(to_bytes(data)); },
          "CRC-16/X.25 (HDLC HCS/FCS)");
    m.def("crc16_arc", [](const py::bytes& data) { return codec::crc16_arc(to_bytes(data)); }, "CRC-16/ARC (P1)");
}

}  // namespace hansim::bindings
