#pragma once
/// @file
/// The one vocabulary of decode failures shared by every stream decoder (HDLC §1.4, P1 §6.2,
/// raw ciphered frames §5) and by the records of `hansim decode`: each broken frame is one
/// error event carrying an offset, a message for people and one of these kinds.

#include <string_view>

namespace hansim::codec {

enum class error_kind {
    garbage,        ///< bytes that start no frame (noise, a splitter's text, fill)
    truncated,      ///< a frame whose header verified but which ends before its declared length
                    ///< (cut off, or by the end of the stream)
    bad_hcs,        ///< HDLC header check sequence wrong; the frame is delimited by flags
    bad_fcs,        ///< HDLC frame check sequence wrong; the frame is delimited by flags
    bad_crc,        ///< P1 CRC-16 wrong
    missing_crc,    ///< P1 telegram without (valid) CRC digits after '!'
    too_long,       ///< a frame longer than the decoder accepts
    segments,       ///< HDLC segments that cannot be joined
    malformed,      ///< the frame checks passed but its content does not parse
    unsupported,    ///< a well-formed frame of a kind hansim does not decode
};

/// "garbage", "truncated", "bad_hcs", … (the spelling in decode records).
constexpr std::string_view to_string(error_kind kind) {
    switch (kind) {
        case error_kind::garbage: return "garbage";
        case error_kind::truncated: return "truncated";
        case error_kind::bad_hcs: return "bad_hcs";
        case error_kind::bad_fcs: return "bad_fcs";
        case error_kind::bad_crc: return "bad_crc";
        case error_kind::missing_crc: return "missing_crc";
        case error_kind::too_long: return "too_long";
        case error_kind::segments: return "segments";
        case error_kind::malformed: return "malformed";
        case error_kind::unsupported: return "unsupported";
    }
    return "malformed";
}

}  // namespace hansim::codec
