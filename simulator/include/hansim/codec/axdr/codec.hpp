#pragma once
/// @file
/// A-XDR encoding and decoding of COSEM Data values (PROTOCOLS.md §2.3).
///
/// Encoding always writes minimal lengths. Decoding accepts non-minimal lengths, rejects
/// unknown tags, never reads past its input, and limits nesting depth so hostile input can
/// not exhaust the stack.

#include <cstddef>

#include "hansim/codec/axdr/data.hpp"
#include "hansim/codec/bytes.hpp"
#include "hansim/codec/result.hpp"

namespace hansim::codec::axdr {

/// Deepest array/structure nesting decode() accepts (a structure holding a structure is 2).
inline constexpr std::size_t max_nesting_depth = 32;

/// Appends the encoding of `value` (tag, length where the type has one, contents).
void encode(const data& value, bytes& out);

/// The encoding of `value` as a new buffer.
bytes encode(const data& value);

struct decoded {
    data value;
    std::size_t consumed = 0;  ///< bytes of `in` the value occupied (trailing bytes are left)
};

using decode_result = result<decoded>;

/// Decodes one value from the start of `in`. Errors carry the offset of the offending byte
/// (plus `base_offset`, so callers can report offsets in their own frame) and say what was
/// wrong, e.g. "A-XDR: unknown type tag 0x33 at offset 57" or
/// "A-XDR: octet-string of 12 bytes at offset 40 runs past the end of the input (5 bytes left)".
/// Truncated input is an error at the offset where the data ran out.
decode_result decode(byte_view in, std::size_t base_offset = 0);

}  // namespace hansim::codec::axdr
