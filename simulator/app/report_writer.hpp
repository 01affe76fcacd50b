#pragma once
// Writing the offline HTML report (hansim report, hansim generate --report).
#include <string>

#include "hansim/http/live_view.hpp"

namespace hansim::app {

/// The page with the report's data in it, as one file. Throws std::runtime_error naming the path.
void write_report(const std::string& path, const http::report_builder& report, const std::string& title);

}  // namespace hansim::app
