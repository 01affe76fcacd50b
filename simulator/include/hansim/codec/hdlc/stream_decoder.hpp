#pragma once
/// @file
/// Incremental HDLC deframer for a byte stream (PROTOCOLS.md §1.4), plus reassembly of
/// segmented frames (§1.6).
///
/// Framing is by the length field (0x7E inside payloads is normal; there is no byte
/// stuffing). At a 0x7E the decoder requires format type A, waits for the header, and then for
/// the whole frame as its length field declares it. Every frame that fails gets exactly one
/// error event, at the offset of its opening flag, with a kind:
/// - `bad_fcs`: header verified, a flag where the length says, FCS wrong. The whole frame is
///   consumed (so 0x7E bytes inside it are never taken for frame starts).
/// - `bad_hcs`: a plausible header (type A, addresses, length) whose HCS is wrong but whose
///   length ends on a flag, with no valid frame starting inside it. Consumed whole, too.
/// - `truncated`: header verified but the byte after the declared length is no flag (the frame
///   was cut short, or its length field is wrong), or the stream ended inside it. Decoding
///   resumes at the next 0x7E after its opening flag; bytes skipped doing so belong to this
///   frame and are not reported again (the next frame or delimited damaged frame ends this).
/// - `garbage`: bytes that start no frame at all (no flag, a flag followed by something that
///   is no header, a bad HCS that is not delimited): one event per run of such bytes, when the
///   run ends (at a frame, a damaged frame, or the end of input), naming the first failed check.
/// Extra 0x7E fill flags between frames are ignored, and a single 0x7E may close one frame and
/// open the next (shared-flag mode) - both forms are always accepted. The events, offsets and
/// kinds do not depend on how the input was split across feed() calls.
///
/// Memory: the decoder keeps only unconsumed input; skipped bytes are dropped at once, so
/// with next() drained after each feed() the buffer never holds more than the bytes just fed
/// plus one maximum frame (2049 bytes).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "hansim/codec/bytes.hpp"
#include "hansim/codec/error_kind.hpp"
#include "hansim/codec/hdlc/frame.hpp"
#include "hansim/codec/result.hpp"

namespace hansim::codec::hdlc {

/// No complete frame or error is available; feed more bytes.
struct need_more {
    friend bool operator==(const need_more&, const need_more&) = default;
};

/// A frame that passed every check.
struct frame_event {
    hdlc_frame frame;
    bytes raw;                 ///< the frame as received, both flags included
    std::uint64_t offset = 0;  ///< stream offset of its opening flag
};

/// Something was wrong at `offset` (a stream offset, counting every byte ever fed).
/// Messages read like "HDLC: FCS mismatch (got 0x1234, expected 0x8AA9) in frame at offset 912"
/// or "HDLC: skipped 17 bytes of garbage at offset 0".
struct error_event {
    std::uint64_t offset = 0;
    std::string message;
    error_kind kind = error_kind::garbage;
};

using stream_event = std::variant<need_more, frame_event, error_event>;

class stream_decoder {
public:
    /// Appends bytes to the stream.
    void feed(byte_view data);

    /// The next event. Call until it returns need_more, then feed again.
    stream_event next();

    /// End of stream: judges what is still buffered (a frame cut off by the end of the input
    /// is a `truncated` error, and decoding goes on after its opening flag, so a complete frame
    /// behind it is still found), reports pending garbage, and returns those events in order
    /// (frame_event or error_event, never need_more). The decoder is then empty and may be
    /// fed a new stream; offsets keep counting.
    std::vector<stream_event> finish();

    /// Stream offset of the first byte not yet consumed.
    std::uint64_t position() const noexcept { return consumed_; }
    /// Bytes fed but not yet consumed.
    std::size_t buffered() const noexcept { return buffer_.size() - head_; }

private:
    void drop(std::size_t n);
    void skip_garbage(std::size_t n, bool silent, std::string reason);
    bool valid_frame_inside(byte_view candidate, std::size_t length) const;
    std::optional<error_event> take_garbage_report();

    bytes buffer_;
    std::size_t head_ = 0;           ///< first unconsumed byte of buffer_
    std::uint64_t consumed_ = 0;     ///< stream offset of buffer_[head_]
    std::uint64_t garbage_start_ = 0;
    std::uint64_t garbage_count_ = 0;
    std::string garbage_reason_;     ///< first failed check inside the current garbage run
    bool resyncing_ = false;         ///< skipping after a reported error: don't report again
    bool at_shared_flag_ = false;    ///< buffer_[head_] is the closing flag of the last frame
    bool ended_ = false;             ///< inside finish(): no more input will come
};

/// Joins the information fields of segmented frames (S = 1 … S = 0) into one LLC PDU.
class segment_reassembler {
public:
    /// `max_size` bounds the reassembled PDU (memory and hostile input).
    explicit segment_reassembler(std::size_t max_size = 65536) : max_size_(max_size) {}

    /// Adds one frame. Ok+value: the complete information field (all segments joined) when
    /// this frame has S = 0; ok+nullopt: more segments expected. Errors: the PDU would exceed
    /// max_size, or a segment arrives from different addresses than the first one; the
    /// partial PDU and this frame are dropped. The error offset is the number of bytes
    /// collected so far.
    result<std::optional<bytes>> add(const hdlc_frame& frame);

    /// Bytes held from earlier segments.
    std::size_t pending() const noexcept { return partial_.size(); }
    void reset();

private:
    std::size_t max_size_;
    bytes partial_;
    bool collecting_ = false;
    hdlc_address destination_;
    hdlc_address source_;
};

}  // namespace hansim::codec::hdlc
