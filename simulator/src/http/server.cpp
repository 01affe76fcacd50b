// The only translation unit that includes Boost.Beast (it is slow to compile).
#include "hansim/http/server.hpp"

#include <algorithm>
#include <charconv>
#include <deque>
#include <list>
#include <random>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace hansim::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

std::string make_token() {
    std::random_device random;
    std::string token;
    static constexpr char hex[] = "0123456789abcdef";
    for (int i = 0; i < 16; ++i) {
        const auto byte = random() & 0xFF;
        token += hex[byte >> 4];
        token += hex[byte & 0xF];
    }
    return token;
}

namespace {

bool same_token(std::string_view given, std::string_view expected) {
    if (given.size() != expected.size() || expected.empty()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < given.size(); ++i) diff |= static_cast<unsigned char>(given[i] ^ expected[i]);
    return diff == 0;
}

/// The value of `key` in a query string ("a=1&b=2"), undecoded (our values need none).
std::optional<std::string> query_value(std::string_view query, std::string_view key) {
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto part = query.substr(0, amp);
        const auto eq = part.find('=');
        if (part.substr(0, eq) == key) return std::string(eq == std::string_view::npos ? "" : part.substr(eq + 1));
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return std::nullopt;
}

std::optional<std::uint64_t> to_number(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

class event_client;
class connection;

}  // namespace

struct server::impl : std::enable_shared_from_this<impl> {
    impl(asio::io_context& c, live_view& v, server_options o, std::vector<control_action> a)
        : context(c), view(v), options(std::move(o)), actions(std::move(a)), acceptor(c), retry(c) {}

    void accept();
    void broadcast(std::size_t meter, const std::string& event, const std::string& text);
    void shut();

    asio::io_context& context;
    live_view& view;
    server_options options;
    std::vector<control_action> actions;
    tcp::acceptor acceptor;
    asio::steady_timer retry;
    std::size_t connections = 0;
    std::list<std::weak_ptr<connection>> open;
    std::list<std::weak_ptr<event_client>> clients;
    bool closed = false;
};

namespace {

/// One accepted socket counts against max_connections until its last owner is gone.
struct connection_slot {
    explicit connection_slot(std::shared_ptr<server::impl> s) : srv(std::move(s)) { ++srv->connections; }
    ~connection_slot() { --srv->connections; }
    connection_slot(const connection_slot&) = delete;
    connection_slot& operator=(const connection_slot&) = delete;
    std::shared_ptr<server::impl> srv;
};

/// A text/event-stream client: queued records are written in order; what the client sends
/// is read and dropped only to notice when it goes away.
class event_client : public std::enable_shared_from_this<event_client> {
public:
    event_client(std::unique_ptr<connection_slot> slot, tcp::socket socket, std::optional<std::size_t> meter)
        : slot_(std::move(slot)), socket_(std::move(socket)), meter_(meter) {}

    void start(std::string header) {
        push(std::make_shared<const std::string>(std::move(header)));
        read();
    }

    bool wants(std::size_t meter) const { return !meter_ || *meter_ == meter; }

    void push(std::shared_ptr<const std::string> text) {
        if (closed_) return;
        if (queued_bytes_ + text->size() > slot_->srv->options.event_backlog_limit) {
            close();  // it does not read: dropping it keeps memory bounded
            return;
        }
        queued_bytes_ += text->size();
        queue_.push_back(std::move(text));
        if (!writing_) write();
    }

    void close() {
        if (closed_) return;
        closed_ = true;
        boost::system::error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
        queue_.clear();
    }

private:
    void write() {
        writing_ = true;
        asio::async_write(socket_, asio::buffer(*queue_.front()),
                          [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                              self->writing_ = false;
                              if (self->closed_) return;
                              if (ec) return self->close();
                              self->queued_bytes_ -= self->queue_.front()->size();
                              self->queue_.pop_front();
                              if (!self->queue_.empty()) self->write();
                          });
    }

