#pragma once
// The checks one HDLC frame must pass, shared by decode_frame and the stream decoder
// (internal; not public API).
#include <cstdint>
#include <string>

#include "hansim/codec/error_kind.hpp"
#include "hansim/codec/hdlc/frame.hpp"

namespace hansim::codec::hdlc::detail {

enum class check_status {
    ok,           ///< a valid frame of `wire_size` bytes
    need_more,    ///< the input ends before the frame can be judged
    not_a_frame,  ///< the byte after the flag is not format type A: not a frame start at all
    broken,       ///< a check failed (`message`); see header_verified
};

struct frame_check {
    check_status status = check_status::need_more;
    std::size_t wire_size = 0;  ///< flags included (ok only)
    hdlc_frame frame;           ///< ok only
    std::string message;        ///< not_a_frame / broken
    /// The header passed its HCS, so a failure after that is a damaged frame rather than
    /// noise that happened to contain 0x7E.
    bool header_verified = false;
    /// The byte after the declared length is a flag: the frame is delimited where its
    /// length field says (known once length + 2 bytes are present).
    bool delimited = false;
    /// broken only: bad_hcs, bad_fcs or truncated (does not end where its length says);
    /// garbage for a header that cannot be a frame (addresses, length too short).
    error_kind kind = error_kind::garbage;
    std::size_t length = 0;  ///< the length field (0 until read)
};

/// Judges the bytes at `in`, which start with an opening flag; `stream_offset` is that flag's
/// offset, used in messages. Never reads past `in`.
frame_check check_frame(byte_view in, std::uint64_t stream_offset);

}  // namespace hansim::codec::hdlc::detail
