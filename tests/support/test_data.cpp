#include "test_data.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace hansim::test {

std::filesystem::path data_dir() {
    if (const char* env = std::getenv("HANSIM_TEST_DATA_DIR")) return env;
    return HANSIM_TEST_DATA_DIR;
}

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open test data file " + path.string());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

codec::bytes read_hex(const std::filesystem::path& path) { return codec::from_hex(read_text(path)); }

std::vector<std::filesystem::path> files_ending(const std::string& folder, const std::string& suffix) {
    std::vector<std::filesystem::path> out;
    for (const auto& entry : std::filesystem::directory_iterator(data_dir() / folder)) {
        const auto name = entry.path().filename().string();
        if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
            out.push_back(entry.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace hansim::test
