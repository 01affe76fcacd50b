// Fuzz target for scenario files (YAML, scenario/scenario.hpp). A scenario either loads or is
// refused with scenario_error ("file:line: field: problem"); nothing else may escape (no
// yaml-cpp exception, no crash, no undefined behaviour). A scenario that loads must also run:
// its meters build a push source and send their first pushes without failing, as
// `hansim generate` would (keys given, so ciphered meters run too).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "hansim/meter/meter_source.hpp"
#include "hansim/scenario/scenario.hpp"

using namespace hansim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    scenario::scenario loaded;
    try {
        loaded = scenario::load_scenario_text(text, "fuzz.yaml");
    } catch (const scenario::scenario_error& e) {
        if (std::string_view(e.what()).rfind("fuzz.yaml:", 0) != 0) std::abort();  // errors name the file
        return 0;
    }
    std::vector<scenario::meter_spec> configs;
    try {
        configs = loaded.configs(scenario::utc_ms(std::chrono::milliseconds(1'700'000'000'000)));
    } catch (const std::invalid_argument&) {
        return 0;
    }
    security::security_keys keys;
    for (std::size_t i = 0; i < 16; ++i) keys.authentication_key[i] = static_cast<std::uint8_t>(i);
    for (const auto& spec : configs) {
        try {
            const auto source = meter::make_push_source(spec.config, &keys, nullptr);
            for (int i = 0; i < 3; ++i) (void)source->next();
        } catch (const std::invalid_argument&) {
            // a configuration the meter refuses (e.g. a fault plan that cannot apply): reported
        }
    }
    return 0;
}
