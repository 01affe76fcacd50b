#pragma once
// Small text helpers for error messages inside the codec (not public API).
#include <cstdint>
#include <string>

namespace hansim::codec::detail {

/// "0x7E"
inline std::string hex_byte(std::uint8_t b) {
    static constexpr char digits[] = "0123456789ABCDEF";
    return std::string("0x") + digits[b >> 4] + digits[b & 0x0F];
}

/// "0x8AA9"
inline std::string hex_word(std::uint16_t w) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string text = "0x";
    for (int shift = 12; shift >= 0; shift -= 4) text += digits[(w >> shift) & 0x0F];
    return text;
}

}  // namespace hansim::codec::detail
