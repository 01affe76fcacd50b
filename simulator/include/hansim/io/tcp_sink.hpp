#pragma once
/// @file
/// A raw TCP server (ser2net style): every connected client receives the same byte stream.
/// Clients come and go at any time; one that connects mid-frame starts with the next whole
/// frame. A client that cannot keep up (more than 64 KiB queued) is disconnected rather than
/// slowing the others. With no client connected a frame is reported as no_listener. A client
/// that half-closes (shutdown(SHUT_WR): it sends nothing more) keeps receiving. TCP cannot
/// tell that from a client that has closed for good until data is sent, so after a client's
/// end of input the next frame still goes to it (and counts as sent when it was the only
/// client); its reset then drops it.
/// Anything a client sends is read and ignored, except, in RFC 2217 mode (`rfc2217:HOST:PORT`,
/// pyserial's `rfc2217://`), Telnet COM-PORT-OPTION negotiation, which is answered
/// (rfc2217.hpp) while the data is Telnet-escaped.
/// A failed accept (the process is out of file descriptors, EMFILE/ENFILE, or memory) is
/// retried after 100 ms, the wait doubling to 1 s while it keeps failing, instead of at once
/// (which spun a core); it is said once through notice() and again once clients are accepted.

#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "hansim/io/byte_sink.hpp"
#include "hansim/io/data_request.hpp"
#include "hansim/io/line_settings.hpp"

namespace hansim::io {

class tcp_sink final : public byte_sink {
public:
    /// Listens on host:port (port 0 picks a free one). With `rfc2217_line` every client is
    /// an RFC 2217 session reporting that line. Throws port_error naming the address when it
    /// cannot listen there.
    tcp_sink(boost::asio::io_context& context, const std::string& host, std::uint16_t port,
             std::optional<line_settings> rfc2217_line = std::nullopt);
    ~tcp_sink() override;

    /// The port actually listened on.
    std::uint16_t local_port() const { return local_port_; }
    /// Clients currently connected (receiving or about to receive at the next frame).
    std::size_t client_count() const;

    enum class control_line { dtr, rts };
    /// RFC 2217 mode: whether any connected client has set DTR (or RTS) on, via SET-CONTROL.
    /// Always false for a raw TCP server.
    bool control_line_set(control_line which) const;

    std::string describe() const override;
    sink_status frame_begin() override;
    sink_status write(codec::byte_view chunk) override;
    bool output_pending() override;
    void close() override;

    static constexpr std::size_t max_queued_bytes = 64 * 1024;
    bool is_rfc2217() const { return rfc2217_line_.has_value(); }
    /// Accepts that failed since the server started (each one retried after a backoff).
    std::uint64_t failed_accepts() const { return failed_accepts_; }

private:
    struct client;
    void accept_next();
    void drain_input(const std::shared_ptr<client>& who);
    void flush(const std::shared_ptr<client>& who);
    void enqueue(const std::shared_ptr<client>& who, std::shared_ptr<const codec::bytes> data);
    void drop(const std::shared_ptr<client>& who);
    void watch_for_reset(const std::shared_ptr<client>& who);

    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer accept_retry_;
    std::chrono::milliseconds accept_backoff_{0};  // 0 while accepts succeed
    std::uint64_t failed_accepts_ = 0;
    std::string host_;
    std::optional<line_settings> rfc2217_line_;
    std::uint16_t local_port_ = 0;
    std::list<std::shared_ptr<client>> joining_;  // connected, waiting for a frame boundary
    std::list<std::shared_ptr<client>> active_;
    std::shared_ptr<bool> alive_;                 // handlers check it after close()
};

/// The data request as an RFC 2217 client's DTR or RTS (asserted while any client has it on).
class telnet_data_request final : public data_request {
public:
    telnet_data_request(const tcp_sink& port, tcp_sink::control_line which) : port_(port), which_(which) {}
    bool asserted() override { return port_.control_line_set(which_); }

private:
    const tcp_sink& port_;
    tcp_sink::control_line which_;
};

}  // namespace hansim::io
