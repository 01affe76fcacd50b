#include "hansim/io/file_sink.hpp"

#include <cerrno>
#include <system_error>

#include "hansim/io/port_spec.hpp"

namespace hansim::io {

file_sink::file_sink(std::filesystem::path path) : path_(std::move(path)) {
    file_ = std::fopen(path_.c_str(), "ab");
    if (file_ == nullptr)
        throw port_error("cannot open output file " + path_.string() + ": " +
                         std::generic_category().message(errno));
}

file_sink::~file_sink() { close(); }

std::string file_sink::describe() const { return "file " + path_.string(); }

sink_status file_sink::frame_begin() { return file_ ? sink_status::ok : sink_status::unavailable; }

sink_status file_sink::write(codec::byte_view chunk) {
    if (file_ == nullptr) return sink_status::unavailable;
    return std::fwrite(chunk.data(), 1, chunk.size(), file_) == chunk.size() ? sink_status::ok
                                                                              : sink_status::unavailable;
}

void file_sink::frame_end() {
    if (file_) std::fflush(file_);
}

void file_sink::frame_abort() { frame_end(); }

void file_sink::close() {
    if (file_) std::fclose(file_);
    file_ = nullptr;
}

// Flushed per chunk: a closed pipe shows up on the frame it cuts, not one frame later.
sink_status stdout_sink::write(codec::byte_view chunk) {
    const bool written = std::fwrite(chunk.data(), 1, chunk.size(), stdout) == chunk.size();
    return written && std::fflush(stdout) == 0 ? sink_status::ok : sink_status::unavailable;
}

void stdout_sink::frame_end() { std::fflush(stdout); }
void stdout_sink::frame_abort() { std::fflush(stdout); }
void stdout_sink::close() { std::fflush(stdout); }

}  // namespace hansim::io
