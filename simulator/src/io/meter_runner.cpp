#include "hansim/io/meter_runner.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "hansim/meter/live_source.hpp"

namespace hansim::io {

mono_time time_mapping::to_mono(meter::utc_ms utc) const {
    const double meter_ms = static_cast<double>((utc - start_utc).count());
    const auto offset = std::chrono::nanoseconds(std::llround(meter_ms * 1e6 / speed));
    return start_mono + offset;
}

meter::utc_ms time_mapping::to_utc(mono_time mono) const {
    const double mono_ns = static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(mono - start_mono).count());
    return start_utc + std::chrono::milliseconds(std::llround(mono_ns * speed / 1e6));
}

std::string_view to_string(frame_outcome outcome) {
    switch (outcome) {
        case frame_outcome::sent: return "sent";
        case frame_outcome::no_listener: return "lost: no listener";
        case frame_outcome::not_requested: return "lost: data request not asserted";
        case frame_outcome::aborted: return "lost: aborted mid-frame";
        case frame_outcome::overrun: return "lost: port buffer full";
        case frame_outcome::port_unavailable: return "lost: port unavailable";
        case frame_outcome::truncated: return "lost: cut short, port buffer full";
    }
    return "?";
}

std::string_view outcome_name(frame_outcome outcome) {
    switch (outcome) {
        case frame_outcome::sent: return "sent";
        case frame_outcome::no_listener: return "no_listener";
        case frame_outcome::not_requested: return "not_requested";
        case frame_outcome::aborted: return "aborted";
        case frame_outcome::overrun: return "overrun";
        case frame_outcome::port_unavailable: return "port_unavailable";
        case frame_outcome::truncated: return "truncated";
    }
    return "?";
}

std::chrono::nanoseconds run_summary::mean_lateness() const {
    return frames_begun == 0 ? std::chrono::nanoseconds(0)
                             : total_lateness / static_cast<std::int64_t>(frames_begun);
}

void run_summary::add(const run_summary& other) {
    frames_sent += other.frames_sent;
    frames_lost += other.frames_lost;
    lost_no_listener += other.lost_no_listener;
    lost_not_requested += other.lost_not_requested;
    lost_aborted += other.lost_aborted;
    lost_overrun += other.lost_overrun;
    lost_port_unavailable += other.lost_port_unavailable;
    lost_truncated += other.lost_truncated;
    bytes_sent += other.bytes_sent;
    max_lateness = std::max(max_lateness, other.max_lateness);
    total_lateness += other.total_lateness;
    frames_begun += other.frames_begun;
    lateness.merge(other.lateness);
}

namespace {

constexpr std::chrono::nanoseconds first_retry = std::chrono::milliseconds(1);
constexpr std::chrono::nanoseconds last_retry = std::chrono::milliseconds(20);

pacer make_pacer(const meter::push_source& source, const run_settings& settings) {
    if (settings.line) return pacer(*settings.line, settings.pacing, settings.granularity);
    return pacer(source.baud_rate(), source.bits_per_character(), settings.pacing, settings.granularity);
}

frame_outcome outcome_of(sink_status status) {
    switch (status) {
        case sink_status::ok: return frame_outcome::sent;
        case sink_status::no_listener: return frame_outcome::no_listener;
        case sink_status::overrun: return frame_outcome::overrun;
        case sink_status::unavailable: return frame_outcome::port_unavailable;
        case sink_status::failed: return frame_outcome::port_unavailable;
    }
    return frame_outcome::port_unavailable;
}

}  // namespace

meter_runner::meter_runner(meter::push_source& source, byte_sink& sink, timer& clock,
                           time_mapping mapping, run_settings settings, data_request* request)
    : source_(source),
      sink_(sink),
      clock_(clock),
      mapping_(mapping),
      settings_(std::move(settings)),
      request_(request),
      pacer_(make_pacer(source, settings_)),
      line_(settings_.line.value_or(line_for(source))) {}

meter_runner::~meter_runner() { clock_.cancel(); }

