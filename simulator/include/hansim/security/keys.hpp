#pragma once
/// @file
/// The two suite-0 keys and where they come from (key file, environment).
///
/// Key material never appears in output: there is no operator<< or to_string for keys, and
/// no error message produced here contains key text (not even the offending characters);
/// messages name the file, line, variable and key name instead.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hansim/security/aes_gcm.hpp"

namespace hansim::security {

/// Global unicast encryption key (Kamstrup GPK60 / GUEK) and authentication key (GPK61 / GAK).
struct security_keys {
    aes_key encryption_key{};
    aes_key authentication_key{};
};

/// Keys read from a file, plus warnings for the caller to show (the library prints nothing).
struct loaded_keys {
    security_keys keys;
    std::vector<std::string> warnings;
};

/// Reads a key file: one `name=value` a line, names `encryption_key` and
/// `authentication_key` (both required, each once), values 32 hex digits in either case;
/// whitespace around names and values is ignored, `#` starts a comment, blank lines are
/// skipped. Throws std::runtime_error naming the file and line, e.g.
/// "key file /x/keys.txt line 3: encryption_key must be 32 hex digits (16 bytes), got 30".
/// A file readable by group or others is accepted with a warning in `warnings`. Messages
/// never show key material: a run of 16 or more hex digits in the path (a key pasted where
/// the path belongs) is shown as "<32 hex digits, not shown>".
loaded_keys load_key_file(const std::filesystem::path& path);

/// Environment variable holding the encryption key (32 hex digits).
inline constexpr const char* encryption_key_variable = "HANSIM_ENCRYPTION_KEY";
/// Environment variable holding the authentication key (32 hex digits).
inline constexpr const char* authentication_key_variable = "HANSIM_AUTHENTICATION_KEY";

/// Keys from HANSIM_ENCRYPTION_KEY and HANSIM_AUTHENTICATION_KEY. Returns nullopt when
/// neither is set; throws std::runtime_error naming the variable when only one is set or a
/// value is not 32 hex digits.
std::optional<security_keys> keys_from_environment();

/// Parses 32 hex digits (surrounding whitespace ignored) into a key. `what` names the key in
/// the error (e.g. "encryption_key"); the message states the digit count or the position of a
/// non-hex character, never the text itself. Throws std::invalid_argument.
aes_key parse_key_hex(std::string_view hex, std::string_view what);

}  // namespace hansim::security
