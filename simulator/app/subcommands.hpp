#pragma once
// The subcommand table. Exit codes everywhere: 0 done, 1 runtime failure, 2 usage/config error.
#include <span>
#include <string_view>

#include <boost/program_options/options_description.hpp>

namespace hansim::app {

struct subcommand {
    std::string_view name;
    int (*entry)(int argc, char** argv);  ///< argv[0] is the subcommand name
};

int decode_main(int argc, char** argv);
int generate_main(int argc, char** argv);
int run_main(int argc, char** argv);
int profiles_main(int argc, char** argv);
int record_main(int argc, char** argv);
int replay_main(int argc, char** argv);
int faults_main(int argc, char** argv);
int report_main(int argc, char** argv);

std::span<const subcommand> subcommands();

/// The options of `hansim run` (command line and --config INI file), for the INI fuzz target.
boost::program_options::options_description run_option_table();

}  // namespace hansim::app
