#include "hansim/codec/bytes.hpp"

#include <array>
#include <cstring>
#include <stdexcept>

namespace hansim::codec {
namespace {
constexpr char hex_digits[] = "0123456789ABCDEF";

int nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

char* write_hex(char* at, byte_view data) {
    // Both digits of a byte from one table entry: a copy of two chars a byte.
    static const auto pairs = [] {
        std::array<char, 512> t{};
        for (std::size_t b = 0; b < 256; ++b) t[2 * b] = hex_digits[b >> 4], t[2 * b + 1] = hex_digits[b & 0x0F];
        return t;
    }();
    for (const auto b : data) {
        std::memcpy(at, &pairs[2 * std::size_t{b}], 2);
        at += 2;
    }
    return at;
}

std::string to_hex(byte_view data) {
    std::string out(data.size() * 2, '\0');
    write_hex(out.data(), data);
    return out;
}

std::string to_spaced_hex(byte_view data) {
    std::string out;
    out.reserve(data.size() * 3);
    for (std::size_t i = 0; i < data.size(); ++i) {
        if (i) out.push_back(' ');
        out.push_back(hex_digits[data[i] >> 4]);
        out.push_back(hex_digits[data[i] & 0x0F]);
    }
    return out;
}

bytes from_hex(std::string_view text) {
    bytes out;
    out.reserve(text.size() / 2);
    int high = -1;
    std::size_t high_offset = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            if (high >= 0) throw std::invalid_argument("hex: lone digit at offset " + std::to_string(high_offset));
            continue;
        }
        const int v = nibble(c);
        if (v < 0) throw std::invalid_argument("hex: bad character at offset " + std::to_string(i));
        if (high < 0) {
            high = v;
            high_offset = i;
        } else {
            out.push_back(static_cast<std::uint8_t>((high << 4) | v));
            high = -1;
        }
    }
    if (high >= 0) throw std::invalid_argument("hex: lone digit at offset " + std::to_string(high_offset));
    return out;
}

void put_be(bytes& out, std::uint64_t value, std::size_t width) {
    for (std::size_t i = width; i-- > 0;) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

std::uint64_t get_be(byte_view in, std::size_t width) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < width; ++i) v = (v << 8) | in[i];
    return v;
}

}  // namespace hansim::codec
