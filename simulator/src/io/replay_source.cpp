#include "hansim/io/replay_source.hpp"

#include <algorithm>
#include <stdexcept>

#include "hansim/io/pacer.hpp"

namespace hansim::io {

chosen_line replay_line(const capture::capture& recording, const std::optional<std::string>& override_text) {
    if (override_text) {
        try {
            return {parse_line_settings(*override_text), "--line"};
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(std::string("line: ") + e.what());
        }
    }
    if (!recording.head.line.empty()) {
        try {
            return {parse_line_settings(recording.head.line), "recorded"};
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(std::to_string(recording.head.line_at) + ": line: " + e.what());
        }
    }
    for (const auto& r : recording.records)
        if (r.kind == capture::record_kind::data && !r.bytes.empty())
            return r.bytes.front() == '/' ? chosen_line{{115200, 8, parity::none, 1}, "assumed for P1, give --line"}
                                          : chosen_line{{2400, 8, parity::none, 1}, "assumed for HAN, give --line"};
    return {{2400, 8, parity::none, 1}, "assumed"};
}

replay_source::replay_source(const capture::capture& recording, replay_options options)
    : options_(std::move(options)) {
    const pacer line(options_.line);
    std::chrono::nanoseconds last_arrival{0}, last_record{0};
    bool open = false;
    for (const auto& r : recording.records) {
        last_record = r.offset;
        if (r.kind != capture::record_kind::data || r.bytes.empty()) continue;
        const auto wire = line.wire_time(r.bytes.size());
        if (open && r.offset - last_arrival <= wire + options_.burst_gap) {
            auto& current = bursts_.back();
            current.bytes.insert(current.bytes.end(), r.bytes.begin(), r.bytes.end());
        } else {
            auto at = r.offset - wire;
            if (!bursts_.empty())  // the line is busy until the previous burst is out
                at = std::max(at, bursts_.back().at + line.wire_time(bursts_.back().bytes.size()));
            bursts_.push_back({at, r.bytes});
            open = true;
        }
        last_arrival = r.offset;
    }
    // A burst may have begun before the recording did (its first byte was already on the
    // wire): shift everything so the first one starts no earlier than offset 0.
    const auto shift = bursts_.empty() ? std::chrono::nanoseconds(0) : std::max(std::chrono::nanoseconds(0), -bursts_.front().at);
    for (auto& b : bursts_) b.at += shift;
    const auto lead_in = bursts_.empty() ? std::chrono::nanoseconds(0) : bursts_.front().at;
    period_ = std::max(last_record + shift, bursts_.empty() ? std::chrono::nanoseconds(0)
                                                            : bursts_.back().at + line.wire_time(bursts_.back().bytes.size())) +
              lead_in;
    if (period_ <= std::chrono::nanoseconds(0)) period_ = std::chrono::milliseconds(1);
    const auto start = recording.head.start.value_or(capture::wall_time{});
    start_utc_ = std::chrono::floor<std::chrono::milliseconds>(start) -
                 std::chrono::ceil<std::chrono::milliseconds>(shift);
}

std::size_t replay_source::byte_count() const {
    std::size_t total = 0;
    for (const auto& b : bursts_) total += b.bytes.size();
    return total;
}

meter::utc_ms replay_source::end_utc() const {
    const auto last = bursts_.empty() ? std::chrono::nanoseconds(0) : bursts_.back().at;
    return start_utc_ + std::chrono::floor<std::chrono::milliseconds>(last) + std::chrono::milliseconds(1);
}

meter::push_frame replay_source::next() {
    meter::push_frame frame;
    frame.meter = options_.name;
    frame.list = "replay";
    if (next_ == bursts_.size() && options_.loop && !bursts_.empty()) {
        next_ = 0;
        ++pass_;
    }
    if (next_ == bursts_.size()) {
        frame.trigger_utc = end_utc() + std::chrono::hours(24 * 365);
        frame.sequence = sequence_;
        return frame;
    }
    const auto& b = bursts_[next_++];
    const auto at = b.at + period_ * static_cast<std::int64_t>(pass_);
    frame.trigger_utc = start_utc_ + std::chrono::floor<std::chrono::milliseconds>(at);
    frame.start_offset = std::chrono::milliseconds(0);
    frame.sequence = sequence_++;
    frame.wire = b.bytes;
    return frame;
}

}  // namespace hansim::io
