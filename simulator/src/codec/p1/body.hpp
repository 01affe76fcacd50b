#pragma once
// Private to the P1 parser: the lines between '/' and '!' of a telegram whose CRC is right.
#include <cstdint>
#include <vector>

#include "hansim/codec/bytes.hpp"
#include "hansim/codec/p1/parser.hpp"
#include "hansim/codec/p1/telegram.hpp"

namespace hansim::codec::p1::detail {

/// `body` runs from '/' up to (not including) '!'; `offset` is the stream offset of '/'.
/// Lines that do not parse are reported in `issues` and left out of the result.
telegram parse_body(byte_view body, std::uint64_t offset, std::vector<line_issue>& issues);

}  // namespace hansim::codec::p1::detail
