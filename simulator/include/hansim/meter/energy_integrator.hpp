#pragma once
/// @file
/// Exact energy registers. Power comes in as integer milliwatts (milli-var), time as integer
/// milliseconds; each register keeps whole milli-watt-hours plus a remainder in mW·ms
/// (1 mWh = 3 600 000 mW·ms), so any number of steps adds up to exactly Σ P·Δt with no
/// rounding drift, and the register read-out is floor(∫P dt) in mWh.

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <span>
#include <string_view>

#include "hansim/meter/snapshot.hpp"

namespace hansim::meter {

/// How a three-phase meter turns per-phase power into its total registers:
/// - vector_summation: the phases are added first, with sign, at every instant; the net
///   goes to A+ when positive and to A− when negative (one phase exporting offsets another
///   importing). Kamstrup OMNIPOWER's default and hansim's.
/// - individual_phases: each phase is split into import and export on its own and the
///   parts are added (A+ = Σ P+ᵢ, A− = Σ P−ᵢ), so simultaneous import on L1 and export on L2
///   both count.
/// - total_summation: the magnitudes of all phases count as import (A+ = Σ |Pᵢ|, A− stays
///   still), the "anti-tamper" mode where reversed current never runs the meter backwards.
/// Reactive registers follow the same rule with Q. Per-phase registers are always split per
/// phase by their own sign.
enum class energy_method { vector_summation, individual_phases, total_summation };

/// "vector_summation", "individual_phases", "total_summation".
std::string_view to_string(energy_method method);
/// Inverse of to_string(); throws std::invalid_argument listing the accepted names.
energy_method parse_energy_method(std::string_view text);

/// One register: whole mWh plus a sub-mWh remainder.
class energy_accumulator {
public:
    static constexpr std::int64_t mw_ms_per_mwh = 3'600'000;
    /// Below this power a sub-hour step can be multiplied out directly: P·Δt + remainder
    /// stays far below 2^63 (2.5 GW · 3.6e6 ms ≈ 9e18 is the general path's bound).
    static constexpr std::int64_t max_short_power_mw = 1'000'000'000'000;  // 1 GW

    explicit energy_accumulator(std::int64_t initial_mwh = 0) : mwh_(initial_mwh) {}
    /// Adds power_mw (≥ 0) held for dt (≥ 0). Exact for |P| up to 2.5 GW and any dt.
    void add(std::int64_t power_mw, std::chrono::milliseconds dt);
    std::int64_t mwh() const { return mwh_; }
    /// The part below one mWh, in mW·ms (0 .. 3 599 999).
    std::int64_t remainder_mw_ms() const { return remainder_; }

private:
    std::int64_t mwh_;
    std::int64_t remainder_ = 0;
};

/// std::llround(x) (halves away from zero), inline: the model rounds six powers to
/// milli-units every integration step, and the library call is most of that work. Exact for
/// every double: below 2^52 the truncation and the fraction x − trunc(x) are exact; larger
/// magnitudes (already whole), infinities and NaN go to std::llround itself.
inline std::int64_t round_half_away(double x) {
    if (!(x < 0x1p52 && x > -0x1p52)) return std::llround(x);
    const auto whole = static_cast<std::int64_t>(x);  // towards zero
    const double fraction = x - static_cast<double>(whole);
    return whole + (fraction >= 0.5) - (fraction <= -0.5);
}

/// Instantaneous power of up to three phases in integer milli-units, signed as in phase.hpp.
struct power_sample {
    std::array<std::int64_t, 3> active_mw{};
    std::array<std::int64_t, 3> reactive_mvar{};
};

/// Per-phase registers for a meter whose totals are `total` at the start of a run, shared
/// out by `weights` (a phase with weight 0 gets nothing; the weights need not add up to 1).
/// Each register is split in whole 10 Wh (10 varh) parts, largest remainder first, and the
/// part of the total below 10 Wh goes to the phase with the largest weight. So the phases add
/// up to the total exactly, and so do their read-outs at 1 Wh and at 10 Wh resolution, as
/// in the Danish push 1 capture (PROTOCOLS.md §4.4). Throws std::invalid_argument when a
/// weight is negative or not finite, or when all are zero.
std::array<energy_registers, 3> split_energy(const energy_registers& total, const std::array<double, 3>& weights);

/// The four total and 3×4 per-phase registers of a meter.
class energy_integrator {
public:
    energy_integrator(energy_method method, const energy_registers& initial_total,
                      const std::array<energy_registers, 3>& initial_phases);

