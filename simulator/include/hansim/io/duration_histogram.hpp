#pragma once
/// @file
/// A histogram of non-negative durations (frame lateness, meter_runner.hpp) whose quantiles
/// have a stated, bounded error, so a run summary reports p50 / p99 beside the exact max
/// and mean without keeping every sample.
///
/// Buckets are log-linear, on nanoseconds: below 64 ns one bucket per nanosecond (exact);
/// from 64 ns on, every power of two [2^k, 2^(k+1)) is split into 32 equal buckets. A
/// quantile is the upper edge of the bucket that holds the sample of that rank (capped by
/// the exact maximum), so it is never below the true sample and at most 1/32 (3.125 %)
/// above it: resolution 3.2 %, e.g. 0.03 ms at 1 ms, 0.3 ms at 10 ms. Counts grow only as
/// far as the largest sample seen (about 2.5 KB for lateness up to 10 ms, 4 KB up to 10 s),
/// so thousands of meters each keep their own.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace hansim::io {

class duration_histogram {
public:
    /// Relative resolution of a quantile above 64 ns: reported value ≤ true × (1 + 1/32).
    static constexpr double resolution = 1.0 / 32.0;

    /// Records one sample; negative durations count as 0.
    void add(std::chrono::nanoseconds value);
    /// Adds every sample of `other` (totals over many meters).
    void merge(const duration_histogram& other);

    std::uint64_t count() const { return count_; }
    /// Exact, over every sample; 0 when empty.
    std::chrono::nanoseconds max() const { return max_; }
    std::chrono::nanoseconds min() const { return count_ == 0 ? std::chrono::nanoseconds(0) : min_; }

    /// The q-quantile (0 ≤ q ≤ 1) by nearest rank: the smallest recorded value such that at
    /// least ⌈q·count⌉ samples (at least one) are at or below it, to the resolution above;
    /// q = 1 is max() exactly. 0 when empty.
    std::chrono::nanoseconds quantile(double q) const;

    /// Bucket arithmetic, public for tests: the bucket of a value, and a bucket's range
    /// [lower, upper] of values (inclusive).
    static std::size_t bucket_of(std::uint64_t ns);
    static std::uint64_t bucket_lower(std::size_t bucket);
    static std::uint64_t bucket_upper(std::size_t bucket);

private:
    std::vector<std::uint64_t> counts_;
    std::uint64_t count_ = 0;
    std::chrono::nanoseconds max_{0};
    std::chrono::nanoseconds min_{0};
};

}  // namespace hansim::io
