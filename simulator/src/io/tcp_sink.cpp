#include "hansim/io/tcp_sink.hpp"

#include <algorithm>
#include <array>
#include <deque>

#include <boost/asio/write.hpp>

#include "hansim/io/port_spec.hpp"
#include "hansim/io/rfc2217.hpp"

namespace hansim::io {

using boost::asio::ip::tcp;

struct tcp_sink::client {
    explicit client(tcp::socket s) : socket(std::move(s)) {}
    tcp::socket socket;
    std::deque<std::shared_ptr<const codec::bytes>> queue;
    std::size_t queued_bytes = 0;
    bool writing = false;
    bool gone = false;
    std::array<std::uint8_t, 256> input{};
    std::optional<rfc2217_session> telnet;
};

tcp_sink::tcp_sink(boost::asio::io_context& context, const std::string& host, std::uint16_t port,
                   std::optional<line_settings> rfc2217_line)
    : acceptor_(context), accept_retry_(context), host_(host), rfc2217_line_(rfc2217_line), alive_(std::make_shared<bool>(true)) {
    const auto where = std::string(rfc2217_line ? "rfc2217 " : "tcp ") + host + ":" + std::to_string(port);
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(host, ec);
    if (ec) throw port_error("cannot listen on " + where + ": '" + host + "' is not an IP address");
    const tcp::endpoint endpoint(address, port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
    if (ec) throw port_error("cannot listen on " + where + ": " + ec.message());
    local_port_ = acceptor_.local_endpoint().port();
    accept_next();
}

tcp_sink::~tcp_sink() { close(); }

std::size_t tcp_sink::client_count() const { return joining_.size() + active_.size(); }

bool tcp_sink::control_line_set(control_line which) const {
    for (const auto* clients : {&joining_, &active_})
        for (const auto& who : *clients)
            if (who->telnet && (which == control_line::dtr ? who->telnet->dtr() : who->telnet->rts())) return true;
    return false;
}

std::string tcp_sink::describe() const {
    return (rfc2217_line_ ? "rfc2217 " : "tcp ") + host_ + ":" + std::to_string(local_port_);
}

void tcp_sink::accept_next() {
    acceptor_.async_accept([this, alive = alive_](const boost::system::error_code& ec, tcp::socket socket) {
        if (!*alive || ec == boost::asio::error::operation_aborted) return;
        if (ec) {  // EMFILE and the like: the pending client stays queued; retry later, not at once
            ++failed_accepts_;
            if (accept_backoff_.count() == 0)
                notice(describe() + ": cannot accept a client: " + ec.message() +
                       "; retrying every 0.1 to 1 s (out of file descriptors? see ulimit -n)");
            accept_backoff_ = std::clamp(accept_backoff_ * 2, std::chrono::milliseconds(100), std::chrono::milliseconds(1000));
            accept_retry_.expires_after(accept_backoff_);
            accept_retry_.async_wait([this, alive](const boost::system::error_code& wait_ec) {
                if (*alive && !wait_ec) accept_next();
            });
            return;
        }
        if (accept_backoff_.count() != 0) {
            accept_backoff_ = std::chrono::milliseconds(0);
            notice(describe() + ": accepting clients again");
        }
        {
            boost::system::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            auto who = std::make_shared<client>(std::move(socket));
            if (rfc2217_line_) who->telnet.emplace(*rfc2217_line_);
            joining_.push_back(who);
            drain_input(who);
        }
        accept_next();
    });
}

void tcp_sink::drain_input(const std::shared_ptr<client>& who) {
    who->socket.async_read_some(boost::asio::buffer(who->input),
                                [this, who, alive = alive_](const boost::system::error_code& ec, std::size_t n) {
                                    if (!*alive || who->gone) return;
                                    // End of input may be a half-close (shutdown(SHUT_WR)): the
                                    // client still reads, so keep sending. A client that closed for
                                    // good answers the next data with a reset, which ends the wait.
                                    if (ec == boost::asio::error::eof) return watch_for_reset(who);
                                    if (ec) return drop(who);
                                    if (who->telnet) {
                                        auto reply = who->telnet->receive(codec::byte_view(who->input).first(n));
                                        if (!reply.empty())
                                            enqueue(who, std::make_shared<const codec::bytes>(std::move(reply)));
                                    }
                                    drain_input(who);
                                });
}

void tcp_sink::watch_for_reset(const std::shared_ptr<client>& who) {
    who->socket.async_wait(tcp::socket::wait_error, [this, who, alive = alive_](const boost::system::error_code& ec) {
        if (!*alive || who->gone || ec == boost::asio::error::operation_aborted) return;
        drop(who);
    });
}

void tcp_sink::drop(const std::shared_ptr<client>& who) {
    if (who->gone) return;
    who->gone = true;
    boost::system::error_code ignored;
    who->socket.shutdown(tcp::socket::shutdown_both, ignored);
    who->socket.close(ignored);
    joining_.remove(who);
    active_.remove(who);
}

void tcp_sink::flush(const std::shared_ptr<client>& who) {
    if (who->writing || who->gone || who->queue.empty()) return;
    who->writing = true;
    auto next = who->queue.front();
    boost::asio::async_write(who->socket, boost::asio::buffer(*next),
                             [this, who, next, alive = alive_](const boost::system::error_code& ec, std::size_t) {
                                 if (!*alive || who->gone) return;
                                 who->writing = false;
                                 if (ec) return drop(who);
                                 who->queue.pop_front();
                                 who->queued_bytes -= next->size();
                                 flush(who);
                             });
}

void tcp_sink::enqueue(const std::shared_ptr<client>& who, std::shared_ptr<const codec::bytes> data) {
    if (who->gone) return;
    if (who->queued_bytes + data->size() > max_queued_bytes) return drop(who);
    who->queued_bytes += data->size();
    who->queue.push_back(std::move(data));
    flush(who);
}

sink_status tcp_sink::frame_begin() {
    active_.splice(active_.end(), joining_);
    return active_.empty() ? sink_status::no_listener : sink_status::ok;
}

sink_status tcp_sink::write(codec::byte_view chunk) {
    auto shared = std::make_shared<const codec::bytes>(rfc2217_line_ ? rfc2217_session::escape(chunk)
                                                                       : codec::bytes(chunk.begin(), chunk.end()));
    for (auto it = active_.begin(); it != active_.end();) {
        auto who = *it++;  // drop() erases from active_
        enqueue(who, shared);
    }
    return active_.empty() ? sink_status::no_listener : sink_status::ok;
}

bool tcp_sink::output_pending() {
    for (const auto& who : active_)
        if (!who->queue.empty()) return true;
    return false;
}

void tcp_sink::close() {
    if (!*alive_) return;
    *alive_ = false;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    accept_retry_.cancel();
    for (auto& who : joining_) who->socket.close(ignored);
    for (auto& who : active_) who->socket.close(ignored);
    joining_.clear();
    active_.clear();
}

}  // namespace hansim::io
