#include "hansim/io/duration_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace hansim::io {

namespace {
constexpr unsigned sub_bits = 5;                         // 32 buckets per power of two
constexpr std::uint64_t sub_count = 1u << sub_bits;      // 32
constexpr std::uint64_t exact_below = 2 * sub_count;     // 64: one bucket per nanosecond below
}  // namespace

std::size_t duration_histogram::bucket_of(std::uint64_t ns) {
    if (ns < exact_below) return static_cast<std::size_t>(ns);
    const unsigned k = static_cast<unsigned>(std::bit_width(ns)) - 1;  // 2^k <= ns < 2^(k+1), k >= 6
    const std::uint64_t sub = (ns >> (k - sub_bits)) & (sub_count - 1);
    return static_cast<std::size_t>(exact_below + (k - (sub_bits + 1)) * sub_count + sub);
}

std::uint64_t duration_histogram::bucket_lower(std::size_t bucket) {
    if (bucket < exact_below) return bucket;
    const std::uint64_t above = bucket - exact_below;
    const unsigned k = static_cast<unsigned>(above / sub_count) + sub_bits + 1;
    const std::uint64_t sub = above % sub_count;
    return (sub_count + sub) << (k - sub_bits);
}

std::uint64_t duration_histogram::bucket_upper(std::size_t bucket) {
    if (bucket < exact_below) return bucket;
    const unsigned k = static_cast<unsigned>((bucket - exact_below) / sub_count) + sub_bits + 1;
    return bucket_lower(bucket) + (std::uint64_t{1} << (k - sub_bits)) - 1;
}

void duration_histogram::add(std::chrono::nanoseconds value) {
    if (value.count() < 0) value = std::chrono::nanoseconds(0);
    const std::size_t bucket = bucket_of(static_cast<std::uint64_t>(value.count()));
    if (bucket >= counts_.size()) counts_.resize(bucket + 1, 0);
    ++counts_[bucket];
    min_ = count_ == 0 ? value : std::min(min_, value);
    max_ = std::max(max_, value);
    ++count_;
}

void duration_histogram::merge(const duration_histogram& other) {
    if (other.count_ == 0) return;
    if (other.counts_.size() > counts_.size()) counts_.resize(other.counts_.size(), 0);
    for (std::size_t i = 0; i < other.counts_.size(); ++i) counts_[i] += other.counts_[i];
    min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
    count_ += other.count_;
}

std::chrono::nanoseconds duration_histogram::quantile(double q) const {
    if (count_ == 0) return std::chrono::nanoseconds(0);
    if (!(q < 1.0)) return max_;
    const double wanted = std::ceil(std::max(0.0, q) * static_cast<double>(count_));
    const std::uint64_t rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(wanted));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
        seen += counts_[i];
        if (seen >= rank) {
            const auto upper = std::chrono::nanoseconds(static_cast<std::int64_t>(bucket_upper(i)));
            return std::max(min(), std::min(upper, max_));
        }
    }
    return max_;
}

}  // namespace hansim::io
