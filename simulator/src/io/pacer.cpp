#include "hansim/io/pacer.hpp"

#include <algorithm>
#include <stdexcept>

namespace hansim::io {

namespace {
constexpr std::int64_t nanos_per_second = 1'000'000'000;
}

std::chrono::microseconds pacer::default_granularity(unsigned baud, unsigned bits_per_character) {
    if (baud == 0 || bits_per_character == 0) return std::chrono::milliseconds(10);  // the constructor refuses
    // Rounded up, so that 16 characters fit in it.
    const auto sixteen = std::chrono::microseconds((16LL * bits_per_character * 1'000'000 + baud - 1) / baud);
    return std::clamp<std::chrono::microseconds>(sixteen, std::chrono::microseconds(1), std::chrono::milliseconds(10));
}

pacer::pacer(unsigned baud, unsigned bits_per_character, pacing_mode mode,
             std::optional<std::chrono::microseconds> granularity)
    : baud_(baud), bits_per_character_(bits_per_character), mode_(mode), chunk_bytes_(1) {
    if (baud == 0) throw std::invalid_argument("pacer: baud rate must be positive");
    if (bits_per_character == 0) throw std::invalid_argument("pacer: bits per character must be positive");
    const auto per_char = character_time();
    const auto fit = std::chrono::nanoseconds(granularity.value_or(default_granularity(baud, bits_per_character))) / per_char;
    chunk_bytes_ = static_cast<std::size_t>(std::max<std::int64_t>(1, fit));
}

pacer::pacer(const line_settings& line, pacing_mode mode, std::optional<std::chrono::microseconds> granularity)
    : pacer(line.baud, line.bits_per_character(), mode, granularity) {}

std::chrono::nanoseconds pacer::character_time() const { return wire_time(1); }

std::chrono::nanoseconds pacer::wire_time(std::size_t bytes) const {
    // bytes * bits * 1e9 / baud, in 128-bit-safe order: a frame of 2^32 bytes still fits.
    const auto bits = static_cast<std::int64_t>(bytes) * bits_per_character_;
    const auto whole = bits / baud_;
    const auto rest = bits % baud_;
    return std::chrono::nanoseconds(whole * nanos_per_second + rest * nanos_per_second / baud_);
}

std::vector<wire_chunk> pacer::plan(std::size_t frame_bytes) const {
    std::vector<wire_chunk> chunks;
    if (frame_bytes == 0) return chunks;
    if (mode_ == pacing_mode::fast) {
        chunks.push_back({0, frame_bytes, std::chrono::nanoseconds(0)});
        return chunks;
    }
    chunks.reserve(frame_bytes / chunk_bytes_ + 1);
    for (std::size_t begin = 0; begin < frame_bytes; begin += chunk_bytes_) {
        const std::size_t end = std::min(frame_bytes, begin + chunk_bytes_);
        chunks.push_back({begin, end, wire_time(end)});
    }
    return chunks;
}

std::chrono::nanoseconds pacer::pause_time(std::size_t frame_bytes, std::span<const meter::wire_pause> pauses) {
    std::chrono::nanoseconds total{0};
    for (const auto& p : pauses)
        if (p.offset > 0 && p.offset < frame_bytes) total += p.length;
    return total;
}

std::vector<wire_chunk> pacer::plan(std::size_t frame_bytes, std::span<const meter::wire_pause> pauses) const {
    if (pauses.empty()) return plan(frame_bytes);
    std::vector<wire_chunk> chunks;
    std::chrono::nanoseconds paused{0};
    std::size_t begin = 0;
    std::size_t next_pause = 0;
    while (begin < frame_bytes) {
        while (next_pause < pauses.size() && pauses[next_pause].offset <= begin) {
            if (pauses[next_pause].offset == begin && begin > 0) paused += pauses[next_pause].length;
            ++next_pause;
        }
        const std::size_t stop = next_pause < pauses.size() ? std::min(frame_bytes, pauses[next_pause].offset) : frame_bytes;
        if (mode_ == pacing_mode::fast) {
            chunks.push_back({begin, stop, paused});
            begin = stop;
            continue;
        }
        for (; begin < stop; begin = std::min(stop, begin + chunk_bytes_)) {
            const std::size_t end = std::min(stop, begin + chunk_bytes_);
            chunks.push_back({begin, end, wire_time(end) + paused});
        }
    }
    return chunks;
}

}  // namespace hansim::io
