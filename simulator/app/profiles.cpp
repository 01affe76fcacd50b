// hansim profiles: one line per meter profile, name and description, and under it the
// profile's caveats (what is assumed rather than seen on a real meter), wrapped.
#include <cstdio>
#include <cstring>
#include <string>

#include "hansim/meter/profile.hpp"
#include "subcommands.hpp"

namespace hansim::app {
namespace {

// Words wrapped at 100 columns, every line indented by `indent`.
void print_wrapped(std::size_t indent, const std::string& text) {
    constexpr std::size_t columns = 100;
    const std::size_t room = columns > indent + 20 ? columns - indent : 20;
    std::string line;
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t end = text.find(' ', at);
        if (end == std::string::npos) end = text.size();
        const std::string word = text.substr(at, end - at);
        if (!line.empty() && line.size() + 1 + word.size() > room) {
            std::printf("%*s%s\n", static_cast<int>(indent), "", line.c_str());
            line.clear();
        }
        line += (line.empty() ? "" : " ") + word;
        at = end + 1;
    }
    if (!line.empty()) std::printf("%*s%s\n", static_cast<int>(indent), "", line.c_str());
}

}  // namespace

int profiles_main(int argc, char** argv) {
    if (argc > 1 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
        std::puts("usage: hansim profiles\n\nLists the meter profiles: name, then a one-line description, and "
                  "under it, marked 'caveat:', what the profile assumes rather than saw on a real meter.\n"
                  "Use a name with `hansim generate --meter NAME` or `profile:` in a scenario.");
        return 0;
    }
    if (argc > 1) {
        std::fprintf(stderr, "hansim profiles: unexpected argument '%s'\n", argv[1]);
        return 2;
    }
    std::size_t width = 0;
    for (const auto& p : meter::meter_profiles()) width = std::max(width, p.name.size());
    for (const auto& p : meter::meter_profiles()) {
        std::printf("%-*s  %s\n", static_cast<int>(width), p.name.c_str(), p.description.c_str());
        if (!p.caveats.empty()) print_wrapped(width + 2, "caveat: " + p.caveats);
    }
    return 0;
}

}  // namespace hansim::app
