#pragma once
/// @file
/// `hansim record`: reads whatever arrives on a port and writes it to a capture file
/// (hansim/capture/capture_file.hpp, simulator/docs/CAPTURE.md), each chunk with its
/// monotonic offset and wall-clock time.
///
/// port_reader is the reading side of a transport: a PTY or serial device opened as a reader
/// (raw mode; a serial port also gets the line settings, a PTY ignores them), or a TCP /
/// RFC 2217 server connected to as a client (Telnet commands stripped).
///
/// recorder writes every line with one write(2) as soon as it is read, so a crash, kill -9 or
/// Ctrl-C loses nothing already read: the file always ends in a complete line. A port that
/// goes away (adapter unplugged, PTY closed, server gone) is recorded as a `closed` event and
/// reopened with backoff (0.25 s doubling to 8 s), recorded as `opened`.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hansim/codec/bytes.hpp"
#include "hansim/io/line_settings.hpp"
#include "hansim/io/port_spec.hpp"
#include "hansim/io/rfc2217.hpp"

namespace hansim::io {

class port_reader {
public:
    /// pty, serial, tcp or rfc2217; other kinds throw port_error (a file is not a port).
    port_reader(port_spec spec, line_settings line);
    ~port_reader();
    port_reader(const port_reader&) = delete;
    port_reader& operator=(const port_reader&) = delete;

    /// "pty /tmp/ttyHAN0 -> /dev/pts/4", "tcp 127.0.0.1:7000".
    std::string describe() const;

    /// Tries once to open/connect; false with `why` (naming the path or address) when it cannot.
    bool open(std::string& why);
    bool is_open() const { return fd_ >= 0; }

    /// Waits up to `timeout` for bytes and appends them to `out`. Returns false, closed, with
    /// `why`, when the port went away (EOF, hang-up, device error).
    bool read(codec::bytes& out, std::chrono::milliseconds timeout, std::string& why);

    void close();

private:
    bool open_tty(std::string& why);
    bool open_tcp(std::string& why);

    port_spec spec_;
    line_settings line_;
    int fd_ = -1;
    std::string opened_as_;  // what the PTY link pointed at when opened
    std::optional<rfc2217_client> telnet_;
};

struct recorder_settings {
    port_spec port;
    line_settings line;  ///< written to the header; applied to serial ports
    std::optional<std::chrono::nanoseconds> duration;  ///< stop after this long (monotonic)
    std::string recorded_by;                            ///< header `recorded-by`
};

struct recorder_stats {
    std::uint64_t chunks = 0;
    std::uint64_t bytes = 0;
    std::uint64_t reopened = 0;
};

class recorder {
public:
    /// Writes to `out_fd` (the capture file, opened for writing; not closed by the recorder).
    recorder(recorder_settings settings, int out_fd);

    /// Called for every chunk after it is written (the `--decode` monitor).
    void on_data(std::function<void(codec::byte_view)> callback) { on_data_ = std::move(callback); }
    /// Called for every event after it is written (opened, closed, ...), with its text.
    void on_event(std::function<void(std::string_view, std::string_view)> callback) { on_event_ = std::move(callback); }

    /// Polled about ten times a second while recording: each text it returns is written as a
    /// `note` event (an annotation, e.g. typed by the engineer); nullopt when there is none.
    void notes_from(std::function<std::optional<std::string>()> next_note) { next_note_ = std::move(next_note); }

    /// Writes the header, opens the port (throws port_error naming it when that fails at
    /// start) and records until `stop_requested()` says so or the duration has passed.
    /// Throws std::runtime_error when the capture file cannot be written (disk full), after
    /// everything before that point was written.
    recorder_stats run(const std::function<bool()>& stop_requested);

private:
    void write_line(const std::string& line);
    void event(std::string_view name, std::string_view text);

    recorder_settings settings_;
    int out_fd_;
    std::chrono::steady_clock::time_point start_mono_{};
    std::function<void(codec::byte_view)> on_data_;
    std::function<void(std::string_view, std::string_view)> on_event_;
    std::function<std::optional<std::string>()> next_note_;
};

}  // namespace hansim::io
