#pragma once
/// @file
/// Seeded, reproducible randomness: the start-offset jitter of a push after its trigger and
/// the noise of the load profiles. Everything here is a pure function of (seed, stream,
/// index) built on SplitMix64 and plain integer/double arithmetic, so the same seed gives
/// the same numbers on every platform and standard library (std:: distributions do not).

#include <chrono>
#include <cstdint>
#include <string_view>

namespace hansim::meter {

/// SplitMix64 finaliser: a well-mixed 64-bit value from any 64-bit input.
std::uint64_t mix64(std::uint64_t x);

/// A counter-based random number: the same (seed, stream, index) always gives the same
/// value; different streams are independent.
std::uint64_t random_u64(std::uint64_t seed, std::uint64_t stream, std::uint64_t index);

/// Uniform in [0, 1) with 53 random bits.
double random_unit(std::uint64_t seed, std::uint64_t stream, std::uint64_t index);

/// A stable 64-bit stream id for a name (FNV-1a), e.g. stream_id("list1").
std::uint64_t stream_id(std::string_view name);

enum class jitter_distribution {
    none,     ///< always `min`
    uniform,  ///< uniform over [min, max]
    normal,   ///< normal(mean, stddev) truncated to [min, max] (Irwin–Hall sum of 12 uniforms)
};

/// "none", "uniform", "normal".
std::string_view to_string(jitter_distribution d);
/// Inverse of to_string(); throws std::invalid_argument listing the accepted names.
jitter_distribution parse_jitter_distribution(std::string_view text);

/// Start offset of a push after its trigger. Bounds are inclusive; defaults model "first byte
/// within a second of the trigger" (PROTOCOLS.md §8.1).
struct jitter_config {
    jitter_distribution distribution = jitter_distribution::none;
    std::chrono::milliseconds min{0};
    std::chrono::milliseconds max{1000};
    std::chrono::milliseconds mean{300};    ///< normal only
    std::chrono::milliseconds stddev{150};  ///< normal only
};

/// Throws std::invalid_argument when min < 0, max < min, max > 9 s (a push must leave
/// before the next 10 s slot) or stddev < 0.
void validate(const jitter_config& config);

/// The jitter of one push, bounded by [min, max]; deterministic in (seed, stream, index).
std::chrono::milliseconds draw_jitter(const jitter_config& config, std::uint64_t seed, std::uint64_t stream,
                                      std::uint64_t index);

}  // namespace hansim::meter
