#pragma once
/// @file
/// A small JSON value for the machine-readable output of `hansim decode`, `hansim generate`
/// and the run summaries: ordered objects (keys keep insertion order, so output is stable
/// and diffable), arrays, strings, exact 64-bit integers, doubles, booleans, null.
/// Serialisation only; hansim never parses JSON.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace hansim::report {

class json {
public:
    using object_members = std::vector<std::pair<std::string, json>>;
    using array_items = std::vector<json>;

    json() = default;  ///< null
    json(std::nullptr_t) {}
    json(bool v) : value_(v) {}
    json(int v) : value_(static_cast<std::int64_t>(v)) {}
    json(long v) : value_(static_cast<std::int64_t>(v)) {}
    json(long long v) : value_(static_cast<std::int64_t>(v)) {}
    json(unsigned v) : value_(static_cast<std::uint64_t>(v)) {}
    json(unsigned long v) : value_(static_cast<std::uint64_t>(v)) {}
    json(unsigned long long v) : value_(static_cast<std::uint64_t>(v)) {}
    json(double v) : value_(v) {}
    json(std::string v) : value_(std::move(v)) {}
    json(std::string_view v) : value_(std::string(v)) {}
    json(const char* v) : value_(std::string(v)) {}

    static json object() { json j; j.value_ = object_members{}; return j; }
    static json array() { json j; j.value_ = array_items{}; return j; }

    /// Adds (or replaces) a member of an object; returns *this for chaining.
    json& set(std::string key, json value);
    /// Appends to an array.
    json& push(json value);

    bool is_null() const { return std::holds_alternative<std::monostate>(value_); }
    bool is_object() const { return std::holds_alternative<object_members>(value_); }
    /// Member lookup in an object; nullptr when absent or not an object.
    const json* find(std::string_view key) const;

    /// Compact single-line JSON (RFC 8259; non-ASCII bytes of strings are passed through,
    /// control characters escaped). Doubles use the shortest form that reads back exactly.
    std::string dump() const;

private:
    void dump_to(std::string& out) const;
    std::variant<std::monostate, bool, std::int64_t, std::uint64_t, double, std::string, array_items, object_members>
        value_;
};

}  // namespace hansim::report