void meter_runner::start() {
    if (started_once_ || finished_) return;
    started_once_ = true;
    schedule_next();
}

void meter_runner::stop() {
    if (finished_) return;
    clock_.cancel();
    if (in_frame_) {
        sink_.frame_abort();
        end_frame(frame_outcome::aborted, false);
    }
    finish();
}

void meter_runner::change_live(const std::function<void(meter::push_source&, meter::utc_ms)>& change) {
    if (finished_) throw std::invalid_argument("the meter has stopped (its run ended)");
    const meter::utc_ms now = mapping_.to_utc(clock_.now());
    meter::live_source* live = source_.live();
    const bool rebuild = pending_built_ && !in_frame_ && live && live->can_rewind();
    if (rebuild) {
        clock_.cancel();
        live->rewind();
        pending_built_ = false;
    }
    try {
        change(source_, now);
    } catch (...) {
        if (rebuild) schedule_next();
        throw;
    }
    if (rebuild) schedule_next();
}

void meter_runner::schedule_next() {
    if (finished_) return;
    current_ = source_.next();
    pending_built_ = true;
    if (settings_.end_utc && current_.send_utc() >= *settings_.end_utc) {
        finish();
        return;
    }
    scheduled_ = mapping_.to_mono(current_.send_utc());
    const std::size_t size = current_.wire.size();
    std::chrono::nanoseconds before{0};  // a break before the bytes
    if (current_.line && current_.line->what == meter::line_condition::kind::brk) {
        before = current_.line->break_length;
        chunks_ = pacer_.plan(size, current_.pauses);
        frame_time_ = pacer_.wire_time(size);
    } else if (current_.line) {  // paced at the line the push goes out on
        const pacer faulted(line_under(line_, *current_.line), settings_.pacing, settings_.granularity);
        chunks_ = faulted.plan(size, current_.pauses);
        frame_time_ = faulted.wire_time(size);
    } else {
        chunks_ = pacer_.plan(size, current_.pauses);
        frame_time_ = pacer_.wire_time(size);
    }
    for (auto& chunk : chunks_) chunk.due += before;
    if (settings_.pacing != pacing_mode::wire_true) frame_time_ = std::chrono::nanoseconds(0);
    frame_time_ += before + pacer::pause_time(size, current_.pauses);
    clock_.call_at(std::max(scheduled_, line_free_), [this] { begin_frame(); });
}

void meter_runner::begin_frame() {
    pending_built_ = false;
    started_ = clock_.now();
    bytes_written_ = 0;
    next_chunk_ = 0;
    chunk_taken_ = 0;
    held_ = std::chrono::nanoseconds(0);
    stalled_since_.reset();
    in_frame_ = true;
    // The meter transmits whether or not anybody listens: the line is busy either way.
    line_free_ = started_ + frame_time_;
    if (request_ != nullptr && !request_->asserted()) return end_frame(frame_outcome::not_requested);
    if (current_.line && !sink_.next_frame_line(*current_.line))
        return fail(sink_.describe() + ": cannot send the line fault '" + current_.fault + "' (" +
                    meter::to_string(current_.line->what) +
                    "): only a real serial port can change its line for one push");
    const auto status = sink_.frame_begin();
    if (status == sink_status::failed) return fail();
    if (status != sink_status::ok) return end_frame(outcome_of(status));
    if (chunks_.empty()) {
        sink_.frame_end();
        return end_frame(frame_outcome::sent);
    }
    if (chunks_.front().due.count() == 0) return send_chunk();
    clock_.call_at(started_ + chunks_.front().due, [this] { send_chunk(); });
}

