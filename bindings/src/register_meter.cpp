// Meters, profiles and decoding for Python: registration only; the work is in the library.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "hansim/meter/profile.hpp"
#include "hansim/meter/push_record.hpp"
#include "hansim/meter/wire_decoder.hpp"
#include "hansim/scenario/meter_settings.hpp"
#include "hansim/scenario/prepared_meter.hpp"
#include "hansim/scenario/scenario.hpp"
#include "convert.hpp"
#include "register.hpp"

namespace py = pybind11;

namespace hansim::bindings {
namespace {

/// One simulated meter producing pushes in send order, without waiting: a run plan of one
/// meter (the same settings, defaults and errors as `hansim generate --meter`).
class py_meter {
public:
    py_meter(const std::string& profile, const std::map<std::string, std::string>& settings, const std::string& start,
             std::optional<std::string> key_file, const std::vector<std::string>& events)
        : prepared_(prepare(plan(profile, settings, start, std::move(key_file), events))) {}

    /// The next push: (ground-truth record, wire bytes).
    std::pair<py::object, py::bytes> next() {
        auto frame = prepared_.source->next();
        return {to_python(meter::push_record_json(frame, prepared_.config)), to_py_bytes(frame.wire)};
    }

    std::map<std::string, double> resolution() const { return wire_resolution(prepared_.config); }

    std::vector<std::string> warnings() const { return prepared_.warnings; }
    std::string name() const { return prepared_.config.name; }
    unsigned baud_rate() const { return prepared_.source->baud_rate(); }
    unsigned bits_per_character() const { return prepared_.source->bits_per_character(); }

private:
    static scenario::meter_spec plan(const std::string& profile, const std::map<std::string, std::string>& settings,
                                     const std::string& start, std::optional<std::string> key_file,
                                     const std::vector<std::string>& events) {
        scenario::run_request request = python_request();
        request.meters.push_back({profile, to_settings(settings), events});
        if (key_file) request.settings.push_back({"key_file", *key_file, "key_file"});
        if (!start.empty()) request.start = start;
        scenario::plan_defaults defaults;  // as hansim generate's
        defaults.source = scenario::plan_defaults::meter_source::default_profile;
        defaults.start = scenario::parse_utc_time("2024-01-01T00:00:00Z");
        return plan_from(request, defaults).meters.front();
    }
    static scenario::prepared_meter prepare(const scenario::meter_spec& spec) {
        try {
            return scenario::prepare_meter(spec);
        } catch (const scenario::meter_setup_error& e) {
            throw py::value_error(e.what());
        }
    }
    scenario::prepared_meter prepared_;
};

py::list decode(const py::bytes& data, const std::string& protocol, std::optional<py::bytes> ek,
                                std::optional<py::bytes> ak) {
    meter::wire_decoder_options options;
    try {
        options.protocol = meter::parse_wire_protocol(protocol);
    } catch (const std::invalid_argument& e) {
        throw py::value_error(e.what());
    }
    if (ek.has_value() != ak.has_value()) throw py::value_error("give both keys or neither");
    if (ek) options.keys = security::security_keys{fixed<16>(*ek, "encryption_key"), fixed<16>(*ak, "authentication_key")};
    const auto bytes = to_bytes(data);
    std::vector<report::json> records;
    {
        py::gil_scoped_release release;
        meter::wire_decoder decoder(options);
        decoder.feed(bytes);
        records = decoder.finish();
    }
    py::list out;
    for (const auto& r : records) out.append(to_python(r));
    return out;
}

}  // namespace

void register_meter(py::module_& m) {
    m.def(
        "profiles",
        [] {
            std::vector<std::pair<std::string, std::string>> out;
            for (const auto& p : meter::meter_profiles()) out.emplace_back(p.name, p.description);
            return out;
        },
        "(name, description) of every meter profile");
    m.def("setting_keys", &scenario::meter_setting_keys, "the meter setting keys (as in scenario files)");
    m.def(
        "parse_duration",
        [](const std::string& text) {
            try {
                return scenario::parse_duration(text).count();
            } catch (const std::invalid_argument& e) {
                throw py::value_error(e.what());
            }
        },
        py::arg("text"), "milliseconds of a duration as the CLI and scenarios read it (90s, 1h30m, 2d, 500ms)");
    m.def(
        "parse_utc_time",
        [](const std::string& text) {
            try {
                return scenario::parse_utc_time(text).time_since_epoch().count();
            } catch (const std::invalid_argument& e) {
                throw py::value_error(e.what());
            }
        },
        py::arg("text"), "milliseconds since 1970 (UTC) of an ISO 8601 time as the CLI and scenarios read it");
    m.def("default_scenario_text", [] { return std::string(scenario::default_scenario_text()); },
          "the embedded default scenario (YAML)");
    m.def("decode", &decode, py::arg("data"), py::arg("protocol") = "auto", py::arg("encryption_key") = py::none(),
          py::arg("authentication_key") = py::none(),
          "decode a byte stream: one record (dict) a frame/telegram (see `hansim decode`)");

    py::class_<py_meter>(m, "Meter", "a simulated meter producing its pushes without waiting")
        .def(py::init<const std::string&, const std::map<std::string, std::string>&, const std::string&,
                      std::optional<std::string>, const std::vector<std::string>&>(),
             py::arg("profile"), py::arg("settings") = std::map<std::string, std::string>{},
             py::arg("start") = "2024-01-01T00:00:00Z", py::arg("key_file") = py::none(),
             py::arg("events") = std::vector<std::string>{})
        .def("next", &py_meter::next, "next push: (ground-truth record as a dict, wire bytes)")
        .def_property_readonly("warnings", &py_meter::warnings)
        .def_property_readonly("resolution", &py_meter::resolution,
                               "what one wire unit means: energy_wh, current_a, voltage_v, power_multiplier")
        .def_property_readonly("name", &py_meter::name)
        .def_property_readonly("baud_rate", &py_meter::baud_rate)
        .def_property_readonly("bits_per_character", &py_meter::bits_per_character);
}

}  // namespace hansim::bindings