    void read() {
        socket_.async_read_some(asio::buffer(scratch_),
                                [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                                    if (ec || self->closed_) return self->close();
                                    self->read();
                                });
    }

    std::unique_ptr<connection_slot> slot_;
    tcp::socket socket_;
    std::optional<std::size_t> meter_;
    std::deque<std::shared_ptr<const std::string>> queue_;
    std::size_t queued_bytes_ = 0;
    bool writing_ = false;
    bool closed_ = false;
    std::array<char, 256> scratch_{};
};

using response = bhttp::response<bhttp::string_body>;

/// One HTTP/1.1 connection: requests in turn (keep-alive), each read under a deadline.
class connection : public std::enable_shared_from_this<connection> {
public:
    connection(std::unique_ptr<connection_slot> slot, tcp::socket socket)
        : slot_(std::move(slot)), stream_(std::move(socket)) {}

    void start() { read(); }

    void close() {
        boost::system::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.close();
    }

private:
    server::impl& srv() { return *slot_->srv; }

    void read() {
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(srv().options.header_limit));
        parser_->body_limit(srv().options.body_limit);
        stream_.expires_after(srv().options.read_timeout);
        bhttp::async_read(stream_, buffer_, *parser_,
                          [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                              self->on_read(ec);
                          });
    }

    void on_read(const boost::system::error_code& ec) {
        if (ec == bhttp::error::header_limit) return fail(bhttp::status::request_header_fields_too_large, "headers too large");
        if (ec == bhttp::error::body_limit) return fail(bhttp::status::payload_too_large, "body too large");
        if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec) return close();
        handle(parser_->release());
    }

    void fail(bhttp::status status, const std::string& why) {
        response res{status, 11};
        res.set(bhttp::field::content_type, "text/plain; charset=utf-8");
        res.body() = why + "\n";
        res.keep_alive(false);
        send(std::move(res));
    }

    response json_response(const json& body, bhttp::status status = bhttp::status::ok) {
        response res{status, 11};
        res.set(bhttp::field::content_type, "application/json");
        res.set(bhttp::field::cache_control, "no-store");
        res.body() = report::dump(body);
        return res;
    }

    response error_response(bhttp::status status, const std::string& why) {
        return json_response(json{{"error", why}}, status);
    }

    void send(response res) {
        if (res.find(bhttp::field::cache_control) == res.end()) res.set(bhttp::field::cache_control, "no-store");
        res.set(bhttp::field::server, "hansim");
        res.set("X-Content-Type-Options", "nosniff");
        res.prepare_payload();
        auto shared = std::make_shared<response>(std::move(res));
        stream_.expires_after(srv().options.read_timeout);
        bhttp::async_write(stream_, *shared,
                           [self = shared_from_this(), shared](const boost::system::error_code& ec, std::size_t) {
                               if (ec || shared->need_eof()) return self->close();
                               self->read();
                           });
    }

