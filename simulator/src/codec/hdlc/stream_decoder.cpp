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
    error_event event{garbage_start_,
                      "HDLC: skipped " + std::to_string(garbage_count_) + " bytes of garbage at offset " +
                          std::to_string(garbage_start_),
                      error_kind::garbage};
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

bool stream_decoder::valid_frame_inside(byte_view candidate, std::size_t length) const {
    // A bad-HCS "frame" that would swallow a good one is noise, not a frame.
    for (std::size_t i = 1; i < length + 1; ++i) {
        if (candidate[i] != flag) continue;
        if (detail::check_frame(candidate.subspan(i), 0).status == detail::check_status::ok) return true;
    }
    return false;
}

stream_event stream_decoder::next() {
    for (;;) {
        const byte_view pending = byte_view(buffer_).subspan(head_);
        if (pending.empty()) {
            if (ended_)
                if (auto garbage = take_garbage_report()) return *garbage;
            return need_more{};
        }

        if (pending[0] != flag) {
            const auto run = static_cast<std::size_t>(std::find(pending.begin(), pending.end(), flag) - pending.begin());
            skip_garbage(run, resyncing_, {});
            continue;
        }
        if (pending.size() < 2) {
            if (!ended_) return need_more{};
            at_shared_flag_ = false;  // a last closing or fill flag
            drop(1);
            continue;
        }
        if (pending[1] == flag) {  // fill flag, or the closing flag of the last frame before a new opening flag
            at_shared_flag_ = false;
            drop(1);
            continue;
        }

        auto check = detail::check_frame(pending, consumed_);
        if (check.status == detail::check_status::need_more) {
            if (!ended_) return need_more{};
            // The input ended inside this candidate. A verified header, or a start that is
            // not just more noise, is a frame cut off by the end of the stream.
            const bool noise = check.kind == error_kind::bad_hcs || resyncing_ || at_shared_flag_;
            if (noise && !check.header_verified) {
                skip_garbage(1, resyncing_ || at_shared_flag_, check.message.empty() ? std::string{}
                                                                                   : check.message.substr(6));
                continue;
            }
            if (auto garbage = take_garbage_report()) return *garbage;
            error_event event{consumed_,
                              "HDLC: frame at offset " + std::to_string(consumed_) + " is cut off by the end of the " +
                                  "stream after " + std::to_string(pending.size()) + " bytes",
                              error_kind::truncated};
            if (check.length > 0) event.message += " (length field says " + std::to_string(check.length + 2) + ")";
            resyncing_ = true;
            at_shared_flag_ = false;
            drop(1);
            return event;
        }
        // A frame that would swallow a good one is not delimited where its length says: a
        // cut frame whose declared end happens to land on a flag of the next frame.
        if (check.status == detail::check_status::broken && check.delimited && valid_frame_inside(pending, check.length)) {
            check.delimited = false;
            if (check.header_verified) check.kind = error_kind::truncated;
        }
        const bool damaged_frame =
            check.status == detail::check_status::broken &&
            (check.header_verified || (check.kind == error_kind::bad_hcs && check.delimited));
        if (check.status == detail::check_status::not_a_frame ||
            (check.status == detail::check_status::broken && !damaged_frame)) {
            // A flag that starts no frame is noise; a flag before the noise (the closing flag
            // of the last frame, or a fill flag) is not counted as part of it.
            const bool silent = resyncing_ || at_shared_flag_ || garbage_count_ == 0;
            // Keep the reason only for a header that looked like type 3 but failed a check.
            std::string reason;
            if (check.status == detail::check_status::broken) reason = check.message.substr(check.message.find(' ') + 1);
            skip_garbage(1, silent, std::move(reason));
            continue;
        }
        if (auto garbage = take_garbage_report()) return *garbage;
        if (check.status == detail::check_status::broken) {
            error_event event{consumed_, std::move(check.message), check.kind};
            if (check.delimited) {
                // The frame ends where it says: consume it whole, keep its closing flag.
                resyncing_ = false;
                drop(check.length + 1);
                at_shared_flag_ = true;
            } else {
                resyncing_ = true;  // resynchronise at the next flag after the bad opening flag
                at_shared_flag_ = false;
                drop(1);
            }
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

std::vector<stream_event> stream_decoder::finish() {
    ended_ = true;
    std::vector<stream_event> events;
    for (;;) {
        auto event = next();
        if (std::holds_alternative<need_more>(event)) break;
        events.push_back(std::move(event));
    }
    buffer_.clear();
    head_ = 0;
    ended_ = false;
    resyncing_ = false;
    at_shared_flag_ = false;
    return events;
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
