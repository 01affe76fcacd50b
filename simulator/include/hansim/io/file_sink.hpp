#pragma once
/// @file
/// Raw bytes appended to a file, or written to standard output; flushed after every frame
/// so a reader tailing the file sees whole frames. Always "listening".

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
    void close() override;

private:
    std::filesystem::path path_;
    std::FILE* file_ = nullptr;
};

/// Standard output (the CLI's `-` port); per-frame log lines then go to standard error.
class stdout_sink final : public byte_sink {
public:
    std::string describe() const override { return "standard output"; }
    sink_status frame_begin() override { return sink_status::ok; }
    sink_status write(codec::byte_view chunk) override;
    void frame_end() override;
    void frame_abort() override;
    void close() override;
};

}  // namespace hansim::io
