#include "hansim/codec/crc.hpp"

#include <array>

namespace hansim::codec {
namespace {

// Slicing-by-16 tables of a reflected 16-bit CRC: tables[0] is the classic byte table,
// tables[k][i] is the CRC of byte i followed by k zero bytes, so sixteen input bytes are folded
// with sixteen independent look-ups instead of a chain of sixteen dependent ones.
constexpr std::size_t slices = 16;
using crc_tables = std::array<std::array<std::uint16_t, 256>, slices>;

constexpr crc_tables make_reflected_tables(std::uint16_t poly) {
    crc_tables tables{};
    for (unsigned i = 0; i < 256; ++i) {
        auto crc = static_cast<std::uint16_t>(i);
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc & 1) ? static_cast<std::uint16_t>((crc >> 1) ^ poly) : static_cast<std::uint16_t>(crc >> 1);
        tables[0][i] = crc;
    }
    for (std::size_t k = 1; k < slices; ++k)
        for (unsigned i = 0; i < 256; ++i) {
            const std::uint16_t prev = tables[k - 1][i];
            tables[k][i] = static_cast<std::uint16_t>((prev >> 8) ^ tables[0][prev & 0xFF]);
        }
    return tables;
}

constexpr auto x25_tables = make_reflected_tables(0x8408);
constexpr auto arc_tables = make_reflected_tables(0xA001);

std::uint16_t run(const crc_tables& t, std::uint16_t crc, byte_view data) {
    const std::uint8_t* p = data.data();
    std::size_t n = data.size();
    while (n >= slices) {
        // The running CRC only touches the first two bytes of the block.
        unsigned folded = t[slices - 1][p[0] ^ (crc & 0xFF)] ^ t[slices - 2][p[1] ^ (crc >> 8)];
        for (std::size_t k = 2; k < slices; ++k) folded ^= t[slices - 1 - k][p[k]];
        crc = static_cast<std::uint16_t>(folded);
        p += slices;
        n -= slices;
    }
    for (; n > 0; --n, ++p) crc = static_cast<std::uint16_t>((crc >> 8) ^ t[0][(crc ^ *p) & 0xFF]);
    return crc;
}

}  // namespace

std::uint16_t crc16_x25(byte_view data) { return static_cast<std::uint16_t>(run(x25_tables, 0xFFFF, data) ^ 0xFFFF); }

std::uint16_t crc16_x25_update(std::uint16_t previous, byte_view more) {
    return static_cast<std::uint16_t>(run(x25_tables, static_cast<std::uint16_t>(previous ^ 0xFFFF), more) ^ 0xFFFF);
}

std::uint16_t crc16_arc(byte_view data) { return run(arc_tables, 0, data); }

std::uint16_t crc16_arc_update(std::uint16_t crc, byte_view more) { return run(arc_tables, crc, more); }

}  // namespace hansim::codec
