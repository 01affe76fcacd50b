#pragma once
/// @file
/// HDLC frame format type 3 as used on the HAN port (IEC 62056-46, PROTOCOLS.md §1):
///
/// `7E | A/S/L (2) | dest | src | control | HCS (2) | information | FCS (2) | 7E`
///
/// L (11 bits) counts every byte between the flags. HCS and FCS are CRC-16/X.25, low byte
/// first; HCS is present only when there is an information field. No byte stuffing.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "hansim/codec/bytes.hpp"
#include "hansim/codec/result.hpp"

namespace hansim::codec::hdlc {

inline constexpr std::uint8_t flag = 0x7E;
/// Largest value of the 11-bit length field; a frame is at most max_frame_length + 2 bytes.
inline constexpr std::size_t max_frame_length = 2047;
/// UI frame with the P/F bit set: what every Kamstrup push uses.
inline constexpr std::uint8_t control_ui_final = 0x13;

/// An HDLC address of 1, 2 or 4 bytes. On the wire each byte carries 7 address bits in bits
/// 7..1, most significant group first, and bit 0 = 1 marks the last byte. `value` is the
/// concatenation of those 7-bit groups, so a 1-byte wire 0x2B is value 0x15 (client 21), and
/// the 2-byte Aidon server address `08 83` is value (0x04 << 7) | 0x41 = 0x241.
struct hdlc_address {
    std::uint32_t value = 0;
    std::uint8_t width = 1;  ///< 1, 2 or 4 bytes on the wire

    friend bool operator==(const hdlc_address&, const hdlc_address&) = default;
};

/// Kamstrup plaintext push: dest 0x2B (client 21), src 0x21 (server LD 16).
inline constexpr hdlc_address kamstrup_client{0x15, 1};
inline constexpr hdlc_address kamstrup_server{0x10, 1};
/// Kamstrup ciphered push: dest 0x41 (client 32), src 0x03 (management LD 1).
inline constexpr hdlc_address kamstrup_ciphered_client{0x20, 1};
inline constexpr hdlc_address kamstrup_ciphered_server{0x01, 1};

/// Appends the wire form of `address`. Throws std::invalid_argument for a width other than
/// 1, 2, 4 or a value that needs more than 7 × width bits.
void encode_address(bytes& out, const hdlc_address& address);

/// Reads an address at the start of `in` by walking bytes until one has bit 0 set.
/// Ok+value: the address and `consumed` bytes; error: no terminating byte within 4 bytes, or
/// a width of 3. Need-more (ran out of input before the last byte) is an error too: callers
/// pass complete headers.
struct decoded_address {
    hdlc_address address;
    std::size_t consumed = 0;
};
result<decoded_address> decode_address(byte_view in, std::size_t base_offset = 0);

struct hdlc_frame {
    hdlc_address destination;
    hdlc_address source;
    std::uint8_t control = control_ui_final;
    bool segmented = false;  ///< S bit: more segments follow this one
    bytes information;       ///< LLC + APDU, or a segment of it; may be empty

    friend bool operator==(const hdlc_frame&, const hdlc_frame&) = default;
};

/// Bytes on the wire for `frame`, both flags included. Throws std::length_error when the
/// frame would exceed max_frame_length, std::invalid_argument for a bad address.
bytes encode(const hdlc_frame& frame);

/// Appends the frame encode() makes to `out`, its information field being `head` followed by
/// `tail` (for example the LLC header and the APDU, without joining them first). Same errors.
void append_frame(bytes& out, const hdlc_address& destination, const hdlc_address& source, std::uint8_t control,
                  bool segmented, byte_view head, byte_view tail = {});

/// Splits `llc_pdu` (LLC header + APDU; the LLC header is simply its first bytes, so it lands
/// in the first segment only) into frames carrying at most `max_information` bytes each; S is
/// set on all but the last. An LLC PDU that fits yields a single unsegmented frame.
/// Throws std::invalid_argument when max_information is 0.
std::vector<bytes> encode_segmented(const hdlc_address& destination, const hdlc_address& source,
                                    std::uint8_t control, byte_view llc_pdu, std::size_t max_information);

/// Parses exactly one frame occupying all of `in` (opening flag to closing flag), checking
/// format nibble, length, HCS and FCS. For streams use stream_decoder.
result<hdlc_frame> decode_frame(byte_view in, std::size_t base_offset = 0);

}  // namespace hansim::codec::hdlc
