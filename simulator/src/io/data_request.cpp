#include "hansim/io/data_request.hpp"

#include <system_error>

namespace hansim::io {

bool file_data_request::asserted() {
    std::error_code ignored;
    return std::filesystem::exists(flag_, ignored);
}

}  // namespace hansim::io
