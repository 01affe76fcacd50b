#include "subcommands.hpp"

#include <array>

namespace hansim::app {

std::span<const subcommand> subcommands() {
    static constexpr std::array table{
        subcommand{"run", &run_main},
        subcommand{"generate", &generate_main},
        subcommand{"decode", &decode_main},
        subcommand{"record", &record_main},
        subcommand{"replay", &replay_main},
        subcommand{"profiles", &profiles_main},
        subcommand{"faults", &faults_main},
        subcommand{"report", &report_main},
    };
    return table;
}

}  // namespace hansim::app