void meter_runner::send_chunk() {
    if (request_ != nullptr && settings_.on_request_drop == request_drop_policy::abort &&
        !request_->asserted()) {
        sink_.frame_abort();
        return end_frame(frame_outcome::aborted);
    }
    const auto& chunk = chunks_[next_chunk_];
    const auto rest = codec::byte_view(current_.wire).subspan(chunk.begin + chunk_taken_,
                                                              chunk.end - chunk.begin - chunk_taken_);
    std::size_t taken = 0;
    const auto status = sink_.write_some(rest, taken);
    taken = std::min(taken, rest.size());
    chunk_taken_ += taken;
    bytes_written_ += taken;
    if (status == sink_status::failed) return fail();
    if (status == sink_status::ok) {
        if (stalled_since_) {  // the chunks after this one keep their spacing from now on
            held_ = std::max(held_, std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        clock_.now() - (started_ + chunk.due)));
            stalled_since_.reset();
        }
        chunk_taken_ = 0;
        if (++next_chunk_ == chunks_.size()) {
            sink_.frame_end();
            return end_frame(frame_outcome::sent);
        }
        clock_.call_at(started_ + held_ + chunks_[next_chunk_].due, [this] { send_chunk(); });
        return;
    }
    if (status == sink_status::overrun) {  // back-pressure: keep the rest, try again shortly
        const auto now = clock_.now();
        if (taken > 0 || !stalled_since_) {
            stalled_since_ = now;
            retry_ = first_retry;
        }
        if (now - *stalled_since_ < settings_.stall_limit) {
            const auto wait = std::min(retry_, std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                   *stalled_since_ + settings_.stall_limit - now));
            retry_ = std::min(retry_ * 2, last_retry);
            clock_.call_at(now + wait, [this] { send_chunk(); });
            return;
        }
        held_ = std::max(held_, std::chrono::duration_cast<std::chrono::nanoseconds>(now - (started_ + chunk.due)));
        sink_.frame_abort();
        return end_frame(bytes_written_ == 0 ? frame_outcome::overrun : frame_outcome::truncated);
    }
    sink_.frame_abort();
    return end_frame(outcome_of(status));
}

void meter_runner::end_frame(frame_outcome outcome, bool continue_after) {
    in_frame_ = false;
    line_free_ += held_;  // back-pressure kept the line busy for that much longer
    const auto lateness = std::max(std::chrono::nanoseconds(0),
                                   std::chrono::duration_cast<std::chrono::nanoseconds>(started_ - scheduled_));
    ++summary_.frames_begun;
    summary_.total_lateness += lateness;
    summary_.max_lateness = std::max(summary_.max_lateness, lateness);
    summary_.lateness.add(lateness);
    summary_.bytes_sent += bytes_written_;
    switch (outcome) {
        case frame_outcome::sent: ++summary_.frames_sent; break;
        case frame_outcome::no_listener: ++summary_.lost_no_listener; break;
        case frame_outcome::not_requested: ++summary_.lost_not_requested; break;
        case frame_outcome::aborted: ++summary_.lost_aborted; break;
        case frame_outcome::overrun: ++summary_.lost_overrun; break;
        case frame_outcome::port_unavailable: ++summary_.lost_port_unavailable; break;
        case frame_outcome::truncated: ++summary_.lost_truncated; break;
    }
    if (outcome != frame_outcome::sent) ++summary_.frames_lost;
    if (on_frame_) on_frame_(frame_report{current_, outcome, scheduled_, started_, lateness, bytes_written_});
    if (!continue_after) return;
    // A lost frame ends at its start; building the next push right then would compete with
    // every other meter's frame start (they share x0 slots). The meter's line is busy until
    // line_free_ anyway, so pull the next push then.
    if (outcome != frame_outcome::sent && line_free_ > clock_.now())
        clock_.call_at(line_free_, [this] { schedule_next(); });
    else
        schedule_next();
}

// The frame is lost (never counted as sent), and the meter stops: later frames would fail
// the same way, and a run that loses everything must not look like a success.
void meter_runner::fail(std::string why) {
    failure_ = why.empty() ? sink_.failure() : std::move(why);
    if (failure_.empty()) failure_ = sink_.describe() + ": write failed";
    sink_.frame_abort();
    end_frame(frame_outcome::port_unavailable, false);
    finish();
}

void meter_runner::finish() {
    if (finished_) return;
    finished_ = true;
    clock_.cancel();
    if (on_finished_) on_finished_();
}

}  // namespace hansim::io
