#include "hansim/scenario/prepared_meter.hpp"

#include <filesystem>

#include "hansim/faults/catalogue.hpp"
#include "hansim/faults/fault_stage.hpp"
#include "hansim/meter/meter_source.hpp"
#include "hansim/scenario/event_spec.hpp"
#include "hansim/scenario/scenario.hpp"

namespace hansim::scenario {
namespace {

security::security_keys load_keys(const meter_spec& spec, const meter_setup_options& options,
                                  std::vector<std::string>& warnings) {
    const meter::meter_config& config = spec.config;
    std::optional<std::filesystem::path> file;
    if (!spec.files.key_file.empty())
        file = spec.files.key_file;
    else if (options.fallback_key_file)
        file = *options.fallback_key_file;
    if (file) {
        auto loaded = security::load_key_file(*file);
        warnings.insert(warnings.end(), loaded.warnings.begin(), loaded.warnings.end());
        return loaded.keys;
    }
    if (auto keys = security::keys_from_environment()) return *keys;
    throw meter_setup_error("security " + std::string(security::to_string(config.security)) +
                            " needs keys: give a key file (--key-file or key_file) or set " +
                            security::encryption_key_variable + " and " + security::authentication_key_variable);
}

}  // namespace

prepared_meter prepare_meter(const meter_spec& spec, const meter_setup_options& options) {
    const meter::meter_config& config = spec.config;
    prepared_meter meter;
    meter.config = config;
    // The push phase is the meter's clock running behind (meter_spec.hpp). An unset clock
    // counts from 2000-01-01 at the start whatever the offset: it has none.
    const auto phase = spec.phase.given ? *spec.phase.given
                       : spec.phase.drawn ? drawn_push_phase(config)
                                          : std::chrono::milliseconds(0);
    if (!meter.config.clock_unset) meter.config.clock_offset -= phase;
    try {
        resolve_event_settings(meter.config);
        for (auto& e : meter.config.events) {
            load_event_files(e, {});  // a no-op for events read from a scenario (loaded there)
            if (e.kind == meter::event_kind::key_change && !e.keys) {
                security::loaded_keys loaded;
                try {
                    loaded = security::load_key_file(e.key_file);
                } catch (const std::exception& x) {  // say which event named the file
                    const std::string where =
                        e.origin_file.empty()
                            ? "event '" + e.text + "': key_change: "
                            : e.origin_file + (e.origin_line > 0 ? ":" + std::to_string(e.origin_line) : "") + ": " +
                                  (e.origin_field.empty() ? "" : e.origin_field + ": ");
                    throw std::invalid_argument(where + x.what());
                }
                meter.warnings.insert(meter.warnings.end(), loaded.warnings.begin(), loaded.warnings.end());
                e.keys = loaded.keys;
            }
        }
        bool ciphers = config.security != security::security_policy::none;
        for (const auto& e : meter.config.events)
            if (e.config_after && e.config_after->security != security::security_policy::none) ciphers = true;
        if (ciphers) meter.keys = load_keys(spec, options, meter.warnings);
        else if (options.live_control && (!spec.files.key_file.empty() || options.fallback_key_file))
            meter.keys = load_keys(spec, options, meter.warnings);
        else if (options.live_control)  // keys in the environment, as hansim run takes them
            if (auto keys = security::keys_from_environment()) meter.keys = *keys;
        const bool counts = ciphers || (options.live_control && meter.keys);  // live: a security switch may come
        if (!spec.files.invocation_counter_file.empty() && counts) {
            // The state folder (run_plan.hpp) may not exist yet: made private, as it holds
            // what keeps nonces unique.
            const auto folder = std::filesystem::path(spec.files.invocation_counter_file).parent_path();
            std::error_code ec;
            if (!folder.empty() && !std::filesystem::exists(folder, ec) && std::filesystem::create_directories(folder, ec))
                std::filesystem::permissions(folder, std::filesystem::perms::owner_all, ec);
        }
        if (!spec.files.invocation_counter_file.empty() && counts)
            meter.counters = std::make_unique<security::invocation_counter_store>(
                spec.files.invocation_counter_file, security::invocation_counter_store::default_block,
                config.initial_invocation_counter);
        try {
            faults::check_applicable(config.faults, config, spec.port);
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(std::string("faults: ") + e.what());
        }
        meter.source = faults::make_fault_stage(
            meter::make_push_source(meter.config, meter.keys ? &*meter.keys : nullptr, meter.counters.get(),
                                    options.live_control, faults::content_fault_hook()),
            config);
    } catch (const security::counter_store_in_use& e) {  // a runtime conflict, not a setting to fix
        throw security::counter_store_in_use("meter '" + config.name + "': " + e.what());
    } catch (const scenario_error&) {  // a CSV series: file, line and column say it all
        throw;
    } catch (const std::exception& e) {  // keys, key file, counter store, invalid config
        throw meter_setup_error("meter '" + config.name + "': " + e.what());
    }
    return meter;
}

}  // namespace hansim::scenario
