// hansim faults: the fault catalogue, one fault a line (name, parameters, profiles, ports,
// description), straight from faults/catalogue.hpp.
#include <cstdio>
#include <cstring>

#include "hansim/faults/catalogue.hpp"
#include "subcommands.hpp"

namespace hansim::app {

int faults_main(int argc, char** argv) {
    if (argc > 1 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
        std::puts(
            "usage: hansim faults\n\n"
            "Lists the fault catalogue, one fault a line: name, parameters (name=min..max(default)),\n"
            "the profiles and ports it applies to, and what it does. Ask for faults with the `faults`\n"
            "setting (scenario `faults:`, `--faults` for generate and run, Python faults=):\n"
            "  NAME[:PARAM=VALUE]...@SELECTION[,...]\n"
            "SELECTION: N | A-B | every:K | rate:P (seeded) | time:T | time:T1..T2\n"
            "(T: +90s, +1h30min relative to the start, or 2024-01-01T12:00:00Z).\n"
            "Example: bad_fcs@3,truncated:at=40@every:10,garbage:kind=2@time:+1h..+2h");
        return 0;
    }
    if (argc > 1) {
        std::fprintf(stderr, "hansim faults: unexpected argument '%s'\n", argv[1]);
        return 2;
    }
    for (const auto& spec : faults::catalogue()) std::printf("%s\n", faults::catalogue_line(spec).c_str());
    return 0;
}

}  // namespace hansim::app
