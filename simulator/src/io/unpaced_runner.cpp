#include "hansim/io/unpaced_runner.hpp"

#include <algorithm>
#include <sstream>
#include <string>
#include <thread>

#include "hansim/meter/live_source.hpp"

namespace hansim::io {

unpaced_runner::unpaced_runner(std::unique_ptr<meter::push_source> source, std::unique_ptr<byte_sink> sink,
                               boost::asio::io_context& context, meter::utc_ms start)
    : source_(std::move(source)), sink_(std::move(sink)), context_(context), now_(start) {}

unpaced_runner::~unpaced_runner() { close(); }

void unpaced_runner::close() {
    if (sink_) sink_->close();
}

std::size_t unpaced_runner::advance_to(meter::utc_ms end,
                                       const std::function<void(const meter::push_frame&)>& on_frame,
                                       std::chrono::milliseconds stall) {
    std::size_t count = 0;
    while (true) {
        if (!pending_) {
            pending_ = source_->next();
            written_ = 0;
            paused_ = 0;
            begun_ = false;
        }
        if (pending_->send_utc() >= end) break;
        write_pending(stall);
        on_frame(*pending_);
        pending_.reset();
        ++count;
    }
    if (end > now_) now_ = end;
    return count;
}

void unpaced_runner::change_live(const std::function<void(meter::push_source&, meter::utc_ms)>& change) {
    meter::live_source* live = source_->live();
    if (pending_ && !begun_ && live && live->can_rewind()) {
        live->rewind();
        pending_.reset();
    }
    change(*source_, now_);
}

void unpaced_runner::write_pending(std::chrono::milliseconds stall) {
    const auto& wire = pending_->wire;
    auto last_progress = std::chrono::steady_clock::now();
    sink_status status = sink_status::ok;
    while (!begun_ || written_ < wire.size()) {
        context_.poll();
        if (!begun_) {
            if (pending_->line && !sink_->next_frame_line(*pending_->line))
                throw unpaced_error(sink_->describe() + ": cannot send the line fault '" + pending_->fault +
                                    "': only a real serial port can change its line for one push");
            status = sink_->frame_begin();
            begun_ = status == sink_status::ok;
        } else {
            // A pause inside the frame (split_pause, char_gaps) is the fault itself: the
            // bytes before it are on the port, then the line stays quiet for its length in
            // real time, as the paced runner keeps it even with --fast (io/pacer.hpp).
            const auto& pauses = pending_->pauses;
            while (paused_ < pauses.size() && pauses[paused_].offset == 0) ++paused_;
            if (paused_ < pauses.size() && pauses[paused_].offset <= written_) {
                const auto until = std::chrono::steady_clock::now() + pauses[paused_].length;
                while (std::chrono::steady_clock::now() < until) {
                    context_.poll();
                    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
                        until - std::chrono::steady_clock::now(), std::chrono::milliseconds(5)));
                }
                ++paused_;
                last_progress = std::chrono::steady_clock::now();
                continue;
            }
            const std::size_t limit = paused_ < pauses.size() ? std::min(pauses[paused_].offset, wire.size()) : wire.size();
            std::size_t taken = 0;
            status = sink_->write_some(codec::byte_view(wire).subspan(written_, limit - written_), taken);
            if (taken > 0) {
                written_ += taken;
                last_progress = std::chrono::steady_clock::now();
            }
        }
        if (status == sink_status::failed) throw unpaced_error(sink_->failure());
        if (status == sink_status::ok) continue;
        if (std::chrono::steady_clock::now() - last_progress > stall) {
            std::ostringstream seconds;
            seconds << std::chrono::duration<double>(stall).count();
            throw unpaced_error(sink_->describe() + ": " + std::string(to_string(status)) + " for " + seconds.str() +
                                " s; " + std::to_string(wire.size() - written_) + " of " + std::to_string(wire.size()) +
                                " bytes of push #" + std::to_string(pending_->sequence) + " (" + pending_->list +
                                ") left; is anything reading the port?");
        }
        // Wait for room rather than sleeping blindly: a PTY whose reader drains it is
        // writable again within microseconds, and a fixed 1 ms nap capped the rate at one
        // PTY buffer per millisecond.
        if (status == sink_status::overrun) sink_->wait_writable(std::chrono::milliseconds(1));
        else std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    sink_->frame_end();
}

}  // namespace hansim::io
