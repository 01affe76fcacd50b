#pragma once
/// @file
/// DLMS security suite 0 on a whole APDU: general-glo-ciphering (tag 0xDB) protect and
/// unprotect (PROTOCOLS.md §5). The envelope bytes come from codec::apdu::glo_envelope; this
/// file adds the AES-128-GCM part:
///
/// | SC   | payload on the wire           | AAD                         |
/// |------|-------------------------------|-----------------------------|
/// | 0x30 | ciphertext ‖ tag (12 bytes)   | SC ‖ AK                     |
/// | 0x10 | plaintext APDU ‖ tag          | SC ‖ AK ‖ plaintext APDU    |
/// | 0x20 | ciphertext only, no tag       | none                        |
///
/// IV = system title (8 bytes) ‖ invocation counter (4 bytes, BE); EK is the AES key; the
/// tag is the first 12 bytes of the GCM tag.

#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "hansim/codec/apdu/glo_ciphering.hpp"
#include "hansim/codec/bytes.hpp"
#include "hansim/security/keys.hpp"

namespace hansim::security {

/// The 8-byte DLMS system title (Kamstrup: "KAME" + serial number as uint32 BE).
using system_title = std::array<std::uint8_t, 8>;

/// Protects `plaintext_apdu` and returns the envelope (not yet serialised), so callers can
/// inspect or deliberately damage it. `security_control` must be 0x30, 0x20 or 0x10 (suite 0,
/// unicast); anything else throws std::invalid_argument. The envelope uses tag 0xDB and the
/// given length form (Kamstrup: forced `82 hh ll`).
codec::apdu::glo_envelope glo_seal(codec::byte_view plaintext_apdu, const security_keys& keys,
                                   const system_title& title, std::uint32_t invocation_counter,
                                   std::uint8_t security_control,
                                   codec::axdr::length_form length_form = codec::axdr::length_form::forced_82);

/// The complete general-glo-ciphering APDU (`DB 08 <title> 82 hh ll SC IC payload`):
/// glo_seal(...).to_bytes(). Throws std::invalid_argument for an unsupported SC.
codec::bytes glo_protect(codec::byte_view plaintext_apdu, const security_keys& keys, const system_title& title,
                         std::uint32_t invocation_counter, std::uint8_t security_control,
                         codec::axdr::length_form length_form = codec::axdr::length_form::forced_82);

/// Why a ciphered APDU could not be opened.
enum class unprotect_error_kind {
    malformed,                     ///< the envelope bytes are wrong (offset says where)
    authentication_failed,         ///< the tag does not verify: wrong key(s), damaged bytes,
                                   ///< a system title or SC that is not the one protected with
    unsupported_security_control,  ///< SC other than 0x30/0x20/0x10 (suite, broadcast, compression)
};

/// "malformed", "authentication_failed" or "unsupported_security_control".
std::string_view to_string(unprotect_error_kind kind);

/// A failure: kind, byte offset (plus the caller's base offset) and a message for people that
/// names the field and offset. Never contains key material.
struct unprotect_error {
    unprotect_error_kind kind = unprotect_error_kind::malformed;
    std::size_t offset = 0;
    std::string message;
};

/// Either a value or an unprotect_error.
template <class T>
class unprotect_outcome {
public:
    unprotect_outcome(T value) : state_(std::in_place_index<0>, std::move(value)) {}
    unprotect_outcome(unprotect_error error) : state_(std::in_place_index<1>, std::move(error)) {}

    bool ok() const noexcept { return state_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    /// The value; throws std::runtime_error with the error message when there is none.
    const T& value() const& {
        check();
        return std::get<0>(state_);
    }
    T&& value() && {
        check();
        return std::get<0>(std::move(state_));
    }
    const T* operator->() const { return &value(); }
    const T& operator*() const& { return value(); }

    /// The error; throws std::logic_error when the outcome holds a value.
    const unprotect_error& error() const {
        if (ok()) throw std::logic_error("unprotect_outcome::error() called on a success");
        return std::get<1>(state_);
    }

private:
    void check() const {
        if (!ok()) throw std::runtime_error(std::get<1>(state_).message);
    }
    std::variant<T, unprotect_error> state_;
};

/// An opened general-glo-ciphering APDU: the plaintext and the header it came with.
struct unprotected_apdu {
    std::uint8_t tag = codec::apdu::general_glo_ciphering_tag;  ///< 0xDB (or 0xDC)
    system_title title{};
    codec::axdr::length_form length_form = codec::axdr::length_form::forced_82;
    std::uint8_t security_control = 0;
    std::uint32_t invocation_counter = 0;
    codec::bytes apdu;  ///< the plaintext APDU (for SC 0x20 unauthenticated: garbage if the key is wrong)
};

/// Opens a complete general-glo-ciphering APDU (0xDB; 0xDC general-ded-ciphering is read the
/// same way with `keys` taken as the dedicated key set). `glo_apdu` must be exactly the
/// envelope. Errors:
/// - malformed, with the offset: envelope errors (codec::apdu::glo_envelope::from_bytes, e.g.
///   a length field off by one), a system title that is not 8 bytes (an empty one included),
///   a payload too short for the 12-byte tag;
/// - unsupported_security_control, at the SC byte;
/// - authentication_failed, at the tag (SC 0x30/0x10 only: SC 0x20 has no tag, so with wrong
///   keys it yields wrong plaintext which the APDU parser has to reject).
/// `base_offset` is added to every offset (e.g. where the APDU starts in an HDLC frame).
unprotect_outcome<unprotected_apdu> glo_unprotect(codec::byte_view glo_apdu, const security_keys& keys,
                                                  std::size_t base_offset = 0);

}  // namespace hansim::security
