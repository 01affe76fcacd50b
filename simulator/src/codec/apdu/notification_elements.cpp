#include "hansim/codec/apdu/notification_elements.hpp"

#include <stdexcept>
#include <string>

namespace hansim::codec::apdu {

axdr::data obis_value(const obis_code& code) {
    return axdr::data::octet_string(bytes(code.groups.begin(), code.groups.end()));
}

std::optional<obis_code> obis_of(const axdr::data& value) {
    if (value.type() != axdr::data_type::octet_string || value.as_bytes().size() != 6) return std::nullopt;
    obis_code code;
    std::copy(value.as_bytes().begin(), value.as_bytes().end(), code.groups.begin());
    return code;
}

result<std::vector<element>> split_flat_body(const axdr::data& body) {
    if (body.type() != axdr::data_type::structure)
        return decode_error{0, "notification body: expected a structure, got " +
                                   std::string(axdr::type_name(body.type()))};
    const auto& members = body.children();
    if (members.empty()) return decode_error{0, "notification body: the structure is empty (no list version)"};

    std::vector<element> elements;
    elements.reserve(1 + members.size() / 2);
    elements.push_back(element{std::nullopt, members[0]});
    for (std::size_t i = 1; i < members.size(); i += 2) {
        const auto& key = members[i];
        if (i + 1 >= members.size())
            return decode_error{i, "notification body: member " + std::to_string(i) + " (" + key.to_string() +
                                       ") has no value after it"};
        const auto& value = members[i + 1];
        if (key.is_null()) {
            if (!value.is_null())
                return decode_error{i + 1, "notification body: null placeholder at member " + std::to_string(i) +
                                               " is followed by " + std::string(axdr::type_name(value.type())) +
                                               " instead of null-data"};
            elements.push_back(element{std::nullopt, axdr::data::null()});
            continue;
        }
        auto code = obis_of(key);
        if (!code)
            return decode_error{i, "notification body: member " + std::to_string(i) +
                                       " should be an OBIS code (6-byte octet-string) but is " + key.to_string()};
        elements.push_back(element{code, value});
    }
    return elements;
}

axdr::data make_flat_body(const std::vector<element>& elements) {
    std::vector<axdr::data> members;
    members.reserve(elements.size() * 2);
    for (std::size_t i = 0; i < elements.size(); ++i) {
        const auto& e = elements[i];
        if (e.obis) {
            members.push_back(obis_value(*e.obis));
            members.push_back(e.value);
        } else if (i == 0) {
            members.push_back(e.value);
        } else if (e.value.is_null()) {
            members.push_back(axdr::data::null());
            members.push_back(axdr::data::null());
        } else {
            throw std::invalid_argument("make_flat_body: element " + std::to_string(i) + " (" + e.value.to_string() +
                                        ") has no OBIS code; only element 0 and null placeholders may omit it");
        }
    }
    return axdr::data::structure(std::move(members));
}

}  // namespace hansim::codec::apdu
