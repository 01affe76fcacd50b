#include "hansim/report/json.hpp"

namespace hansim::report {

std::string dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

const json* member(const json& value, std::string_view key) {
    if (!value.is_object()) return nullptr;
    const auto it = value.find(key);
    return it == value.end() ? nullptr : &*it;
}

}  // namespace hansim::report
