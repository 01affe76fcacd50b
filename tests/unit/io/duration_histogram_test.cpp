#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "hansim/io/duration_histogram.hpp"

using namespace std::chrono_literals;
using hansim::io::duration_histogram;

namespace {

// Nearest rank over the samples themselves: the reference a quantile is checked against.
std::chrono::nanoseconds exact_quantile(std::vector<std::chrono::nanoseconds> v, double q) {
    std::sort(v.begin(), v.end());
    const auto rank = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size()))));
    return v[std::min(rank, v.size()) - 1];
}

}  // namespace

TEST(duration_histogram, buckets_tile_the_values_without_gaps_and_within_the_resolution) {
    for (std::size_t b = 0; b < 1900; ++b) {  // up to about 2^63 ns
        const auto lower = duration_histogram::bucket_lower(b);
        const auto upper = duration_histogram::bucket_upper(b);
        ASSERT_LE(lower, upper) << b;
        EXPECT_EQ(duration_histogram::bucket_of(lower), b);
        EXPECT_EQ(duration_histogram::bucket_of(upper), b);
        EXPECT_EQ(duration_histogram::bucket_lower(b + 1), upper + 1) << "gap after bucket " << b;
        if (lower >= 64) EXPECT_LE(static_cast<double>(upper), static_cast<double>(lower) * (1 + duration_histogram::resolution)) << b;
        else EXPECT_EQ(lower, upper) << "exact below 64 ns";
        if (upper > (std::uint64_t{1} << 62)) break;
    }
}

TEST(duration_histogram, empty_reports_zero_and_q1_is_the_exact_max) {
    duration_histogram h;
    EXPECT_EQ(h.count(), 0u);
    EXPECT_EQ(h.quantile(0.5), 0ns);
    EXPECT_EQ(h.max(), 0ns);
    h.add(1234567ns);
    h.add(-5ns);  // counts as 0
    EXPECT_EQ(h.count(), 2u);
    EXPECT_EQ(h.min(), 0ns);
    EXPECT_EQ(h.max(), 1234567ns);
    EXPECT_EQ(h.quantile(1.0), 1234567ns);
    EXPECT_EQ(h.quantile(0.5), 0ns);  // rank 1 of 2
    EXPECT_EQ(h.quantile(0.99), 1234567ns);  // rank 2: capped by the exact max
}

TEST(duration_histogram, small_values_are_exact) {
    duration_histogram h;
    for (int i = 0; i < 64; ++i) h.add(std::chrono::nanoseconds(i));
    EXPECT_EQ(h.quantile(0.5), 31ns);  // rank 32
    EXPECT_EQ(h.quantile(0.01), 0ns);
    EXPECT_EQ(h.quantile(0.99), 63ns);
}

TEST(duration_histogram, quantiles_are_never_below_the_true_value_and_within_the_resolution) {
    std::mt19937_64 random(12);
    // Lateness-like: most wake-ups within a millisecond, a tail to a few hundred.
    std::lognormal_distribution<double> lateness_us(std::log(150.0), 1.3);
    std::vector<std::chrono::nanoseconds> samples;
    duration_histogram h;
    for (int i = 0; i < 20000; ++i) {
        const auto v = std::chrono::nanoseconds(static_cast<std::int64_t>(lateness_us(random) * 1000));
        samples.push_back(v);
        h.add(v);
    }
    for (double q : {0.0, 0.01, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0}) {
        const auto truth = exact_quantile(samples, q);
        const auto got = h.quantile(q);
        EXPECT_GE(got, truth) << "q " << q;
        EXPECT_LE(static_cast<double>(got.count()), static_cast<double>(truth.count()) * (1 + duration_histogram::resolution))
            << "q " << q;
    }
    EXPECT_EQ(h.max(), *std::max_element(samples.begin(), samples.end()));
}

TEST(duration_histogram, merging_equals_adding_every_sample_to_one) {
    duration_histogram a, b, all;
    for (int i = 1; i <= 300; ++i) {
        const auto v = std::chrono::microseconds(i * i);
        (i % 3 == 0 ? a : b).add(v);
        all.add(v);
    }
    duration_histogram merged;
    merged.merge(a);
    merged.merge(b);
    merged.merge(duration_histogram{});
    EXPECT_EQ(merged.count(), all.count());
    EXPECT_EQ(merged.max(), all.max());
    EXPECT_EQ(merged.min(), all.min());
    for (double q : {0.1, 0.5, 0.9, 0.99}) EXPECT_EQ(merged.quantile(q), all.quantile(q)) << q;
}
