#include "progress.hpp"

#include <unistd.h>

#include <algorithm>

#include "hansim/scenario/meter_settings.hpp"

namespace hansim::app {

namespace {
std::string clock_text(double seconds) {
    const auto total = static_cast<long long>(seconds + 0.5);
    char text[32];
    if (total >= 3600)
        std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", total / 3600, total / 60 % 60, total % 60);
    else
        std::snprintf(text, sizeof text, "%lld:%02lld", total / 60, total % 60);
    return text;
}
}  // namespace

void progress_state::count(const meter::push_frame& frame, bool sent, meter::utc_ms start,
                           std::optional<meter::utc_ms> end) {
    if (!simulated || frame.send_utc() > *simulated) simulated = frame.send_utc();
    frames += sent ? 1 : 0;
    faults += frame.fault.empty() ? 0 : 1;
    if (end && *end > start)
        done = std::min(1.0, static_cast<double>((*simulated - start).count()) / static_cast<double>((*end - start).count()));
}

progress::progress(std::string label, bool quiet)
    : label_(std::move(label)),
      enabled_(!quiet && ::isatty(STDOUT_FILENO) == 1 && ::isatty(STDERR_FILENO) == 1),
      started_(std::chrono::steady_clock::now()) {}

progress::~progress() { clear(); }

void progress::update(const progress_state& state) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (drawn_ && now - last_draw_ < std::chrono::milliseconds(250)) return;
    draw(state, false);
}

void progress::draw(const progress_state& state, bool final) {
    const auto now = std::chrono::steady_clock::now();
    last_draw_ = now;
    const double elapsed = std::chrono::duration<double>(now - started_).count();
    // Mid-run, a rate and an estimate over the first 50 ms would be noise; the final line's
    // figures are exact however short the work was (a fast machine writes 2 days in less).
    const bool timed = final ? elapsed > 0.0 : elapsed > 0.05;
    std::string line = "\r\033[K" + label_ + ":";
    if (state.simulated) line += " " + scenario::format_utc_time(*state.simulated);
    line += ", " + std::to_string(state.frames) + " frames";
    line += ", " + std::to_string(state.faults) + " faults";
    char text[64];
    if (timed) {
        std::snprintf(text, sizeof text, ", %.1f frames/s", static_cast<double>(state.frames) / elapsed);
        line += text;
    }
    if (state.done) {
        std::snprintf(text, sizeof text, ", %.0f %%", *state.done * 100.0);
        line += text;
        if (*state.done > 0.001 && timed)
            line += ", " + clock_text(elapsed * (1.0 - *state.done) / *state.done) + " left";
    }
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
    drawn_ = true;
}

void progress::clear() {
    if (!enabled_ || !drawn_) return;
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
    drawn_ = false;
}

void progress::finish(const progress_state& state) {
    if (!enabled_) return;
    draw(state, true);
    std::fputc('\n', stderr);
    std::fflush(stderr);
    drawn_ = false;
}

}  // namespace hansim::app
