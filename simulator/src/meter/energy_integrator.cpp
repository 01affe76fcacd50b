#include "hansim/meter/energy_integrator.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace hansim::meter {

std::string_view to_string(energy_method method) {
    switch (method) {
        case energy_method::vector_summation: return "vector_summation";
        case energy_method::individual_phases: return "individual_phases";
        case energy_method::total_summation: return "total_summation";
    }
    return "?";
}

energy_method parse_energy_method(std::string_view text) {
    std::string name(text);
    for (char& ch : name)
        if (ch == '-') ch = '_';
    if (name == "vector_summation") return energy_method::vector_summation;
    if (name == "individual_phases") return energy_method::individual_phases;
    if (name == "total_summation") return energy_method::total_summation;
    throw std::invalid_argument("unknown energy method '" + std::string(text) +
                                "' (expected vector_summation, individual_phases or total_summation)");
}

void energy_accumulator::add(std::int64_t power_mw, std::chrono::milliseconds dt) {
    if (power_mw < 0 || dt.count() < 0) throw std::invalid_argument("energy_accumulator::add: negative power or time");
    if (power_mw == 0) return;
    const std::int64_t ms = dt.count();
    if (ms < mw_ms_per_mwh && power_mw <= max_short_power_mw) {
        // The common case (steps shorter than an hour at household power): one product,
        // and a division only when a whole mWh is complete.
        remainder_ += power_mw * ms;
        if (remainder_ >= mw_ms_per_mwh) {
            mwh_ += remainder_ / mw_ms_per_mwh;
            remainder_ %= mw_ms_per_mwh;
        }
        return;
    }
    // Whole hours first so that power × time never overflows: P mW for 1 h is exactly P mWh.
    const std::int64_t hours = ms / mw_ms_per_mwh;
    const std::int64_t rest_ms = ms % mw_ms_per_mwh;
    mwh_ += power_mw * hours;
    remainder_ += power_mw * rest_ms;
    mwh_ += remainder_ / mw_ms_per_mwh;
    remainder_ %= mw_ms_per_mwh;
}

namespace {

// One register split by `shares` (normalised weights): whole quanta by largest remainder,
// the rest below one quantum to phase `largest`.
std::array<std::int64_t, 3> split_register(std::int64_t total, const std::array<double, 3>& shares,
                                           std::size_t largest) {
    constexpr std::int64_t quantum = 10'000;  // 10 Wh in mWh: the coarsest register resolution
    const std::int64_t units = total / quantum;
    std::array<std::int64_t, 3> out{};
    std::array<double, 3> fraction{};
    std::int64_t given = 0;
    for (std::size_t i = 0; i < 3; ++i) {
        const long double exact = static_cast<long double>(units) * shares[i];
        out[i] = static_cast<std::int64_t>(std::floor(exact));
        fraction[i] = static_cast<double>(exact - static_cast<long double>(out[i]));
        given += out[i];
    }
    std::array<std::size_t, 3> order{0, 1, 2};
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return fraction[a] > fraction[b]; });
    for (std::size_t k = 0; given < units; k = (k + 1) % 3) {
        if (shares[order[k]] <= 0) continue;
        ++out[order[k]];
        ++given;
    }
    for (auto& v : out) v *= quantum;
    out[largest] += total % quantum;
    return out;
}

}  // namespace

std::array<energy_registers, 3> split_energy(const energy_registers& total, const std::array<double, 3>& weights) {
    double sum = 0;
    for (double w : weights) {
        if (!std::isfinite(w) || w < 0) throw std::invalid_argument("phase weights must be finite and not negative");
        sum += w;
    }
    if (sum <= 0) throw std::invalid_argument("phase weights must not all be zero");
    std::array<double, 3> shares{};
    for (std::size_t i = 0; i < 3; ++i) shares[i] = weights[i] / sum;
    const auto largest = static_cast<std::size_t>(std::max_element(shares.begin(), shares.end()) - shares.begin());
    const auto a_plus = split_register(total.active_import_mwh, shares, largest);
    const auto a_minus = split_register(total.active_export_mwh, shares, largest);
    const auto r_plus = split_register(total.reactive_import_mvarh, shares, largest);
    const auto r_minus = split_register(total.reactive_export_mvarh, shares, largest);
    std::array<energy_registers, 3> out{};
    for (std::size_t i = 0; i < 3; ++i) out[i] = {a_plus[i], a_minus[i], r_plus[i], r_minus[i]};
    return out;
}

energy_registers energy_integrator::four::read() const {
    return {a_plus.mwh(), a_minus.mwh(), r_plus.mwh(), r_minus.mwh()};
}

