#include "hansim/meter/phase.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace hansim::meter {

int phase_state::quadrant() const {
    if (active_power_w >= 0) return reactive_power_var >= 0 ? 1 : 4;
    return reactive_power_var >= 0 ? 2 : 3;
}

namespace {

double remaining_leg(double hypotenuse, double leg, const char* what) {
    const double slack = hypotenuse * 1e-9;
    if (std::abs(leg) > hypotenuse + slack)
        throw std::invalid_argument(std::string("phase setpoint: ") + what + " exceeds the apparent power U*I (" +
                                    std::to_string(std::abs(leg)) + " > " + std::to_string(hypotenuse) + ")");
    return other_leg(hypotenuse, leg);
}

}  // namespace

phase_state derive_phase(const phase_setpoint& set, double nominal_voltage_v) {
    phase_state st;
    st.voltage_v = set.voltage_v.value_or(nominal_voltage_v);
    if (st.voltage_v <= 0) throw std::invalid_argument("phase setpoint: voltage must be positive");
    if (set.current_a && *set.current_a < 0) throw std::invalid_argument("phase setpoint: current must not be negative");
    if (set.power_factor && (*set.power_factor < 0 || *set.power_factor > 1))
        throw std::invalid_argument("phase setpoint: power factor must be within 0..1, got " +
                                    std::to_string(*set.power_factor));
    const int given = int(set.current_a.has_value()) + int(set.active_power_w.has_value()) +
                      int(set.reactive_power_var.has_value()) + int(set.power_factor.has_value());
    if (given > 2)
        throw std::invalid_argument(
            "phase setpoint is over-determined: fix at most two of current, active power, reactive power, power factor");

    const double p_sign = set.exporting ? -1.0 : 1.0;
    // Q's sign when derived: inductive load -> Q has P's sign; capacitive -> opposite.
    auto q_sign_for = [&](double p) { return derived_q_sign(p, set.exporting, set.capacitive); };
    const double u = st.voltage_v;
    double p = 0, q = 0, s = 0;
    const auto& I = set.current_a;
    const auto& P = set.active_power_w;
    const auto& Q = set.reactive_power_var;
    const auto& PF = set.power_factor;

    if (P && Q) {
        p = *P, q = *Q, s = std::hypot(p, q);
    } else if (P && PF) {
        p = *P;
        if (*PF == 0 && p != 0) throw std::invalid_argument("phase setpoint: power factor 0 with non-zero active power");
        s = *PF == 0 ? 0 : std::abs(p) / *PF;
        q = q_sign_for(p) * remaining_leg(s, p, "active power");
    } else if (P && I) {
        p = *P, s = u * *I;
        q = q_sign_for(p) * remaining_leg(s, p, "active power");
    } else if (I && PF) {
        s = u * *I, p = p_sign * s * *PF;
        q = q_sign_for(p) * remaining_leg(s, p, "active power");
    } else if (I && Q) {
        q = *Q, s = u * *I;
        p = p_sign * remaining_leg(s, q, "reactive power");
    } else if (Q && PF) {
        q = *Q;
        if (*PF == 1 && q != 0) throw std::invalid_argument("phase setpoint: power factor 1 with non-zero reactive power");
        s = *PF == 1 ? 0 : std::abs(q) / std::sqrt(1 - *PF * *PF);
        p = p_sign * s * *PF;
    } else if (P) {
        p = *P, s = std::abs(p);
    } else if (I) {
        s = u * *I, p = p_sign * s;
    } else if (Q) {
        q = *Q, s = std::abs(q);
    }
    st.active_power_w = p;
    st.reactive_power_var = q;
    st.apparent_power_va = s;
    st.current_a = s / u;
    st.power_factor = s > 0 ? std::abs(p) / s : PF.value_or(1.0);
    return st;
}

phase_reading to_reading(const phase_state& state) {
    phase_reading r;
    r.voltage_v = state.voltage_v;
    r.current_a = state.current_a;
    r.active_import_w = std::max(0.0, state.active_power_w);
    r.active_export_w = std::max(0.0, -state.active_power_w);
    r.reactive_import_var = std::max(0.0, state.reactive_power_var);
    r.reactive_export_var = std::max(0.0, -state.reactive_power_var);
    r.power_factor = state.power_factor;
    return r;
}

}  // namespace hansim::meter
