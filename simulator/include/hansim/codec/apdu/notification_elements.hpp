#pragma once
/// @file
/// Kamstrup's flat notification body (PROTOCOLS.md §2.5, §3.4) as a list of elements:
///
/// - element 0 is the list-version string, sent without an OBIS code;
/// - every following object is two structure members: OBIS octet-string (6 bytes), value;
/// - a null-data in an OBIS position, followed by another null-data, is a placeholder for a
///   missing phase object (single-phase meters): one element without OBIS whose value is null.

#include <optional>
#include <vector>

#include "hansim/codec/axdr/data.hpp"
#include "hansim/codec/obis.hpp"
#include "hansim/codec/result.hpp"

namespace hansim::codec::apdu {

struct element {
    std::optional<obis_code> obis;  ///< empty for the version string and for placeholders
    axdr::data value;

    /// True for a null placeholder (no OBIS, null value).
    bool is_placeholder() const { return !obis && value.is_null(); }

    friend bool operator==(const element&, const element&) = default;
};

/// Splits a flat structure into elements. Errors (offset = index of the structure member at
/// fault, not a byte offset): body not a structure, an empty structure, an OBIS position
/// holding something other than a 6-byte octet-string or null, a null OBIS placeholder not
/// followed by null, or an OBIS code with no value after it.
result<std::vector<element>> split_flat_body(const axdr::data& body);

/// The inverse: element 0 contributes its value alone (its OBIS too if it has one), each
/// later element contributes OBIS + value, and each later placeholder two nulls. Throws
/// std::invalid_argument for a later element without OBIS whose value is not null.
axdr::data make_flat_body(const std::vector<element>& elements);

/// The OBIS octet-string (`09 06 A B C D E F`) as a Data value.
axdr::data obis_value(const obis_code& code);

/// The OBIS code an octet-string of exactly 6 bytes holds; nullopt for anything else.
std::optional<obis_code> obis_of(const axdr::data& value);

}  // namespace hansim::codec::apdu
