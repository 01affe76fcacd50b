#pragma once
/// @file
/// The A-XDR length / count field (PROTOCOLS.md §2.3): one byte 0..127, or 0x80+n followed by
/// n big-endian length bytes (n = 1..4). Used for string lengths, array/structure counts and
/// the ciphered-content length of the glo envelope.

#include <cstddef>
#include <cstdint>
#include <optional>

#include "hansim/codec/bytes.hpp"
#include "hansim/codec/result.hpp"

namespace hansim::codec::axdr {

/// How a length is (to be) written. `minimal` is the shortest form; the forced forms write
/// exactly that many length bytes even when fewer would do (Kamstrup writes 231 as `82 00 E7`
/// in the glo envelope).
enum class length_form : std::uint8_t {
    minimal,
    forced_81,  ///< `81 nn`
    forced_82,  ///< `82 hh ll`
    forced_83,  ///< `83` + 3 bytes
    forced_84,  ///< `84` + 4 bytes
};

/// Largest length the field can carry (4 length bytes).
inline constexpr std::size_t max_length = 0xFFFFFFFFu;

/// Appends the length field for `n`. Throws std::length_error when `n` does not fit the
/// requested form (e.g. 300 with forced_81) or exceeds max_length.
void encode_length(bytes& out, std::size_t n, length_form form = length_form::minimal);

/// Bytes encode_length would write.
std::size_t encoded_length_size(std::size_t n, length_form form = length_form::minimal);

struct decoded_length {
    std::size_t value = 0;     ///< the length / count
    std::size_t consumed = 0;  ///< bytes the field occupied (1..5)
    length_form form = length_form::minimal;  ///< minimal, or the forced_8x form it used

    friend bool operator==(const decoded_length&, const decoded_length&) = default;
};

/// Reads a length field at the start of `in`. Non-minimal forms are accepted and reported in
/// `form`. Three outcomes:
/// - ok with a value: the length;
/// - ok with nullopt: `in` ends inside the field, feed more bytes;
/// - error: the first byte can never start a length (0x80 indefinite form, or 0x85..0xFF:
///   more than 4 length bytes). `base_offset` is added to the offset in the error.
result<std::optional<decoded_length>> decode_length(byte_view in, std::size_t base_offset = 0);

}  // namespace hansim::codec::axdr
