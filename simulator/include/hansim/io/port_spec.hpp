#pragma once
/// @file
/// Port strings as users write them (`--port`, scenario files), and the sink factory.
///   pty:/tmp/ttyHAN0                 a pseudo-terminal behind a stable symlink
///   serial:/dev/ttyUSB0[:2400:8N1]   a real serial port (line settings default to the meter's)
///   tcp:127.0.0.1:7000               a raw TCP server (ser2net style), every client gets the stream
///   rfc2217:127.0.0.1:7000           the same with Telnet COM-PORT-OPTION (pyserial rfc2217://)
///   file:out.bin                     append raw bytes, flushed per frame
///   -                                standard output

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>

#include "hansim/io/byte_sink.hpp"
#include "hansim/io/line_settings.hpp"

namespace hansim::io {

/// A port that cannot be set up as asked (bad spec, path that cannot be created, address
/// in use). A configuration error: the CLI exits with 2. The message names the path/address.
class port_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class port_kind { pty, serial, tcp, rfc2217, file, standard_output };

struct port_spec {
    port_kind kind = port_kind::pty;
    std::string path;                  ///< pty link, serial device, file path
    std::string host;                  ///< tcp, rfc2217
    std::uint16_t tcp_port = 0;        ///< tcp (0: any free port)
    std::optional<line_settings> line; ///< serial, when given in the spec

    /// The spec as a user writes it: parse_port_spec(to_string()) gives the same spec back.
    std::string to_string() const;
};

/// Throws port_error naming the spec and what is wrong with it.
port_spec parse_port_spec(std::string_view text);

/// Opens the port. `meter_line` is the meter's own line (serial ports without line settings
/// in the spec use it). Throws port_error when the port cannot be set up.
std::unique_ptr<byte_sink> make_sink(boost::asio::io_context& context, const port_spec& spec,
                                     const line_settings& meter_line);

}  // namespace hansim::io
