#include "hansim/security/p1_cipher.hpp"

namespace hansim::security {

namespace {
constexpr std::uint8_t p1_security_control = 0x30;
}

codec::bytes p1_protect(std::string_view telegram, const aes_key& encryption_key, const system_title& title,
                        std::uint32_t invocation_counter, const aes_key& authentication_key) {
    const codec::byte_view text{reinterpret_cast<const std::uint8_t*>(telegram.data()), telegram.size()};
    return glo_protect(text, security_keys{encryption_key, authentication_key}, title, invocation_counter,
                       p1_security_control);
}

unprotect_outcome<unprotected_p1> p1_unprotect(codec::byte_view frame, const aes_key& encryption_key,
                                               const aes_key& authentication_key) {
    auto opened = glo_unprotect(frame, security_keys{encryption_key, authentication_key});
    if (!opened) return opened.error();
    if (opened->security_control != p1_security_control) {
        // The ciphered content (SC, IC, payload) ends the frame.
        const std::size_t tag_size = (opened->security_control & 0x10) != 0 ? dlms_tag_size : 0;
        const std::size_t sc_offset = frame.size() - (1 + 4 + opened->apdu.size() + tag_size);
        return unprotect_error{unprotect_error_kind::unsupported_security_control, sc_offset,
                               "encrypted P1: security control at offset " + std::to_string(sc_offset) +
                                   " is not 0x30 (smarty frames are always encrypted and authenticated)"};
    }
    unprotected_p1 out;
    out.title = opened->title;
    out.invocation_counter = opened->invocation_counter;
    out.telegram.assign(opened->apdu.begin(), opened->apdu.end());
    return out;
}

}  // namespace hansim::security
