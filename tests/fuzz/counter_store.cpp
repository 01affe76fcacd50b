// Fuzz target for the invocation-counter store file (security/invocation_counter_store.hpp):
// `next=<decimal>`, '#' comments. A store file either opens or is refused with
// std::runtime_error naming the path; an opened store hands out strictly increasing counters
// starting at or above the value in the file, and persists a value it will not go below.
#include <unistd.h>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "hansim/security/invocation_counter_store.hpp"

using namespace hansim;

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

const std::filesystem::path& folder() {
    static const auto path = [] {
        auto p = std::filesystem::temp_directory_path() / ("hansim-fuzz-ic-" + std::to_string(::getpid()));
        std::filesystem::create_directories(p);
        return p;
    }();
    return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto path = folder() / "ic.txt";
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    std::uint32_t last = 0;
    try {
        security::invocation_counter_store store(path, 4);
        const auto first = store.peek();
        last = store.next();
        check(last == first);
        for (int i = 0; i < 6; ++i) {
            const auto value = store.next();
            check(value > last);
            last = value;
        }
        store.flush();
    } catch (const std::runtime_error& e) {
        check(std::string_view(e.what()).find(path.string()) != std::string_view::npos);
        return 0;
    }
    // Reopened, the store continues above every counter handed out.
    try {
        security::invocation_counter_store again(path, 4);
        check(again.peek() > last);
    } catch (const std::runtime_error& e) {
        check(std::string_view(e.what()).find("counter space") != std::string_view::npos ||
              std::string_view(e.what()).find("exhausted") != std::string_view::npos);
    }
    return 0;
}