    /// Adds `sample` held constant for `dt`.
    void integrate(const power_sample& sample, std::chrono::milliseconds dt);

    /// Adds each of `samples` held for `dt`, in turn: the very registers of integrate()
    /// called for each (they are exact integer sums), but with the steps' parts added up
    /// first and one product per register.
    void integrate_steps(std::span<const power_sample> samples, std::chrono::milliseconds dt);

    /// integrate_steps() a step at a time: add() each step's sample (all held for the same
    /// `dt`), then flush() adds the sums to the registers, one product per register. The
    /// sums are flushed early whenever another sample could take them past the bound where
    /// energy_accumulator::add() multiplies out directly, so the result is the very sum of
    /// integrate() called for each. Not flushed on destruction: call flush().
    class step_sums {
    public:
        step_sums(energy_integrator& registers, std::chrono::milliseconds dt) : registers_(registers), dt_(dt) {}
        void add(const power_sample& sample) {
            constexpr std::uint64_t limit = energy_accumulator::max_short_power_mw;
            // Per quantity (each phase's P and Q, and the net P and Q of all three) the sum
            // of the values and of their magnitudes: the positive part of a sum is then
            // (Σ|x| + Σx) / 2 and the negative part (Σ|x| − Σx) / 2, exactly. Magnitudes
            // as unsigned, so that even |INT64_MIN| is one.
            const auto& p = sample.active_mw;
            const auto& q = sample.reactive_mvar;
            const std::uint64_t m[6] = {magnitude(p[0]), magnitude(p[1]), magnitude(p[2]),
                                        magnitude(q[0]), magnitude(q[1]), magnitude(q[2])};
            std::uint64_t most = 0, largest = 0;
            for (std::size_t k = 0; k < 6; ++k) {
                most += m[k];
                largest = std::max(largest, m[k]);
            }
            if (largest > limit) {  // implausible, but exact all the same
                registers_.integrate(sample, dt_);
                return;
            }
            if (bound_ + most > limit) flush();
            bound_ += most;
            for (std::size_t k = 0; k < 3; ++k) {
                signed_[k] += p[k];
                signed_[3 + k] += q[k];
                magnitude_[k] += static_cast<std::int64_t>(m[k]);
                magnitude_[3 + k] += static_cast<std::int64_t>(m[3 + k]);
            }
            const std::int64_t net_p = p[0] + p[1] + p[2], net_q = q[0] + q[1] + q[2];
            signed_[6] += net_p;
            signed_[7] += net_q;
            magnitude_[6] += net_p < 0 ? -net_p : net_p;
            magnitude_[7] += net_q < 0 ? -net_q : net_q;
        }
        void flush();

    private:
        static std::uint64_t magnitude(std::int64_t x) {
            const auto u = static_cast<std::uint64_t>(x);
            return x < 0 ? ~u + 1 : u;
        }
        energy_integrator& registers_;
        std::chrono::milliseconds dt_;
        std::array<std::int64_t, 8> signed_{};     ///< Σx: L1..L3 P, L1..L3 Q, net P, net Q
        std::array<std::int64_t, 8> magnitude_{};  ///< Σ|x| of the same
        std::uint64_t bound_ = 0;
    };

    energy_registers total() const;
    energy_registers phase(std::size_t index) const;
    energy_method method() const { return method_; }

private:
    struct four {
        energy_accumulator a_plus, a_minus, r_plus, r_minus;
        energy_registers read() const;
    };
    /// The 16 non-negative powers `sample` adds to (total A+, A−, R+, R−, then L1..L3's).
    std::array<std::int64_t, 16> split(const power_sample& sample) const;
    void add(const std::array<std::int64_t, 16>& parts, std::chrono::milliseconds dt);
    energy_method method_;
    four total_;
    std::array<four, 3> phases_;
};

}  // namespace hansim::meter
