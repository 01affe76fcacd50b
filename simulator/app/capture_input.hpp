#pragma once
// Reading a capture file (or an import) for `hansim replay` and `hansim decode`: every bad
// line is reported as FILE:LINE: message; the valid records are used only when asked.
#include <optional>
#include <string>

#include "hansim/capture/capture_file.hpp"

namespace hansim::app {

/// Reads and parses `path`. Bad lines are printed to stderr as "hansim COMMAND: FILE:LINE:
/// message"; then nullopt (the caller exits 2) unless `skip_bad`, in which case the valid
/// records are returned. nullopt too when the file cannot be read or has no data at all.
std::optional<capture::capture> load_capture(const std::string& path, const std::string& command, bool skip_bad,
                                             const capture::parse_options& options = {});

/// Whether the text starts (after blank and # lines) like a hansim capture file.
bool looks_like_capture(const std::string& text);

}  // namespace hansim::app
