#include "hansim/io/byte_sink.hpp"

#include <cstdio>
#include <thread>

namespace hansim::io {

void byte_sink::notice(const std::string& text) const {
    if (notice_) return notice_(text);
    std::fprintf(stderr, "hansim: %s\n", text.c_str());
}

std::string_view to_string(sink_status status) {
    switch (status) {
        case sink_status::ok: return "ok";
        case sink_status::no_listener: return "no listener";
        case sink_status::overrun: return "overrun";
        case sink_status::unavailable: return "port unavailable";
        case sink_status::failed: return "write failed";
    }
    return "?";
}

void byte_sink::wait_writable(std::chrono::milliseconds timeout) { std::this_thread::sleep_for(timeout); }

}  // namespace hansim::io
