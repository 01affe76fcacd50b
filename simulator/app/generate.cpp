// hansim generate: placeholder until its layer lands; says so plainly and fails.
#include <cstdio>

#include "subcommands.hpp"

namespace hansim::app {
int generate_main(int, char**) {
    std::fprintf(stderr, "hansim generate: not available in this build yet\n");
    return 1;
}
}  // namespace hansim::app
