#pragma once
/// @file
/// Putting a push APDU on the HAN port: LLC header `E6 E7 00` + APDU in HDLC type-3 UI
/// frame(s), PROTOCOLS.md §1.2, §1.5, §1.6.
///
/// Kamstrup addresses a plaintext push (HAN-NVE list 1/2, DLMS push 1) from server LD 16 to
/// client 21 (`2B 21`) and a general-glo-ciphering push from the management LD 1 to client 32
/// (`41 03`); control is always `13`. Ciphered APDUs come from hansim_security; this file
/// only frames them.

#include <cstddef>
#include <cstdint>

#include "hansim/codec/bytes.hpp"
#include "hansim/codec/hdlc/frame.hpp"

namespace hansim::meter {

struct hdlc_push_options {
    codec::hdlc::hdlc_address destination;
    codec::hdlc::hdlc_address source;
    std::uint8_t control = codec::hdlc::control_ui_final;  ///< 0x13: UI, P/F set
    /// Largest information field per frame; 0 = never segment (Kamstrup never does: its
    /// largest push has 478 information bytes, its transmit limit is 1010).
    std::size_t max_information = 0;
};

/// Destination 0x2B (client 21), source 0x21 (server LD 16), control 0x13, no segmentation.
hdlc_push_options plain_push_addressing();

/// Destination 0x41 (client 32), source 0x03 (management LD 1), control 0x13, no segmentation.
hdlc_push_options ciphered_push_addressing();

/// The wire bytes of one push: `E6 E7 00` + `apdu` in one HDLC frame, or, when
/// max_information > 0 and the LLC PDU is longer, in consecutive segmented frames (S set on
/// all but the last; LLC header in the first only) concatenated in send order. Throws
/// std::length_error when a single frame would exceed the 2047-byte HDLC length field.
codec::bytes frame_push_apdu(const codec::bytes& apdu, const hdlc_push_options& options);

}  // namespace hansim::meter
