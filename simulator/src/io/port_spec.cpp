#include "hansim/io/port_spec.hpp"

#include <charconv>

#include "hansim/io/file_sink.hpp"
#include "hansim/io/pty_sink.hpp"
#include "hansim/io/serial_sink.hpp"
#include "hansim/io/tcp_sink.hpp"

namespace hansim::io {

namespace {

constexpr std::string_view spec_forms =
    "expected pty:PATH, serial:DEVICE[:BAUD:8N1], tcp:HOST:PORT, rfc2217:HOST:PORT, file:PATH or -";

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

port_error bad_spec(std::string_view text, const std::string& why) {
    return port_error("port '" + std::string(text) + "': " + why);
}

}  // namespace

std::string port_spec::to_string() const {
    switch (kind) {
        case port_kind::pty: return "pty:" + path;
        case port_kind::serial: return "serial:" + path + (line ? ":" + line->spec() : "");
        case port_kind::tcp: return "tcp:" + host + ":" + std::to_string(tcp_port);
        case port_kind::rfc2217: return "rfc2217:" + host + ":" + std::to_string(tcp_port);
        case port_kind::file: return "file:" + path;
        case port_kind::standard_output: return "-";
    }
    return "?";
}

port_spec parse_port_spec(std::string_view text) {
    port_spec spec;
    if (text == "-") {
        spec.kind = port_kind::standard_output;
        return spec;
    }
    if (starts_with(text, "pty:") || starts_with(text, "file:")) {
        spec.kind = starts_with(text, "pty:") ? port_kind::pty : port_kind::file;
        spec.path = std::string(text.substr(text.find(':') + 1));
        if (spec.path.empty()) throw bad_spec(text, "the path is empty");
        return spec;
    }
    if (starts_with(text, "serial:")) {
        spec.kind = port_kind::serial;
        auto rest = text.substr(7);
        // serial:DEVICE or serial:DEVICE:BAUD:DPS (the device path has no colon)
        const auto colon = rest.find(':');
        spec.path = std::string(rest.substr(0, colon));
        if (spec.path.empty()) throw bad_spec(text, "the device is empty");
        if (colon != std::string_view::npos) {
            try {
                spec.line = parse_line_settings(rest.substr(colon + 1));
            } catch (const std::invalid_argument& e) {
                throw bad_spec(text, e.what());
            }
        }
        return spec;
    }
    if (starts_with(text, "tcp:") || starts_with(text, "rfc2217:")) {
        spec.kind = starts_with(text, "tcp:") ? port_kind::tcp : port_kind::rfc2217;
        const auto rest = text.substr(text.find(':') + 1);
        const auto colon = rest.rfind(':');
        if (colon == std::string_view::npos) throw bad_spec(text, "expected tcp:HOST:PORT or rfc2217:HOST:PORT");
        auto host = rest.substr(0, colon);
        if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
        spec.host = std::string(host.empty() ? "0.0.0.0" : host);
        const auto number = rest.substr(colon + 1);
        unsigned value = 0;
        const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
        if (ec != std::errc{} || end != number.data() + number.size() || value > 65535)
            throw bad_spec(text, "TCP port '" + std::string(number) + "' is not a number 0..65535");
        spec.tcp_port = static_cast<std::uint16_t>(value);
        return spec;
    }
    throw bad_spec(text, std::string(spec_forms));
}

std::unique_ptr<byte_sink> make_sink(boost::asio::io_context& context, const port_spec& spec,
                                     const line_settings& meter_line) {
    switch (spec.kind) {
        case port_kind::pty: return std::make_unique<pty_sink>(context, spec.path);
        case port_kind::serial: return std::make_unique<serial_sink>(context, spec.path, spec.line.value_or(meter_line));
        case port_kind::tcp: return std::make_unique<tcp_sink>(context, spec.host, spec.tcp_port);
        case port_kind::rfc2217: return std::make_unique<tcp_sink>(context, spec.host, spec.tcp_port, meter_line);
        case port_kind::file: return std::make_unique<file_sink>(spec.path);
        case port_kind::standard_output: return std::make_unique<stdout_sink>();
    }
    throw port_error("port '" + spec.to_string() + "': unknown kind");
}

}  // namespace hansim::io
