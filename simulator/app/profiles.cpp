// hansim profiles: one line per meter profile, name and description.
#include <cstdio>
#include <cstring>

#include "hansim/meter/profile.hpp"
#include "subcommands.hpp"

namespace hansim::app {

int profiles_main(int argc, char** argv) {
    if (argc > 1 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
        std::puts("usage: hansim profiles\n\nLists the meter profiles: name, then a one-line description.\n"
                  "Use a name with `hansim generate --meter NAME` or `profile:` in a scenario.");
        return 0;
    }
    if (argc > 1) {
        std::fprintf(stderr, "hansim profiles: unexpected argument '%s'\n", argv[1]);
        return 2;
    }
    std::size_t width = 0;
    for (const auto& p : meter::meter_profiles()) width = std::max(width, p.name.size());
    for (const auto& p : meter::meter_profiles())
        std::printf("%-*s  %s\n", static_cast<int>(width), p.name.c_str(), p.description.c_str());
    return 0;
}

}  // namespace hansim::app
