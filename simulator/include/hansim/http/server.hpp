#pragma once
/// @file
/// The live view's HTTP server (Boost.Beast) on the session's io_context: the page, a JSON
/// API and a Server-Sent-Events stream of every frame record, plus token-guarded controls.
///   GET  /                         the page (simulator/web/, embedded)
///   GET  /api/info                 meters, whether controls are on, the control actions
///   GET  /api/meters               every meter's summary (info, counts, last frame)
///   GET  /api/meters/N             one meter with its recent frames and marks
///   GET  /api/meters/N/frames?since=S   recent frames with sequence > S
///   GET  /api/events[?meter=N]     text/event-stream: "frame" and "mark" events
///   POST /api/meters/N/control     {"action": ..., ...}: only with controls on, and only with
///                                  the token (header X-Hansim-Token or ?token=); else 403
/// Everything runs on the one thread of the io_context, so the server never races the meters;
/// it must never hold that thread either: reads have deadlines, header and body sizes are
/// capped, connections and event-stream clients are capped, and a client that does not read
/// its event stream is dropped once its backlog passes a bound.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "hansim/http/live_view.hpp"

namespace hansim::http {

/// A control the page and the API offer ("data_request", "load", ...). The handler runs on
/// the io_context's thread, gets the meter index and the request's JSON, and returns what
/// it did (for people, also marked on the meter's time axis); it throws control_error for a
/// request it refuses.
struct control_action {
    std::string name;
    std::string help;              ///< what it does and its parameters
    json parameters;               ///< {"asserted": "boolean"} etc., for the page
    std::function<std::string(std::size_t meter, const json& request)> apply;
};

class control_error : public std::runtime_error {
public:
    control_error(int status, const std::string& what) : std::runtime_error(what), status_(status) {}
    int status() const { return status_; }

private:
    int status_;
};

struct server_options {
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;                 ///< 0: any free port (see server::port())
    bool control = false;                   ///< controls on (they still need the token)
    std::string token;                      ///< required on every control request
    std::size_t max_connections = 256;
    std::size_t max_event_clients = 64;
    std::size_t header_limit = 8 * 1024;
    std::size_t body_limit = 16 * 1024;
    std::chrono::milliseconds read_timeout{10000};  ///< a request's header and body must arrive in this
    std::size_t event_backlog_limit = 4 * 1024 * 1024;  ///< bytes queued for one event client
};

/// 32 hex digits from the system's random source.
std::string make_token();

class server {
public:
    /// Binds and listens at once (throws std::runtime_error naming the address on failure).
    server(boost::asio::io_context& context, live_view& view, server_options options,
           std::vector<control_action> actions = {});
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    std::uint16_t port() const;
    std::string url() const;  ///< http://ADDR:PORT/
    /// Closes the listener and every connection (also at destruction).
    void close();

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace hansim::http
