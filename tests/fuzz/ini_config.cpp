// Fuzz target for `hansim run --config FILE`: the INI file read by boost::program_options with
// hansim run's own option table, then turned into a run plan exactly as run does it
// (app::request_from, scenario::make_run_plan: every setting, duration, time, port, count
// and speed parsed and checked). A file is either accepted or refused with
// boost::program_options::error, app::usage_error or scenario::plan_error (exit 2 in hansim
// run); nothing else may escape. The plan is made without a scenario file (a path in the
// input is not opened), from the built-in default scenario.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include <boost/program_options.hpp>

#include "hansim/scenario/run_plan.hpp"
#include "plan_options.hpp"
#include "subcommands.hpp"

using namespace hansim;
namespace po = boost::program_options;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const auto options = app::run_option_table();
    std::istringstream file(std::string(reinterpret_cast<const char*>(data), size));
    po::variables_map vm;
    try {
        po::store(po::parse_config_file(file, options), vm);
        po::notify(vm);
        auto request = app::request_from(vm);
        request.scenario_file.reset();
        scenario::plan_defaults defaults;
        defaults.source = scenario::plan_defaults::meter_source::default_scenario;
        defaults.ports_required = true;
        (void)scenario::make_run_plan(request, defaults,
                                      scenario::utc_ms(std::chrono::milliseconds(1'700'000'000'000)));
    } catch (const po::error&) {
    } catch (const app::usage_error&) {
    } catch (const scenario::plan_error&) {
    }
    return 0;
}
