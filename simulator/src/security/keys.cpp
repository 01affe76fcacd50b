#include "hansim/security/keys.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace hansim::security {
namespace {

std::string_view trim(std::string_view s) {
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// True for text with a run of 8 or more hex digits: possibly (part of) a key.
bool looks_like_key_material(std::string_view text) {
    std::size_t run = 0;
    for (const char c : text) {
        run = hex_value(c) >= 0 ? run + 1 : 0;
        if (run >= 8) return true;
    }
    return false;
}

// A path as it may appear in messages. Someone who pastes a key where a key-file path
// belongs must not find the key in a terminal, a CI log or BAD_INPUT.md: every run of 16 or
// more hex digits (half a key and up; a real path seldom has one) is replaced.
std::string shown_path(const std::filesystem::path& path, bool& hid_something) {
    const std::string text = path.string();
    constexpr std::size_t longest_shown = 15;
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t run = 0;
        while (i + run < text.size() && hex_value(text[i + run]) >= 0) ++run;
        if (run > longest_shown) {
            out += "<" + std::to_string(run) + " hex digits, not shown>";
            hid_something = true;
        } else {
            out.append(text, i, run);
        }
        i += run;
        if (i < text.size() && run == 0) out += text[i++];
    }
    return out;
}

}  // namespace

aes_key parse_key_hex(std::string_view hex, std::string_view what) {
    hex = trim(hex);
    aes_key key{};
    if (hex.size() != 2 * key.size())
        throw std::invalid_argument(std::string(what) + " must be 32 hex digits (16 bytes), got " +
                                    std::to_string(hex.size()));
    for (std::size_t i = 0; i < key.size(); ++i) {
        const int hi = hex_value(hex[2 * i]);
        const int lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            throw std::invalid_argument(std::string(what) + " must be 32 hex digits: character " +
                                        std::to_string(2 * i + (hi < 0 ? 1 : 2)) + " is not a hex digit");
        key[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return key;
}

loaded_keys load_key_file(const std::filesystem::path& path) {
    bool looks_like_a_key = false;
    const std::string where = "key file " + shown_path(path, looks_like_a_key);
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(status))
        throw std::runtime_error(where + ": cannot open (file not found)" +
                                 (looks_like_a_key ? std::string("; the path looks like key material: give the path of a "
                                                                 "key file holding encryption_key=... and "
                                                                 "authentication_key=..., never a key itself")
                                                   : std::string()));
    if (std::filesystem::is_directory(status)) throw std::runtime_error(where + ": is a directory");
    std::ifstream in(path);
    if (!in) throw std::runtime_error(where + ": cannot open for reading");

    loaded_keys result;
    using std::filesystem::perms;
    if ((status.permissions() & (perms::group_read | perms::others_read)) != perms::none)
        result.warnings.push_back(where + " is readable by group or others; restrict it (chmod 600)");

    std::optional<aes_key> encryption, authentication;
    std::string line;
    for (std::size_t number = 1; std::getline(in, line); ++number) {
        const std::string at = where + " line " + std::to_string(number) + ": ";
        std::string_view text = line;
        if (const auto hash = text.find('#'); hash != std::string_view::npos) text = text.substr(0, hash);
        text = trim(text);
        if (text.empty()) continue;
        const auto eq = text.find('=');
        if (eq == std::string_view::npos) throw std::runtime_error(at + "expected name=value");
        const std::string_view name = trim(text.substr(0, eq));
        std::optional<aes_key>* slot = nullptr;
        if (name == "encryption_key") slot = &encryption;
        else if (name == "authentication_key") slot = &authentication;
        else if (looks_like_key_material(name))  // a key pasted where the name goes: never echo it
            throw std::runtime_error(at + "unknown key name (not shown: it looks like key material; "
                                          "expected encryption_key or authentication_key)");
        else
            throw std::runtime_error(at + "unknown key '" + std::string(name) +
                                     "' (expected encryption_key or authentication_key)");
        if (slot->has_value()) throw std::runtime_error(at + std::string(name) + " given twice");
        try {
            *slot = parse_key_hex(text.substr(eq + 1), name);
        } catch (const std::invalid_argument& e) {
            throw std::runtime_error(at + e.what());
        }
    }
    if (in.bad()) throw std::runtime_error(where + ": read error");
    if (!encryption) throw std::runtime_error(where + ": encryption_key missing");
    if (!authentication) throw std::runtime_error(where + ": authentication_key missing");
    result.keys = {*encryption, *authentication};
    return result;
}

std::optional<security_keys> keys_from_environment() {
    const char* ek = std::getenv(encryption_key_variable);
    const char* ak = std::getenv(authentication_key_variable);
    if (!ek && !ak) return std::nullopt;
    if (!ek || !ak)
        throw std::runtime_error(std::string("environment variable ") +
                                 (ek ? authentication_key_variable : encryption_key_variable) + " is not set (" +
                                 (ek ? encryption_key_variable : authentication_key_variable) +
                                 " is; both keys are needed)");
    security_keys keys;
    try {
        keys.encryption_key = parse_key_hex(ek, std::string("environment variable ") + encryption_key_variable);
        keys.authentication_key = parse_key_hex(ak, std::string("environment variable ") + authentication_key_variable);
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(e.what());
    }
    return keys;
}

}  // namespace hansim::security
