#include "capture_input.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

namespace hansim::app {

std::optional<capture::capture> load_capture(const std::string& path, const std::string& command, bool skip_bad,
                                             const capture::parse_options& options) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "hansim %s: cannot open capture file '%s'\n", command.c_str(), path.c_str());
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    auto parsed = capture::parse(text.str(), options);
    constexpr std::size_t shown = 20;
    for (std::size_t i = 0; i < parsed.problems.size() && i < shown; ++i)
        std::fprintf(stderr, "hansim %s: %s:%zu: %s\n", command.c_str(), path.c_str(), parsed.problems[i].line,
                     parsed.problems[i].message.c_str());
    if (parsed.problems.size() > shown)
        std::fprintf(stderr, "hansim %s: %s: %zu more bad lines\n", command.c_str(), path.c_str(),
                     parsed.problems.size() - shown);
    if (!parsed.problems.empty() && !skip_bad) {
        std::fprintf(stderr, "hansim %s: %s: %zu bad line%s (--skip-bad uses what is valid)\n", command.c_str(),
                     path.c_str(), parsed.problems.size(), parsed.problems.size() == 1 ? "" : "s");
        return std::nullopt;
    }
    bool any_data = false;
    for (const auto& r : parsed.records) any_data = any_data || r.kind == capture::record_kind::data;
    if (!any_data) {
        std::fprintf(stderr, "hansim %s: %s: no data in the file (read as %s)\n", command.c_str(), path.c_str(),
                     std::string(capture::to_string(parsed.format)).c_str());
        return std::nullopt;
    }
    if (!parsed.problems.empty())
        std::fprintf(stderr, "hansim %s: %s: skipped %zu bad line%s\n", command.c_str(), path.c_str(),
                     parsed.problems.size(), parsed.problems.size() == 1 ? "" : "s");
    return parsed;
}

bool looks_like_capture(const std::string& text) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        const auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line[first] == '#') continue;
        return line.compare(first, capture::magic.size(), capture::magic) == 0;
    }
    return false;
}

}  // namespace hansim::app
