// hansim profiles: placeholder until its layer lands; says so plainly and fails.
#include <cstdio>

#include "subcommands.hpp"

namespace hansim::app {
int profiles_main(int, char**) {
    std::fprintf(stderr, "hansim profiles: not available in this build yet\n");
    return 1;
}
}  // namespace hansim::app
