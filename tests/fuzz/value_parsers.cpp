// Fuzz target for the value parsers behind the command line and scenario files: durations,
// ISO 8601 times, port specs, ciphering fault plans and every meter setting (the settings
// table, scenario/meter_settings.hpp). The first byte picks the parser (and for settings the
// key); the rest is the text. Each parser either returns or throws std::invalid_argument
// (io::port_error for ports); undefined behaviour (overflow) is fatal under UBSan. Text forms
// read back to the same value: times (format_utc_time), ports (to_string) and fault plans.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "hansim/io/port_spec.hpp"
#include "hansim/faults/catalogue.hpp"
#include "hansim/meter/fault_plan.hpp"
#include "hansim/scenario/meter_settings.hpp"

using namespace hansim;

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

bool same_port(const io::port_spec& a, const io::port_spec& b) {
    return a.kind == b.kind && a.path == b.path && a.host == b.host && a.tcp_port == b.tcp_port && a.line == b.line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data + 2), size - 2);
    try {
        switch (data[0] % 5) {
            case 0: {
                const auto d = scenario::parse_duration(text);
                (void)d;
                break;
            }
            case 1: {
                const auto t = scenario::parse_utc_time(text);
                check(scenario::parse_utc_time(scenario::format_utc_time(t)) == t);
                // The documented form: fixed-width digits YYYY-MM-DD[T ]HH:MM, then the rest.
                constexpr std::string_view form = "dddd-dd-dd?dd:dd";
                check(text.size() >= form.size());
                for (std::size_t i = 0; i < form.size(); ++i)
                    check(form[i] == 'd' ? (text[i] >= '0' && text[i] <= '9')
                                         : form[i] == '?' ? (text[i] == 'T' || text[i] == ' ') : text[i] == form[i]);
                break;
            }
            case 2: {
                const auto spec = io::parse_port_spec(text);
                check(same_port(io::parse_port_spec(spec.to_string()), spec));
                break;
            }
            case 3: {
                const auto plan = faults::parse_fault_plan(text);
                check(faults::parse_fault_plan(meter::to_string(plan)) == plan);
                break;
            }
            case 4: {
                const auto& keys = scenario::meter_setting_keys();
                scenario::meter_spec spec;
                scenario::apply_meter_setting(spec, keys[data[1] % keys.size()], text);
                try {
                    meter::validate(spec.config);
                } catch (const std::invalid_argument&) {
                }
                break;
            }
        }
    } catch (const std::invalid_argument&) {
    } catch (const io::port_error&) {
    }
    return 0;
}
