#pragma once
/// @file
/// Raw bytes appended to a file, or written to standard output; flushed after every chunk
/// so a reader tailing the file sees whole frames. Always "listening". A write that fails (a
/// full disk, an I/O error) is sink_status::failed with failure() saying why: the run stops
/// and that frame counts as lost, never as sent.

#include <cstdio>
#include <filesystem>
#include <string>

#include "hansim/io/byte_sink.hpp"

namespace hansim::io {

class file_sink final : public byte_sink {
public:
    /// Opens `path` for appending (created if missing). Throws port_error naming the path.
    explicit file_sink(std::filesystem::path path);
    ~file_sink() override;

    std::string describe() const override;
    sink_status frame_begin() override;
    sink_status write(codec::byte_view chunk) override;
    void frame_end() override;
    void frame_abort() override;
    std::string failure() const override { return failure_; }
    void close() override;

private:
    std::filesystem::path path_;
    std::FILE* file_ = nullptr;
    std::string failure_;
};

/// Standard output (the CLI's `-` port); per-frame log lines then go to standard error.
class stdout_sink final : public byte_sink {
public:
    std::string describe() const override { return "standard output"; }
    sink_status frame_begin() override { return failure_.empty() ? sink_status::ok : sink_status::failed; }
    sink_status write(codec::byte_view chunk) override;
    void frame_end() override;
    void frame_abort() override;
    std::string failure() const override { return failure_; }
    void close() override;

private:
    std::string failure_;
};

}  // namespace hansim::io
