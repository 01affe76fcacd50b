// Security bindings: general-glo-ciphering and encrypted P1, bytes in / bytes out.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>

#include "hansim/security/cipher_fault.hpp"
#include "hansim/security/glo_cipher.hpp"
#include "hansim/security/keys.hpp"
#include "hansim/security/p1_cipher.hpp"
#include "convert.hpp"
#include "register.hpp"

namespace py = pybind11;

namespace hansim::bindings {
namespace {

security::security_keys keys_of(const py::bytes& ek, const py::bytes& ak) {
    return {fixed<16>(ek, "encryption_key"), fixed<16>(ak, "authentication_key")};
}

/// Raises UnprotectError(message, kind, offset).
[[noreturn]] void raise_unprotect(const py::object& error_type, const security::unprotect_error& e) {
    PyErr_SetObject(error_type.ptr(),
                    py::make_tuple(e.message, std::string(security::to_string(e.kind)), e.offset).ptr());
    throw py::error_already_set();
}

}  // namespace

void register_security(py::module_& m) {
    static py::exception<std::runtime_error> unprotect_error(m, "UnprotectError", PyExc_ValueError);
    unprotect_error.doc() =
        "A ciphered APDU could not be opened. args = (message, kind, offset); kind is 'malformed', "
        "'authentication_failed' or 'unsupported_security_control'.";
    const py::object error_type = unprotect_error;

    m.def(
        "load_key_file",
        [](const std::string& path) -> py::tuple {
            security::loaded_keys loaded;
            try {
                loaded = security::load_key_file(path);
            } catch (const std::runtime_error& e) {
                throw py::value_error(e.what());
            }
            const auto& k = loaded.keys;
            return py::make_tuple(to_py_bytes(codec::bytes(k.encryption_key.begin(), k.encryption_key.end())),
                                  to_py_bytes(codec::bytes(k.authentication_key.begin(), k.authentication_key.end())),
                                  loaded.warnings);
        },
        py::arg("path"), "a key file as hansim reads it: (encryption_key, authentication_key, warnings)");

    m.def(
        "glo_protect",
        [](const py::bytes& apdu, const py::bytes& encryption_key, const py::bytes& authentication_key,
           const py::bytes& system_title, std::uint32_t invocation_counter, std::uint8_t security_control) {
            const auto plain = to_bytes(apdu);
            try {
                return to_py_bytes(security::glo_protect(plain, keys_of(encryption_key, authentication_key),
                                                   fixed<8>(system_title, "system_title"), invocation_counter,
                                                   security_control));
            } catch (const std::invalid_argument& e) {
                throw py::value_error(e.what());
            }
        },
        py::arg("apdu"), py::arg("encryption_key"), py::arg("authentication_key"), py::arg("system_title"),
        py::arg("invocation_counter"), py::arg("security_control") = 0x30,
        "Complete general-glo-ciphering APDU (DB 08 <title> 82 hh ll SC IC payload) for SC 0x30, 0x20 or 0x10.");

    m.def(
        "glo_unprotect",
        [error_type](const py::bytes& glo_apdu, const py::bytes& encryption_key, const py::bytes& authentication_key) {
            const auto wire = to_bytes(glo_apdu);
            auto opened = security::glo_unprotect(wire, keys_of(encryption_key, authentication_key));
            if (!opened) raise_unprotect(error_type, opened.error());
            py::dict out;
            out["apdu"] = to_py_bytes(opened->apdu);
            out["system_title"] = to_py_bytes(codec::bytes(opened->title.begin(), opened->title.end()));
            out["invocation_counter"] = opened->invocation_counter;
            out["security_control"] = opened->security_control;
            out["tag"] = opened->tag;
            return out;
        },
        py::arg("glo_apdu"), py::arg("encryption_key"), py::arg("authentication_key"),
        "Opens a general-glo-ciphering APDU: dict(apdu, system_title, invocation_counter, security_control, tag); "
        "raises UnprotectError.");

    m.def(
        "p1_protect",
        [](const py::bytes& telegram, const py::bytes& encryption_key, const py::bytes& system_title,
           std::uint32_t invocation_counter, const py::bytes& authentication_key) {
            const std::string text = telegram;
            return to_py_bytes(security::p1_protect(text, fixed<16>(encryption_key, "encryption_key"),
                                              fixed<8>(system_title, "system_title"), invocation_counter,
                                              fixed<16>(authentication_key, "authentication_key")));
        },
        py::arg("telegram"), py::arg("encryption_key"), py::arg("system_title"), py::arg("invocation_counter"),
        py::arg("authentication_key") = to_py_bytes(codec::bytes(security::luxembourg_authentication_key.begin(),
                                                           security::luxembourg_authentication_key.end())),
        "Luxembourg-style encrypted P1 frame (raw 0xDB envelope, SC 0x30) for an ASCII telegram.");

    m.def(
        "p1_unprotect",
        [error_type](const py::bytes& frame, const py::bytes& encryption_key, const py::bytes& authentication_key) {
            const auto wire = to_bytes(frame);
            auto opened = security::p1_unprotect(wire, fixed<16>(encryption_key, "encryption_key"),
                                                 fixed<16>(authentication_key, "authentication_key"));
            if (!opened) raise_unprotect(error_type, opened.error());
            py::dict out;
            out["telegram"] = py::bytes(opened->telegram);
            out["system_title"] = to_py_bytes(codec::bytes(opened->title.begin(), opened->title.end()));
            out["invocation_counter"] = opened->invocation_counter;
            return out;
        },
        py::arg("frame"), py::arg("encryption_key"),
        py::arg("authentication_key") = to_py_bytes(codec::bytes(security::luxembourg_authentication_key.begin(),
                                                           security::luxembourg_authentication_key.end())),
        "Opens an encrypted P1 frame: dict(telegram (bytes), system_title, invocation_counter); raises UnprotectError.");

    m.def(
        "protect_with_fault",
        [](const std::string& fault, const py::bytes& apdu, const py::bytes& encryption_key,
           const py::bytes& authentication_key, const py::bytes& system_title, std::uint32_t invocation_counter,
           std::uint8_t security_control, std::optional<std::uint32_t> previous_counter, std::uint32_t counter_jump) {
            const auto plain = to_bytes(apdu);
            security::fault_request request;
            request.plaintext_apdu = plain;
            request.keys = keys_of(encryption_key, authentication_key);
            request.title = fixed<8>(system_title, "system_title");
            request.invocation_counter = invocation_counter;
            request.security_control = security_control;
            request.previous_counter = previous_counter;
            request.counter_jump = counter_jump;
            try {
                const auto faulty = security::protect_with_fault(security::parse_cipher_fault(fault), request);
                return py::make_tuple(to_py_bytes(faulty.apdu), faulty.invocation_counter, faulty.description);
            } catch (const std::invalid_argument& e) {
                throw py::value_error(e.what());
            }
        },
        py::arg("fault"), py::arg("apdu"), py::arg("encryption_key"), py::arg("authentication_key"),
        py::arg("system_title"), py::arg("invocation_counter"), py::arg("security_control") = 0x30,
        py::arg("previous_counter") = py::none(), py::arg("counter_jump") = security::default_counter_jump,
        "A deliberately faulty ciphered APDU: (apdu, invocation_counter_on_wire, description).");

    py::list faults;
    for (const auto f : security::all_cipher_faults()) faults.append(std::string(security::to_string(f)));
    m.attr("CIPHER_FAULTS") = faults;
}

}  // namespace hansim::bindings
