// hansim decode: placeholder until its layer lands; says so plainly and fails.
#include <cstdio>

#include "subcommands.hpp"

namespace hansim::app {
int decode_main(int, char**) {
    std::fprintf(stderr, "hansim decode: not available in this build yet\n");
    return 1;
}
}  // namespace hansim::app
