#include "hansim/codec/hdlc/stream_decoder.hpp"

#include <algorithm>
#include <string>

#include "frame_check.hpp"

namespace hansim::codec::hdlc {

void stream_decoder::feed(byte_view data) {
    if (head_ > 0) {  // compact: consumed bytes are never needed again
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(head_));
        head_ = 0;
    }
    buffer_.insert(buffer_.end(), data.begin(), data.end());
}

void stream_decoder::drop(std::size_t n) {
    head_ += n;
    consumed_ += n;
    if (head_ == buffer_.size()) {
        buffer_.clear();
        head_ = 0;
    }
}

std::optional<error_event> stream_decoder::take_garbage_report() {
    if (garbage_count_ == 0) return std::nullopt;
    error_event event{garbage_start_, "HDLC: skipped " + std::to_string(garbage_count_) +
                                          " bytes of garbage at offset " + std::to_string(garbage_start_)};
    if (!garbage_reason_.empty()) event.message += " (first rejected header: " + garbage_reason_ + ")";
    garbage_count_ = 0;
    garbage_reason_.clear();
    return event;
}

void stream_decoder::skip_garbage(std::size_t n, bool silent, std::string reason) {
    if (!silent && n > 0) {
        if (garbage_count_ == 0) garbage_start_ = consumed_;
        if (garbage_reason_.empty()) garbage_reason_ = std::move(reason);
        garbage_count_ += n;
    }
    at_shared_flag_ = false;
    drop(n);
}

stream_event stream_decoder::next() {
    for (;;) {
        const byte_view pending = byte_view(buffer_).subspan(head_);
        if (pending.empty()) return need_more{};

        if (pending[0] != flag) {
            const auto run = static_cast<std::size_t>(std::find(pending.begin(), pending.end(), flag) - pending.begin());
            skip_garbage(run, resyncing_, {});
            continue;
        }
        if (pending.size() < 2) return need_more{};
        if (pending[1] == flag) {  // fill flag, or the closing flag of the last frame before a new opening flag
            at_shared_flag_ = false;
            drop(1);
            continue;
        }

        auto check = detail::check_frame(pending, consumed_);
        if (check.status == detail::check_status::need_more) return need_more{};
        if (check.status == detail::check_status::not_a_frame ||
            (check.status == detail::check_status::broken && !check.header_verified)) {
            // A flag that starts no verifiable header is noise; the closing flag of the last
            // frame is not counted as part of it.
            const bool silent = resyncing_ || at_shared_flag_;
            // Keep the reason only for a header that looked like type 3 but failed a check.
            std::string reason;
            if (check.status == detail::check_status::broken) reason = check.message.substr(check.message.find(' ') + 1);
            skip_garbage(1, silent, std::move(reason));
            continue;
        }
        if (auto garbage = take_garbage_report()) return *garbage;
        if (check.status == detail::check_status::broken) {
            error_event event{consumed_, std::move(check.message)};
            resyncing_ = true;
            at_shared_flag_ = false;
            drop(1);  // resynchronise at the next flag after the bad opening flag
            return event;
        }
        frame_event event{std::move(check.frame),
                          bytes(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(check.wire_size)),
                          consumed_};
        resyncing_ = false;
        // Keep the closing flag: it may also open the next frame (shared-flag mode).
        drop(check.wire_size - 1);
        at_shared_flag_ = true;
        return event;
    }
}

std::optional<error_event> stream_decoder::finish() {
    std::optional<error_event> report = take_garbage_report();
    byte_view leftover = byte_view(buffer_).subspan(head_);
    std::uint64_t leftover_offset = consumed_;
    if (at_shared_flag_ && !leftover.empty()) {
        leftover = leftover.subspan(1);
        ++leftover_offset;
    }
    const bool only_flags = std::all_of(leftover.begin(), leftover.end(), [](std::uint8_t b) { return b == flag; });
    if (!only_flags && !resyncing_) {
        const std::string tail = std::to_string(leftover.size()) + " undecoded bytes at offset " +
                                 std::to_string(leftover_offset) + " (a frame cut off by the end of the stream)";
        if (report)
            report->message += "; then " + tail;
        else
            report = error_event{leftover_offset, "HDLC: stream ended with " + tail};
    }
    consumed_ += buffer_.size() - head_;
    buffer_.clear();
    head_ = 0;
    resyncing_ = false;
    at_shared_flag_ = false;
    return report;
}

void segment_reassembler::reset() {
    partial_.clear();
    collecting_ = false;
}

result<std::optional<bytes>> segment_reassembler::add(const hdlc_frame& frame) {
    if (collecting_ && (frame.destination != destination_ || frame.source != source_)) {
        const std::size_t held = partial_.size();
        reset();
        return decode_error{held, "HDLC segments: a frame from other addresses arrived after " + std::to_string(held) +
                                      " bytes of a segmented PDU; both dropped"};
    }
    if (partial_.size() + frame.information.size() > max_size_) {
        const std::size_t held = partial_.size();
        reset();
        return decode_error{held, "HDLC segments: reassembled PDU would exceed " + std::to_string(max_size_) +
                                      " bytes; dropped"};
    }
    if (!collecting_) {
        destination_ = frame.destination;
        source_ = frame.source;
    }
    partial_.insert(partial_.end(), frame.information.begin(), frame.information.end());
    if (frame.segmented) {
        collecting_ = true;
        return std::optional<bytes>{};
    }
    bytes complete = std::move(partial_);
    reset();
    return std::optional<bytes>{std::move(complete)};
}

}  // namespace hansim::codec::hdlc
