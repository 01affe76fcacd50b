#pragma once
// Locating and loading the files under tests/data (captures, vectors).
#include <filesystem>
#include <string>
#include <vector>

#include "hansim/codec/bytes.hpp"

namespace hansim::test {

/// tests/data (from HANSIM_TEST_DATA_DIR, environment first, then the compiled-in path).
std::filesystem::path data_dir();

/// Whole file as text.
std::string read_text(const std::filesystem::path& path);

/// A .hex file (hex digits, whitespace ignored) as bytes.
codec::bytes read_hex(const std::filesystem::path& path);

/// Files in `folder` (relative to data_dir()) whose name ends with `suffix`, sorted.
std::vector<std::filesystem::path> files_ending(const std::string& folder, const std::string& suffix);

}  // namespace hansim::test