    void handle(bhttp::request<bhttp::string_body> req) {
        const std::string_view target(req.target().data(), req.target().size());
        const auto question = target.find('?');
        const std::string_view path = target.substr(0, question);
        const std::string_view query = question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
        const bool keep = req.keep_alive();
        auto reply = [&](response res) {
            res.keep_alive(keep);
            send(std::move(res));
        };
        const bool get = req.method() == bhttp::verb::get || req.method() == bhttp::verb::head;

        if (path == "/" || path == "/index.html" || path == "/app.js" || path == "/app.css") {
            if (!get) return reply(error_response(bhttp::status::method_not_allowed, "GET only"));
            response res{bhttp::status::ok, 11};
            if (path == "/app.js") {
                res.set(bhttp::field::content_type, "text/javascript; charset=utf-8");
                res.body() = std::string(page_script());
            } else if (path == "/app.css") {
                res.set(bhttp::field::content_type, "text/css; charset=utf-8");
                res.body() = std::string(page_style());
            } else {
                res.set(bhttp::field::content_type, "text/html; charset=utf-8");
                res.body() = page_html();
            }
            if (req.method() == bhttp::verb::head) {
                res.prepare_payload();
                res.body().clear();
            }
            return reply(std::move(res));
        }
        if (path == "/api/info") {
            json actions = json::array();
            for (const auto& a : srv().actions) actions.push_back(json{{"name", a.name}, {"help", a.help}, {"parameters", a.parameters}});
            return reply(json_response(json{{"meters", srv().view.meter_count()},
                                            {"control", srv().options.control},
                                            {"actions", srv().options.control ? actions : json::array()}}));
        }
        if (path == "/api/meters") return reply(json_response(srv().view.meters_json()));
        if (path == "/api/events") {
            if (!get) return reply(error_response(bhttp::status::method_not_allowed, "GET only"));
            std::optional<std::size_t> meter;
            if (const auto text = query_value(query, "meter")) {
                const auto n = to_number(*text);
                if (!n || *n >= srv().view.meter_count()) return reply(error_response(bhttp::status::not_found, "no such meter"));
                meter = static_cast<std::size_t>(*n);
            }
            std::size_t active = 0;
            srv().clients.remove_if([](const auto& w) { return w.expired(); });
            active = srv().clients.size();
            if (active >= srv().options.max_event_clients)
                return reply(error_response(bhttp::status::service_unavailable, "too many event-stream clients"));
            return start_events(meter);
        }
        constexpr std::string_view prefix = "/api/meters/";
        if (path.substr(0, prefix.size()) == prefix) {
            auto rest = path.substr(prefix.size());
            const auto slash = rest.find('/');
            const auto index = to_number(rest.substr(0, slash));
            if (!index || *index >= srv().view.meter_count()) return reply(error_response(bhttp::status::not_found, "no such meter"));
            const auto meter = static_cast<std::size_t>(*index);
            const auto what = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
            if (what.empty()) return reply(json_response(srv().view.meter_json(meter)));
            if (what == "frames") {
                std::optional<std::uint64_t> since;
                if (const auto text = query_value(query, "since")) {
                    since = to_number(*text);
                    if (!since) return reply(error_response(bhttp::status::bad_request, "since: expected a frame sequence number"));
                }
                return reply(json_response(srv().view.frames_json(meter, since)));
            }
            if (what == "control") return reply(control(meter, req, query));
        }
        return reply(error_response(bhttp::status::not_found, "not found"));
    }

    response control(std::size_t meter, const bhttp::request<bhttp::string_body>& req, std::string_view query) {
        if (req.method() != bhttp::verb::post) return error_response(bhttp::status::method_not_allowed, "POST only");
        if (!srv().options.control)
            return error_response(bhttp::status::forbidden, "controls are off (start hansim run with --http-control)");
        std::string given;
        if (const auto header = req.find("X-Hansim-Token"); header != req.end()) given = std::string(header->value());
        else if (const auto text = query_value(query, "token")) given = *text;
        if (!same_token(given, srv().options.token))
            return error_response(bhttp::status::forbidden, "missing or wrong token (hansim printed it at start)");
        const auto body = json::parse(req.body(), nullptr, false);
        if (body.is_discarded() || !body.is_object() || !body.contains("action") || !body["action"].is_string())
            return error_response(bhttp::status::bad_request, "expected a JSON object with \"action\"");
        const auto name = body["action"].get<std::string>();
        const auto action = std::find_if(srv().actions.begin(), srv().actions.end(), [&](const auto& a) { return a.name == name; });
        if (action == srv().actions.end()) {
            std::string known;
            for (const auto& a : srv().actions) known += (known.empty() ? "" : ", ") + a.name;
            return error_response(bhttp::status::bad_request, "unknown action '" + name + "' (known: " + known + ")");
        }
        try {
            const auto done = action->apply(meter, body);
            return json_response(json{{"ok", true}, {"done", done}});
        } catch (const control_error& e) {
            return error_response(static_cast<bhttp::status>(e.status()), e.what());
        } catch (const std::exception& e) {
            return error_response(bhttp::status::bad_request, e.what());
        }
    }

