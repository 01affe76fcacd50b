#include "hansim/security/glo_cipher.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <utility>

#include "hansim/security/security_policy.hpp"

namespace hansim::security {
namespace {

using codec::byte_view;
using codec::bytes;

std::string hex_byte(std::uint8_t b) {
    char text[5];
    std::snprintf(text, sizeof text, "0x%02X", b);
    return text;
}

/// AAD for an authenticated SC: SC ‖ AK, plus the clear APDU when only authenticating.
bytes make_aad(std::uint8_t sc, const aes_key& ak, byte_view clear_apdu) {
    bytes aad;
    aad.reserve(1 + ak.size() + clear_apdu.size());
    aad.push_back(sc);
    aad.insert(aad.end(), ak.begin(), ak.end());
    aad.insert(aad.end(), clear_apdu.begin(), clear_apdu.end());
    return aad;
}

security_policy supported_policy(std::uint8_t sc) {
    const auto policy = policy_from_security_control(sc);
    if (!policy)
        throw std::invalid_argument("glo-ciphering: security control " + hex_byte(sc) +
                                    " not supported (suite 0, unicast: 0x30, 0x20 or 0x10)");
    return *policy;
}

unprotect_error fail(unprotect_error_kind kind, std::size_t offset, std::string message) {
    return {kind, offset, std::move(message)};
}

}  // namespace

std::string_view to_string(unprotect_error_kind kind) {
    switch (kind) {
        case unprotect_error_kind::malformed: return "malformed";
        case unprotect_error_kind::authentication_failed: return "authentication_failed";
        case unprotect_error_kind::unsupported_security_control: return "unsupported_security_control";
    }
    return "unknown";
}

codec::apdu::glo_envelope glo_seal(byte_view plaintext_apdu, const security_keys& keys, const system_title& title,
                                   std::uint32_t invocation_counter, std::uint8_t security_control,
                                   codec::axdr::length_form length_form) {
    const security_policy policy = supported_policy(security_control);
    const gcm_iv iv = make_gcm_iv(title, invocation_counter);

    codec::apdu::glo_envelope envelope;
    envelope.system_title.assign(title.begin(), title.end());
    envelope.length_form = length_form;
    envelope.security_control = security_control;
    envelope.invocation_counter = invocation_counter;
    bytes& payload = envelope.payload;
    switch (policy) {
        case security_policy::encrypt_authenticate: {
            auto sealed = aes128_gcm_seal(keys.encryption_key, iv, make_aad(security_control, keys.authentication_key, {}),
                                          plaintext_apdu);
            payload = std::move(sealed.ciphertext);
            payload.reserve(payload.size() + dlms_tag_size);
            payload.insert(payload.end(), sealed.tag.begin(), sealed.tag.begin() + dlms_tag_size);
            break;
        }
        case security_policy::authenticate: {
            const auto sealed = aes128_gcm_seal(keys.encryption_key, iv,
                                                make_aad(security_control, keys.authentication_key, plaintext_apdu), {});
            payload.assign(plaintext_apdu.begin(), plaintext_apdu.end());
            payload.insert(payload.end(), sealed.tag.begin(), sealed.tag.begin() + dlms_tag_size);
            break;
        }
        case security_policy::encrypt:
            payload = aes128_gcm_keystream_xor(keys.encryption_key, iv, plaintext_apdu);
            break;
        case security_policy::none:
            break;  // unreachable: supported_policy never returns none
    }
    return envelope;
}

bytes glo_protect(byte_view plaintext_apdu, const security_keys& keys, const system_title& title,
                  std::uint32_t invocation_counter, std::uint8_t security_control, codec::axdr::length_form length_form) {
    return glo_seal(plaintext_apdu, keys, title, invocation_counter, security_control, length_form).to_bytes();
}

unprotect_outcome<unprotected_apdu> glo_unprotect(byte_view glo_apdu, const security_keys& keys,
                                                  std::size_t base_offset) {
    auto parsed = codec::apdu::glo_envelope::from_bytes(glo_apdu, base_offset);
    if (!parsed) return fail(unprotect_error_kind::malformed, parsed.error().offset, parsed.error().message);
    codec::apdu::glo_envelope& envelope = *parsed;

    // Offsets of the fields, from the layout the envelope was just parsed from.
    const std::size_t title_offset = base_offset + 1;  // the system title's length byte
    const std::size_t length_offset = title_offset + 1 + envelope.system_title.size();
    const std::size_t sc_offset =
        length_offset + codec::axdr::encoded_length_size(envelope.content_length(), envelope.length_form);
    const std::size_t payload_offset = sc_offset + 1 + 4;

    if (envelope.system_title.size() != 8)
        return fail(unprotect_error_kind::malformed, title_offset,
                    "glo-ciphering: system title at offset " + std::to_string(title_offset) + " is " +
                        std::to_string(envelope.system_title.size()) +
                        " bytes; suite 0 needs 8 (IV = system title || invocation counter)");
    const auto policy = policy_from_security_control(envelope.security_control);
    if (!policy)
        return fail(unprotect_error_kind::unsupported_security_control, sc_offset,
                    "glo-ciphering: security control " + hex_byte(envelope.security_control) + " at offset " +
                        std::to_string(sc_offset) + " not supported (suite 0, unicast: 0x30, 0x20 or 0x10)");

    unprotected_apdu out;
    out.tag = envelope.tag;
    std::copy(envelope.system_title.begin(), envelope.system_title.end(), out.title.begin());
    out.length_form = envelope.length_form;
    out.security_control = envelope.security_control;
    out.invocation_counter = envelope.invocation_counter;
    const gcm_iv iv = make_gcm_iv(out.title, out.invocation_counter);
    const byte_view payload = envelope.payload;

    if (*policy == security_policy::encrypt) {
        out.apdu = aes128_gcm_keystream_xor(keys.encryption_key, iv, payload);
        return out;
    }
    if (payload.size() < dlms_tag_size)
        return fail(unprotect_error_kind::malformed, payload_offset,
                    "glo-ciphering: ciphered content at offset " + std::to_string(payload_offset) + " has " +
                        std::to_string(payload.size()) + " bytes after SC and IC, fewer than the 12-byte tag");
    const byte_view body = payload.first(payload.size() - dlms_tag_size);
    const byte_view tag = payload.last(dlms_tag_size);
    const std::size_t tag_offset = payload_offset + body.size();
    const bool clear = *policy == security_policy::authenticate;
    const auto opened = aes128_gcm_open(keys.encryption_key, iv,
                                        make_aad(envelope.security_control, keys.authentication_key,
                                                 clear ? body : byte_view{}),
                                        clear ? byte_view{} : body, tag);
    if (!opened)
        return fail(unprotect_error_kind::authentication_failed, tag_offset,
                    "glo-ciphering: authentication tag at offset " + std::to_string(tag_offset) +
                        " does not verify (wrong encryption or authentication key, damaged bytes, or a system "
                        "title, counter or security control other than the one protected with)");
    if (clear) out.apdu.assign(body.begin(), body.end());
    else out.apdu = std::move(*opened);
    return out;
}

}  // namespace hansim::security
