#pragma once
// The options `hansim run` and `hansim generate` share, and how they become a run request:
// every key of the settings table as `--KEY VALUE`, `--set KEY=VALUE`, --meter, --scenario,
// --count, --start, --duration. Both commands call these, so an option is spelled, parsed
// and refused the same way in both.
#include <boost/program_options.hpp>
#include <stdexcept>
#include <string>

#include "hansim/scenario/run_plan.hpp"

namespace hansim::app {

/// A usage or configuration mistake: exit code 2.
class usage_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// --meter, --scenario, --count, --start, --duration (with `default_duration` in the help)
/// and --set.
boost::program_options::options_description plan_options(const std::string& default_start,
                                                          const std::string& default_duration);

/// `--KEY VALUE` for every key of the settings table (meter_settings.hpp), plus --ic-file
/// (short for --invocation-counter-file).
boost::program_options::options_description setting_options();

/// Parses the command line; a stray positional argument (e.g. `hansim run kamstrup-dk-3p`)
/// is a usage_error that says what to write instead.
boost::program_options::parsed_options parse_command_line(int argc, char** argv,
                                                          const boost::program_options::options_description& options);

/// Reads an INI config file (`--config`) into `vm`; a folder or an unreadable file is a
/// usage_error naming it.
void store_config_file(const std::string& path, const boost::program_options::options_description& options,
                       boost::program_options::variables_map& vm);

/// The run request the options describe.
scenario::run_request request_from(const boost::program_options::variables_map& vm);

}  // namespace hansim::app
