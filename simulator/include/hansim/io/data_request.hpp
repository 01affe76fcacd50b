#pragma once
/// @file
/// The P1 "data request" line (PROTOCOLS.md §7.3): the reader asks for data by asserting it;
/// the meter sends only while it is asserted. Which line carries it depends on the port:
/// a serial adapter reads it from CTS or DSR (serial_sink::modem_line), an RFC 2217 client sets
/// it with DTR or RTS (telnet_data_request in tcp_sink.hpp), a PTY has no modem
/// lines at all, so there it is modelled by a control API (manual_data_request) or by a flag
/// file (file_data_request, the CLI's `--data-request file:PATH`).

#include <atomic>
#include <filesystem>
#include <string_view>

namespace hansim::io {

class data_request {
public:
    virtual ~data_request() = default;
    /// Whether the reader asks for data right now. Cheap; called at frame start and per chunk.
    virtual bool asserted() = 0;
};

/// What to do when the request drops in the middle of a telegram.
enum class request_drop_policy {
    finish,  ///< complete the telegram already started (many meters do)
    abort,   ///< stop at once (DSMR: "releasing it stops transmission immediately")
};

/// Set from code (tests, bindings): the PTY stand-in for a modem line.
class manual_data_request final : public data_request {
public:
    explicit manual_data_request(bool initially = true) : asserted_(initially) {}
    void set(bool asserted) { asserted_ = asserted; }
    bool asserted() override { return asserted_; }

private:
    std::atomic<bool> asserted_;
};

/// Asserted while a file exists (`touch`/`rm` from a shell or a test).
class file_data_request final : public data_request {
public:
    explicit file_data_request(std::filesystem::path flag) : flag_(std::move(flag)) {}
    bool asserted() override;

private:
    std::filesystem::path flag_;
};

}  // namespace hansim::io
