#pragma once
/// @file
/// One phase's electrical state and how it is derived from whatever the user fixes.
///
/// Sign convention (the meter's point of view, IEC 62053 four quadrants):
///   P > 0 import (consumption), P < 0 export (e.g. solar);
///   Q > 0 quadrants I and II (inductive import / capacitive export) -> R+ (R12, Q12),
///   Q < 0 quadrants III and IV -> R− (R34, Q34).
/// Always S = U·I, P = ±S·PF, Q = ±√(S² − P²), PF = |P| / S (1 when S = 0).

#include <algorithm>
#include <cmath>
#include <optional>

#include "hansim/meter/snapshot.hpp"

namespace hansim::meter {

/// What a user may fix for one phase. Any two of current, active power, reactive power and
/// power factor determine the phase (voltage defaults to the nominal voltage); active power
/// alone means PF 1, current alone means PF 1, reactive power alone means P = 0, nothing
/// means no load. Fixing three or more is rejected as over-determined.
struct phase_setpoint {
    std::optional<double> voltage_v;           ///< phase-to-neutral (star-equivalent on 3-wire)
    std::optional<double> current_a;           ///< ≥ 0
    std::optional<double> active_power_w;      ///< signed, see file comment
    std::optional<double> reactive_power_var;  ///< signed, see file comment
    std::optional<double> power_factor;        ///< 0..1
    bool exporting = false;   ///< sign of P when P is derived (from I/S with PF or Q)
    bool capacitive = false;  ///< sign of Q when Q is derived: false -> same sign as P (inductive load)
};

/// A consistent phase state.
struct phase_state {
    double voltage_v = 0;
    double current_a = 0;
    double active_power_w = 0;      ///< signed
    double reactive_power_var = 0;  ///< signed
    double apparent_power_va = 0;
    double power_factor = 1;

    /// 1..4 (I: P ≥ 0, Q ≥ 0; II: P < 0, Q ≥ 0; III: P < 0, Q < 0; IV: P ≥ 0, Q < 0).
    int quadrant() const;
};

/// The pieces of derive_phase() that the model's per-step path (meter_model.cpp) also uses,
/// so both compute the very same doubles:
/// the other leg √(hyp² − leg²) of a right triangle (0 when rounding makes it negative) …
inline double other_leg(double hypotenuse, double leg) {
    return std::sqrt(std::max(0.0, hypotenuse * hypotenuse - leg * leg));
}
/// … and the sign of a derived Q: P's sign (`exporting` decides for P = 0), the opposite when
/// the load is capacitive. Written as one select, not nested branches: the model takes it
/// for every phase of every integration step, where P's sign is data.
inline double derived_q_sign(double p, bool exporting, bool capacitive) {
    const bool negative = p < 0 || (!(p > 0) && exporting);
    return negative != capacitive ? -1.0 : 1.0;
}

/// Derives the missing quantities. Throws std::invalid_argument naming the conflict when the
/// setpoint is over-determined or impossible (|P| > U·I, PF outside 0..1, negative current
/// or voltage, PF = 0 with P ≠ 0).
phase_state derive_phase(const phase_setpoint& set, double nominal_voltage_v);

/// The four-quadrant magnitudes a list reports (P+/P−, Q+/Q−); energy left empty.
phase_reading to_reading(const phase_state& state);

}  // namespace hansim::meter