energy_integrator::energy_integrator(energy_method method, const energy_registers& initial_total,
                                     const std::array<energy_registers, 3>& initial_phases)
    : method_(method),
      total_{energy_accumulator(initial_total.active_import_mwh), energy_accumulator(initial_total.active_export_mwh),
             energy_accumulator(initial_total.reactive_import_mvarh),
             energy_accumulator(initial_total.reactive_export_mvarh)} {
    for (std::size_t i = 0; i < 3; ++i) {
        const auto& e = initial_phases[i];
        phases_[i] = four{energy_accumulator(e.active_import_mwh), energy_accumulator(e.active_export_mwh),
                          energy_accumulator(e.reactive_import_mvarh), energy_accumulator(e.reactive_export_mvarh)};
    }
}

namespace {

/// Adds split(sample) to `parts`.
void add_parts(std::array<std::int64_t, 16>& parts, const power_sample& sample, energy_method method) {
    const auto split_total = [method](const std::array<std::int64_t, 3>& v, std::int64_t& plus, std::int64_t& minus) {
        switch (method) {
            case energy_method::vector_summation: {
                const std::int64_t net = v[0] + v[1] + v[2];
                (net >= 0 ? plus : minus) += net >= 0 ? net : -net;
                break;
            }
            case energy_method::individual_phases:
                for (auto x : v) (x >= 0 ? plus : minus) += x >= 0 ? x : -x;
                break;
            case energy_method::total_summation:
                for (auto x : v) plus += x >= 0 ? x : -x;
                break;
        }
    };
    split_total(sample.active_mw, parts[0], parts[1]);
    split_total(sample.reactive_mvar, parts[2], parts[3]);
    for (std::size_t i = 0; i < 3; ++i) {
        // The positive and negative parts without a branch: the sign bit as a mask.
        const std::int64_t p = sample.active_mw[i], q = sample.reactive_mvar[i];
        const std::int64_t p_negative = p >> 63, q_negative = q >> 63;  // all ones when negative
        parts[4 + 4 * i] += p & ~p_negative;
        parts[5 + 4 * i] += -p & p_negative;
        parts[6 + 4 * i] += q & ~q_negative;
        parts[7 + 4 * i] += -q & q_negative;
    }
}

}  // namespace

std::array<std::int64_t, 16> energy_integrator::split(const power_sample& sample) const {
    std::array<std::int64_t, 16> parts{};
    add_parts(parts, sample, method_);
    return parts;
}

void energy_integrator::add(const std::array<std::int64_t, 16>& parts, std::chrono::milliseconds dt) {
    total_.a_plus.add(parts[0], dt);
    total_.a_minus.add(parts[1], dt);
    total_.r_plus.add(parts[2], dt);
    total_.r_minus.add(parts[3], dt);
    for (std::size_t i = 0; i < 3; ++i) {
        phases_[i].a_plus.add(parts[4 + 4 * i], dt);
        phases_[i].a_minus.add(parts[5 + 4 * i], dt);
        phases_[i].r_plus.add(parts[6 + 4 * i], dt);
        phases_[i].r_minus.add(parts[7 + 4 * i], dt);
    }
}

void energy_integrator::integrate(const power_sample& sample, std::chrono::milliseconds dt) { add(split(sample), dt); }

void energy_integrator::integrate_steps(std::span<const power_sample> samples, std::chrono::milliseconds dt) {
    step_sums sums(*this, dt);
    for (const power_sample& sample : samples) sums.add(sample);
    sums.flush();
}

void energy_integrator::step_sums::flush() {
    if (bound_ == 0) return;
    const auto plus = [this](std::size_t k) { return (magnitude_[k] + signed_[k]) / 2; };
    const auto minus = [this](std::size_t k) { return (magnitude_[k] - signed_[k]) / 2; };
    std::array<std::int64_t, 16> parts{};  // as split(): totals, then L1..L3
    for (std::size_t i = 0; i < 3; ++i) {
        parts[4 + 4 * i] = plus(i);
        parts[5 + 4 * i] = minus(i);
        parts[6 + 4 * i] = plus(3 + i);
        parts[7 + 4 * i] = minus(3 + i);
    }
    switch (registers_.method_) {
        case energy_method::vector_summation:  // the net of the phases, each step
            parts[0] = plus(6), parts[1] = minus(6), parts[2] = plus(7), parts[3] = minus(7);
            break;
        case energy_method::individual_phases:  // each phase's parts
            for (std::size_t i = 0; i < 3; ++i) {
                parts[0] += parts[4 + 4 * i], parts[1] += parts[5 + 4 * i];
                parts[2] += parts[6 + 4 * i], parts[3] += parts[7 + 4 * i];
            }
            break;
        case energy_method::total_summation:  // every magnitude to import
            for (std::size_t i = 0; i < 3; ++i) parts[0] += magnitude_[i], parts[2] += magnitude_[3 + i];
            break;
    }
    registers_.add(parts, dt_);
    signed_ = {};
    magnitude_ = {};
    bound_ = 0;
}

energy_registers energy_integrator::total() const { return total_.read(); }

energy_registers energy_integrator::phase(std::size_t index) const { return phases_.at(index).read(); }

}  // namespace hansim::meter
