#include "hansim/codec/crc.hpp"

#include <array>

namespace hansim::codec {
namespace {

constexpr std::array<std::uint16_t, 256> make_reflected_table(std::uint16_t poly) {
    std::array<std::uint16_t, 256> table{};
    for (unsigned i = 0; i < 256; ++i) {
        std::uint16_t crc = static_cast<std::uint16_t>(i);
        for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? static_cast<std::uint16_t>((crc >> 1) ^ poly) : static_cast<std::uint16_t>(crc >> 1);
        table[i] = crc;
    }
    return table;
}

constexpr auto x25_table = make_reflected_table(0x8408);
constexpr auto arc_table = make_reflected_table(0xA001);

std::uint16_t run(const std::array<std::uint16_t, 256>& table, std::uint16_t crc, byte_view data) {
    for (auto b : data) crc = static_cast<std::uint16_t>((crc >> 8) ^ table[(crc ^ b) & 0xFF]);
    return crc;
}

}  // namespace

std::uint16_t crc16_x25(byte_view data) { return static_cast<std::uint16_t>(run(x25_table, 0xFFFF, data) ^ 0xFFFF); }

std::uint16_t crc16_x25_update(std::uint16_t previous, byte_view more) {
    return static_cast<std::uint16_t>(run(x25_table, static_cast<std::uint16_t>(previous ^ 0xFFFF), more) ^ 0xFFFF);
}

std::uint16_t crc16_arc(byte_view data) { return run(arc_table, 0, data); }

std::uint16_t crc16_arc_update(std::uint16_t crc, byte_view more) { return run(arc_table, crc, more); }

}  // namespace hansim::codec
