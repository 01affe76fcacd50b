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


// Flushed per chunk: a full disk or an I/O error shows up on the chunk that hit it (stdio
// would otherwise report success and fail only at a later flush nobody checks).
sink_status file_sink::write(codec::byte_view chunk) {
    if (!failure_.empty()) return sink_status::failed;
    if (file_ == nullptr) return sink_status::unavailable;
    errno = 0;
    if (std::fwrite(chunk.data(), 1, chunk.size(), file_) == chunk.size() && std::fflush(file_) == 0)
        return sink_status::ok;
    const int error = errno != 0 ? errno : EIO;
    failure_ = describe() + ": write failed: " + std::generic_category().message(error);
    std::clearerr(file_);
    return sink_status::failed;
}

sink_status file_sink::frame_begin() {
    if (!failure_.empty()) return sink_status::failed;
    return file_ ? sink_status::ok : sink_status::unavailable;
}

void file_sink::frame_end() {
    if (file_) std::fflush(file_);
}

void file_sink::frame_abort() { frame_end(); }

void file_sink::close() {
    if (file_) std::fclose(file_);
    file_ = nullptr;
}

// Flushed per chunk: a closed pipe shows up on the frame it cuts, not one frame later. A
// reader that went away (EPIPE) is a lost listener; any other error (stdout redirected to a
// full disk) fails the run.
sink_status stdout_sink::write(codec::byte_view chunk) {
    if (!failure_.empty()) return sink_status::failed;
    errno = 0;
    if (std::fwrite(chunk.data(), 1, chunk.size(), stdout) == chunk.size() && std::fflush(stdout) == 0)
        return sink_status::ok;
    const int error = errno != 0 ? errno : EIO;
    std::clearerr(stdout);
    if (error == EPIPE) return sink_status::unavailable;
    failure_ = describe() + ": write failed: " + std::generic_category().message(error);
    return sink_status::failed;
}

void stdout_sink::frame_end() { std::fflush(stdout); }
void stdout_sink::frame_abort() { std::fflush(stdout); }
void stdout_sink::close() { std::fflush(stdout); }

}  // namespace hansim::io
