// Subcommands whose layers are still being written. Each says so plainly and fails;
// the file goes away as each command lands.
#include <cstdio>

#include "subcommands.hpp"

namespace hansim::app {
namespace {
int not_available(const char* name) {
    std::fprintf(stderr, "hansim %s: not available in this build yet\n", name);
    return 1;
}
}  // namespace
int decode_main(int, char**) { return not_available("decode"); }
int generate_main(int, char**) { return not_available("generate"); }
int run_main(int, char**) { return not_available("run"); }
int profiles_main(int, char**) { return not_available("profiles"); }
}  // namespace hansim::app
