#include "hansim/security/cipher_fault.hpp"

#include <array>
#include <cstdio>
#include <stdexcept>

namespace hansim::security {
namespace {

constexpr std::array<cipher_fault, 10> every_fault{
    cipher_fault::wrong_encryption_key, cipher_fault::wrong_authentication_key,
    cipher_fault::corrupted_tag,        cipher_fault::counter_stuck,
    cipher_fault::counter_backwards,    cipher_fault::counter_jump,
    cipher_fault::empty_system_title,   cipher_fault::foreign_system_title,
    cipher_fault::sc_mismatch,          cipher_fault::length_off_by_one,
};

std::string hex32(std::uint32_t v) {
    char text[11];
    std::snprintf(text, sizeof text, "0x%08X", static_cast<unsigned>(v));
    return text;
}

std::string hex8(std::uint8_t v) {
    char text[5];
    std::snprintf(text, sizeof text, "0x%02X", v);
    return text;
}

aes_key inverted(aes_key key) {
    for (auto& b : key) b = static_cast<std::uint8_t>(~b);
    return key;
}

std::uint32_t previous_or_throw(cipher_fault fault, const fault_request& request) {
    if (!request.previous_counter)
        throw std::invalid_argument(std::string(to_string(fault)) +
                                    " needs the invocation counter of the previous frame (none was sent yet)");
    return *request.previous_counter;
}

void require_tag(cipher_fault fault, std::uint8_t sc) {
    if ((sc & 0x10) == 0)
        throw std::invalid_argument(std::string(to_string(fault)) + " has no effect with security control " +
                                    hex8(sc) + " (no authentication tag)");
}

/// The envelope bytes with the ciphered-content length field declaring `delta` more bytes.
codec::bytes with_length_delta(const codec::apdu::glo_envelope& envelope, std::size_t delta) {
    const codec::bytes good = envelope.to_bytes();
    const std::size_t field_at = 2 + envelope.system_title.size();
    const std::size_t field_size = codec::axdr::encoded_length_size(envelope.content_length(), envelope.length_form);
    codec::bytes out(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(field_at));
    codec::axdr::encode_length(out, envelope.content_length() + delta, envelope.length_form);
    out.insert(out.end(), good.begin() + static_cast<std::ptrdiff_t>(field_at + field_size), good.end());
    return out;
}

}  // namespace

std::string_view to_string(cipher_fault fault) {
    switch (fault) {
        case cipher_fault::wrong_encryption_key: return "wrong_encryption_key";
        case cipher_fault::wrong_authentication_key: return "wrong_authentication_key";
        case cipher_fault::corrupted_tag: return "corrupted_tag";
        case cipher_fault::counter_stuck: return "counter_stuck";
        case cipher_fault::counter_backwards: return "counter_backwards";
        case cipher_fault::counter_jump: return "counter_jump";
        case cipher_fault::empty_system_title: return "empty_system_title";
        case cipher_fault::foreign_system_title: return "foreign_system_title";
        case cipher_fault::sc_mismatch: return "sc_mismatch";
        case cipher_fault::length_off_by_one: return "length_off_by_one";
    }
    return "unknown";
}

cipher_fault parse_cipher_fault(std::string_view text) {
    for (const auto fault : every_fault)
        if (text == to_string(fault)) return fault;
    std::string known;
    for (const auto fault : every_fault) known += (known.empty() ? "" : ", ") + std::string(to_string(fault));
    throw std::invalid_argument("unknown ciphering fault '" + std::string(text) + "' (known: " + known + ")");
}

std::span<const cipher_fault> all_cipher_faults() { return every_fault; }

faulty_apdu protect_with_fault(cipher_fault fault, const fault_request& request) {
    const auto seal = [&](const security_keys& keys, std::uint32_t ic) {
        return glo_seal(request.plaintext_apdu, keys, request.title, ic, request.security_control,
                        request.length_form);
    };
    const std::uint32_t ic = request.invocation_counter;
    const std::string name(to_string(fault));
    faulty_apdu out;
    out.invocation_counter = ic;

    switch (fault) {
        case cipher_fault::wrong_encryption_key: {
            security_keys keys = request.keys;
            keys.encryption_key = inverted(keys.encryption_key);
            out.apdu = seal(keys, ic).to_bytes();
            out.description = name + ": sealed with the encryption key's bits inverted";
            break;
        }
        case cipher_fault::wrong_authentication_key: {
            require_tag(fault, request.security_control);
            security_keys keys = request.keys;
            keys.authentication_key = inverted(keys.authentication_key);
            out.apdu = seal(keys, ic).to_bytes();
            out.description = name + ": sealed with the authentication key's bits inverted";
            break;
        }
        case cipher_fault::corrupted_tag: {
            require_tag(fault, request.security_control);
            auto envelope = seal(request.keys, ic);
            envelope.payload.back() ^= 0x01;
            out.apdu = envelope.to_bytes();
            out.description = name + ": last tag byte XOR 0x01";
            break;
        }
        case cipher_fault::counter_stuck: {
            out.invocation_counter = previous_or_throw(fault, request);
            out.apdu = seal(request.keys, out.invocation_counter).to_bytes();
            out.description = name + ": invocation counter " + hex32(out.invocation_counter) +
                              " repeated from the previous frame (instead of " + hex32(ic) + ")";
            break;
        }
        case cipher_fault::counter_backwards: {
            const std::uint32_t previous = previous_or_throw(fault, request);
            if (previous == 0) throw std::invalid_argument(name + ": the previous frame's counter is 0, cannot go below it");
            out.invocation_counter = previous - 1;
            out.apdu = seal(request.keys, out.invocation_counter).to_bytes();
            out.description = name + ": invocation counter " + hex32(out.invocation_counter) + " after " +
                              hex32(previous) + " (instead of " + hex32(ic) + ")";
            break;
        }
        case cipher_fault::counter_jump: {
            if (request.counter_jump == 0) throw std::invalid_argument(name + ": a jump of 0 is no fault");
            if (ic > 0xFFFFFFFFu - request.counter_jump)
                throw std::invalid_argument(name + ": " + hex32(ic) + " + " + std::to_string(request.counter_jump) +
                                            " exceeds the 32-bit counter");
            out.invocation_counter = ic + request.counter_jump;
            out.apdu = seal(request.keys, out.invocation_counter).to_bytes();
            out.description = name + ": invocation counter " + hex32(out.invocation_counter) + " instead of " +
                              hex32(ic) + " (+" + std::to_string(request.counter_jump) + ")";
            break;
        }
        case cipher_fault::empty_system_title: {
            auto envelope = seal(request.keys, ic);
            envelope.system_title.clear();
            out.apdu = envelope.to_bytes();
            out.description = name + ": system title sent with length 0";
            break;
        }
        case cipher_fault::foreign_system_title: {
            auto envelope = seal(request.keys, ic);
            envelope.system_title.back() ^= 0x01;
            out.apdu = envelope.to_bytes();
            out.description = name + ": header system title's last byte XOR 0x01 (sealed with the real one)";
            break;
        }
        case cipher_fault::sc_mismatch: {
            auto envelope = seal(request.keys, ic);
            const std::uint8_t sealed_with = envelope.security_control;
            envelope.security_control = sealed_with == 0x30 ? 0x10 : 0x30;
            out.apdu = envelope.to_bytes();
            out.description = name + ": header security control " + hex8(envelope.security_control) +
                              ", sealed with " + hex8(sealed_with);
            break;
        }
        case cipher_fault::length_off_by_one: {
            const auto envelope = seal(request.keys, ic);
            out.apdu = with_length_delta(envelope, 1);
            out.description = name + ": ciphered-content length declares " +
                              std::to_string(envelope.content_length() + 1) + " bytes, " +
                              std::to_string(envelope.content_length()) + " follow";
            break;
        }
    }
    return out;
}

}  // namespace hansim::security