    void start_events(std::optional<std::size_t> meter) {
        stream_.expires_never();
        auto client = std::make_shared<event_client>(std::move(slot_), stream_.release_socket(), meter);
        auto& clients = client_list(client);
        clients.push_back(client);
        client->start("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
                      "Connection: close\r\nServer: hansim\r\n\r\nretry: 2000\n\n");
    }

    std::list<std::weak_ptr<event_client>>& client_list(const std::shared_ptr<event_client>&) { return srv_ref_->clients; }

public:
    void keep_server(std::shared_ptr<server::impl> s) { srv_ref_ = std::move(s); }

private:
    std::unique_ptr<connection_slot> slot_;
    std::shared_ptr<server::impl> srv_ref_;  // stays when the slot moves to an event client
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
};

}  // namespace

void server::impl::accept() {
    if (closed) return;
    acceptor.async_accept([self = shared_from_this()](const boost::system::error_code& ec, tcp::socket socket) {
        if (self->closed || ec == asio::error::operation_aborted) return;
        if (ec) {
            // Out of descriptors and the like: wait instead of spinning on the error.
            self->retry.expires_after(std::chrono::milliseconds(100));
            self->retry.async_wait([self](const boost::system::error_code& e) {
                if (!e) self->accept();
            });
            return;
        }
        if (self->connections >= self->options.max_connections) {
            boost::system::error_code ignored;
            socket.close(ignored);
        } else {
            auto conn = std::make_shared<connection>(std::make_unique<connection_slot>(self), std::move(socket));
            conn->keep_server(self);
            self->open.remove_if([](const auto& w) { return w.expired(); });
            self->open.push_back(conn);
            conn->start();
        }
        self->accept();
    });
}

void server::impl::broadcast(std::size_t meter, const std::string& event, const std::string& text) {
    if (clients.empty()) return;
    auto message = std::make_shared<const std::string>("event: " + event + "\ndata: " + text + "\n\n");
    for (auto it = clients.begin(); it != clients.end();) {
        if (auto client = it->lock()) {
            if (client->wants(meter)) client->push(message);
            ++it;
        } else {
            it = clients.erase(it);
        }
    }
}

void server::impl::shut() {
    if (closed) return;
    closed = true;
    boost::system::error_code ignored;
    acceptor.close(ignored);
    retry.cancel();
    for (auto& w : clients)
        if (auto c = w.lock()) c->close();
    for (auto& w : open)
        if (auto c = w.lock()) c->close();
    clients.clear();
    open.clear();
    view.set_listener(nullptr);
}

server::server(asio::io_context& context, live_view& view, server_options options, std::vector<control_action> actions)
    : impl_(std::make_shared<impl>(context, view, std::move(options), std::move(actions))) {
    const auto& o = impl_->options;
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(o.address, ec);
    if (ec) throw std::runtime_error("--http " + o.address + ": not an IP address");
    const tcp::endpoint endpoint(address, o.port);
    const auto where = o.address + ":" + std::to_string(o.port);
    impl_->acceptor.open(endpoint.protocol(), ec);
    if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) impl_->acceptor.bind(endpoint, ec);
    if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("--http " + where + ": cannot listen: " + ec.message());
    std::weak_ptr<impl> weak = impl_;
    view.set_listener([weak](std::size_t meter, const std::string& event, const std::string& text) {
        if (auto s = weak.lock()) s->broadcast(meter, event, text);
    }, [weak] {
        const auto s = weak.lock();
        return s && !s->clients.empty();
    });
    impl_->accept();
}

server::~server() { close(); }

void server::close() { impl_->shut(); }

std::uint16_t server::port() const {
    boost::system::error_code ec;
    const auto endpoint = impl_->acceptor.local_endpoint(ec);
    return ec ? impl_->options.port : endpoint.port();
}

std::string server::url() const {
    const auto& a = impl_->options.address;
    const bool v6 = a.find(':') != std::string::npos;
    return "http://" + (v6 ? "[" + a + "]" : a) + ":" + std::to_string(port()) + "/";
}

}  // namespace hansim::http
