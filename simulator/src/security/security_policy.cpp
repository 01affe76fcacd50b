#include "hansim/security/security_policy.hpp"

#include <stdexcept>

namespace hansim::security {

std::string_view to_string(security_policy policy) {
    switch (policy) {
        case security_policy::none: return "none";
        case security_policy::encrypt: return "encrypt";
        case security_policy::authenticate: return "authenticate";
        case security_policy::encrypt_authenticate: return "encrypt+authenticate";
    }
    return "unknown";
}

security_policy parse_security_policy(std::string_view text) {
    for (auto p : {security_policy::none, security_policy::encrypt, security_policy::authenticate,
                   security_policy::encrypt_authenticate}) {
        if (text == to_string(p)) return p;
    }
    throw std::invalid_argument("unknown security policy '" + std::string(text) +
                                "' (expected none, encrypt, authenticate or encrypt+authenticate)");
}

std::uint8_t security_control_for(security_policy policy) {
    switch (policy) {
        case security_policy::encrypt: return security_control_bits::encryption;
        case security_policy::authenticate: return security_control_bits::authentication;
        case security_policy::encrypt_authenticate:
            return security_control_bits::encryption | security_control_bits::authentication;
        case security_policy::none: break;
    }
    throw std::invalid_argument("security policy 'none' has no security control byte");
}

std::optional<security_policy> policy_from_security_control(std::uint8_t sc) {
    using namespace security_control_bits;
    if ((sc & (suite_mask | broadcast_key | compression)) != 0) return std::nullopt;
    switch (sc & (encryption | authentication)) {
        case encryption: return security_policy::encrypt;
        case authentication: return security_policy::authenticate;
        case encryption | authentication: return security_policy::encrypt_authenticate;
        default: return std::nullopt;
    }
}

}  // namespace hansim::security
