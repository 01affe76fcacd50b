#include "hansim/meter/jitter.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace hansim::meter {

std::uint64_t mix64(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

std::uint64_t random_u64(std::uint64_t seed, std::uint64_t stream, std::uint64_t index) {
    return mix64(mix64(mix64(seed) ^ stream) ^ index);
}

double random_unit(std::uint64_t seed, std::uint64_t stream, std::uint64_t index) {
    return static_cast<double>(random_u64(seed, stream, index) >> 11) * 0x1.0p-53;
}

std::uint64_t stream_id(std::string_view name) {
    std::uint64_t h = 0xCBF29CE484222325ull;
    for (unsigned char ch : name) {
        h ^= ch;
        h *= 0x100000001B3ull;
    }
    return h;
}

std::string_view to_string(jitter_distribution d) {
    switch (d) {
        case jitter_distribution::none: return "none";
        case jitter_distribution::uniform: return "uniform";
        case jitter_distribution::normal: return "normal";
    }
    return "?";
}

jitter_distribution parse_jitter_distribution(std::string_view text) {
    if (text == "none") return jitter_distribution::none;
    if (text == "uniform") return jitter_distribution::uniform;
    if (text == "normal") return jitter_distribution::normal;
    throw std::invalid_argument("unknown jitter distribution '" + std::string(text) +
                                "' (expected none, uniform or normal)");
}

void validate(const jitter_config& c) {
    using namespace std::chrono_literals;
    if (c.min < 0ms) throw std::invalid_argument("jitter.min must not be negative");
    if (c.max < c.min) throw std::invalid_argument("jitter.max must not be below jitter.min");
    if (c.max > 9000ms) throw std::invalid_argument("jitter.max must be at most 9000 ms (the next 10 s slot)");
    if (c.stddev < 0ms) throw std::invalid_argument("jitter.stddev must not be negative");
}

std::chrono::milliseconds draw_jitter(const jitter_config& c, std::uint64_t seed, std::uint64_t stream,
                                      std::uint64_t index) {
    using std::chrono::milliseconds;
    const auto lo = c.min.count();
    const auto hi = std::max(c.max.count(), lo);
    switch (c.distribution) {
        case jitter_distribution::none: return c.min;
        case jitter_distribution::uniform: {
            const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
            return milliseconds(lo + static_cast<std::int64_t>(random_u64(seed, stream, index) % span));
        }
        case jitter_distribution::normal: {
            // Irwin–Hall: the sum of 12 uniforms minus 6 has mean 0 and variance 1.
            // Rejection keeps the truncated shape; after 16 misses the value is clamped.
            for (std::uint64_t attempt = 0; attempt < 16; ++attempt) {
                double z = -6.0;
                for (std::uint64_t k = 0; k < 12; ++k) z += random_unit(seed, stream, index * 208 + attempt * 13 + k);
                const auto value = static_cast<std::int64_t>(
                    std::llround(static_cast<double>(c.mean.count()) + z * static_cast<double>(c.stddev.count())));
                if (value >= lo && value <= hi) return milliseconds(value);
            }
            return milliseconds(std::clamp<std::int64_t>(c.mean.count(), lo, hi));
        }
    }
    return c.min;
}

}  // namespace hansim::meter
