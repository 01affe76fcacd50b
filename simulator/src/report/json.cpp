#include "hansim/report/json.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace hansim::report {
namespace {
void escape_to(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    out.push_back('"');
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out.push_back(hex[c >> 4]);
                    out.push_back(hex[c & 0xF]);
                } else {
                    out.push_back(static_cast<char>(c));
                }
        }
    }
    out.push_back('"');
}
}  // namespace

json& json::set(std::string key, json value) {
    auto* members = std::get_if<object_members>(&value_);
    if (!members) throw std::logic_error("json::set on a non-object");
    for (auto& [k, v] : *members) {
        if (k == key) {
            v = std::move(value);
            return *this;
        }
    }
    members->emplace_back(std::move(key), std::move(value));
    return *this;
}

json& json::push(json value) {
    auto* items = std::get_if<array_items>(&value_);
    if (!items) throw std::logic_error("json::push on a non-array");
    items->push_back(std::move(value));
    return *this;
}

const json* json::find(std::string_view key) const {
    const auto* members = std::get_if<object_members>(&value_);
    if (!members) return nullptr;
    for (const auto& [k, v] : *members)
        if (k == key) return &v;
    return nullptr;
}

std::string json::dump() const {
    std::string out;
    dump_to(out);
    return out;
}

void json::dump_to(std::string& out) const {
    std::visit(
        [&out](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
                out += "null";
            } else if constexpr (std::is_same_v<T, bool>) {
                out += v ? "true" : "false";
            } else if constexpr (std::is_same_v<T, std::int64_t> || std::is_same_v<T, std::uint64_t>) {
                out += std::to_string(v);
            } else if constexpr (std::is_same_v<T, double>) {
                if (!std::isfinite(v)) {
                    out += "null";
                    return;
                }
                char buf[32];
                auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
                out.append(buf, end);
            } else if constexpr (std::is_same_v<T, std::string>) {
                escape_to(out, v);
            } else if constexpr (std::is_same_v<T, array_items>) {
                out.push_back('[');
                for (std::size_t i = 0; i < v.size(); ++i) {
                    if (i) out.push_back(',');
                    v[i].dump_to(out);
                }
                out.push_back(']');
            } else {
                out.push_back('{');
                for (std::size_t i = 0; i < v.size(); ++i) {
                    if (i) out.push_back(',');
                    escape_to(out, v[i].first);
                    out.push_back(':');
                    v[i].second.dump_to(out);
                }
                out.push_back('}');
            }
        },
        value_);
}

}  // namespace hansim::report
