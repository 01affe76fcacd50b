#pragma once
/// @file
/// Incremental HDLC deframer for a byte stream (PROTOCOLS.md §1.4), plus reassembly of
/// segmented frames (§1.6).
///
/// Framing is by the length field (0x7E inside payloads is normal; there is no byte
/// stuffing). At a 0x7E the decoder requires format type A, waits for the header and checks
/// the HCS, then waits for the whole frame and checks the FCS and the closing flag.
/// - A frame whose header verified but whose FCS or closing flag is wrong produces one error
///   event; decoding resumes at the next 0x7E after the bad opening flag.
/// - Bytes that start no verifiable header (no flag, wrong format nibble, bad address, HCS
///   mismatch) are garbage: skipped, and reported as one error event when the garbage ends
///   (a frame or damaged frame follows, or finish()), naming the first failed check.
/// - Bytes skipped while resynchronising after a reported damaged frame are not reported
///   again; the next good frame ends resynchronisation. Extra 0x7E fill flags between frames are ignored,
/// and a single 0x7E may close one frame and open the next (shared-flag mode) - both forms
/// are always accepted.
///
/// Memory: the decoder keeps only unconsumed input; skipped bytes are dropped at once, so
/// with next() drained after each feed() the buffer never holds more than the bytes just fed
/// plus one maximum frame (2049 bytes).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "hansim/codec/bytes.hpp"
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
};

using stream_event = std::variant<need_more, frame_event, error_event>;

class stream_decoder {
public:
    /// Appends bytes to the stream.
    void feed(byte_view data);

    /// The next event. Call until it returns need_more, then feed again.
    stream_event next();

    /// End of stream: reports (once) garbage still pending or a frame cut off by the end of
    /// the input, and clears the buffer. nullopt when nothing was pending.
    std::optional<error_event> finish();

    /// Stream offset of the first byte not yet consumed.
    std::uint64_t position() const noexcept { return consumed_; }
    /// Bytes fed but not yet consumed.
    std::size_t buffered() const noexcept { return buffer_.size() - head_; }

private:
    void drop(std::size_t n);
    void skip_garbage(std::size_t n, bool silent, std::string reason);
    std::optional<error_event> take_garbage_report();

    bytes buffer_;
    std::size_t head_ = 0;           ///< first unconsumed byte of buffer_
    std::uint64_t consumed_ = 0;     ///< stream offset of buffer_[head_]
    std::uint64_t garbage_start_ = 0;
    std::uint64_t garbage_count_ = 0;
    std::string garbage_reason_;     ///< first failed check inside the current garbage run
    bool resyncing_ = false;         ///< skipping after a reported error: don't report again
    bool at_shared_flag_ = false;    ///< buffer_[head_] is the closing flag of the last frame
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
