// Fuzz target for key files (security/keys.hpp load_key_file): `name=value` lines, '#'
// comments. The file either loads or is refused with std::runtime_error naming the file and a
// line; the message never contains key material (no run of 8 or more hex digits from the
// file). Also parse_key_hex, which the environment variables go through.
#include <unistd.h>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "hansim/security/keys.hpp"

using namespace hansim;

namespace {

const std::filesystem::path& scratch() {
    static const auto path = std::filesystem::temp_directory_path() /
                             ("hansim-fuzz-keys-" + std::to_string(::getpid()) + ".txt");
    return path;
}

/// True when `message` contains 8 or more consecutive hex digits that also occur in `input`.
bool echoes_key_text(std::string_view message, std::string_view input) {
    for (std::size_t i = 0; i + 8 <= message.size(); ++i) {
        std::size_t n = 0;
        while (i + n < message.size() && std::isxdigit(static_cast<unsigned char>(message[i + n]))) ++n;
        if (n >= 8 && input.find(message.substr(i, n)) != std::string_view::npos) return true;
        i += n;
    }
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    {
        std::ofstream out(scratch(), std::ios::binary | std::ios::trunc);
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
    }
    std::filesystem::permissions(scratch(), std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    const std::string path_text = scratch().string();
    try {
        (void)security::load_key_file(scratch());
    } catch (const std::runtime_error& e) {
        const std::string_view message = e.what();
        if (message.find(path_text) == std::string_view::npos) std::abort();  // names the file
        if (echoes_key_text(message.substr(message.find(path_text) + path_text.size()), text)) std::abort();
    }
    try {
        (void)security::parse_key_hex(text, "encryption_key");
    } catch (const std::invalid_argument& e) {
        if (echoes_key_text(e.what(), text)) std::abort();
    }
    return 0;
}
