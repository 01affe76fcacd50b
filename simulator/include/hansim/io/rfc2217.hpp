#pragma once
/// @file
/// The server side of RFC 2217 (Telnet COM-PORT-OPTION, option 44) for one connection,
/// without I/O: feed it what the client sent and send back what it returns; escape() turns
/// serial data into Telnet data (0xFF doubled). Enough for pyserial's `rfc2217://` client
/// and other COM-port redirectors:
/// * agrees to BINARY, SUPPRESS-GO-AHEAD and COM-PORT-OPTION in both directions, refuses
///   everything else (ECHO included), and answers each request once (no negotiation loops);
/// * SET-BAUDRATE / -DATASIZE / -PARITY / -STOPSIZE are answered with the meter's actual line
///   settings, whatever was asked: the simulated line does not change speed, and a client
///   asking for something else learns so (pyserial then reports that the remote does not
///   accept the change);
/// * SET-CONTROL, SET-LINESTATE-MASK, SET-MODEMSTATE-MASK and PURGE-DATA are acknowledged;
///   DTR and RTS as set by the client are remembered (dtr(), rts());
/// * bytes the client sends outside commands are ignored (the meter's port is transmit-only).

#include <cstdint>

#include "hansim/codec/bytes.hpp"
#include "hansim/io/line_settings.hpp"

namespace hansim::io {

class rfc2217_session {
public:
    explicit rfc2217_session(line_settings line) : line_(line) {}

    /// Consumes bytes from the client (any split); returns the replies to send.
    codec::bytes receive(codec::byte_view from_client);

    /// Serial data as Telnet data: every 0xFF doubled.
    static codec::bytes escape(codec::byte_view data);

    /// The client announced COM-PORT-OPTION (WILL 44) and it was accepted.
    bool com_port_active() const { return client_com_port_; }
    bool dtr() const { return dtr_; }
    bool rts() const { return rts_; }

private:
    enum class state { data, iac, option, subnegotiation, subnegotiation_iac };
    void negotiate(std::uint8_t command, std::uint8_t option, codec::bytes& out);
    void subnegotiate(codec::bytes& out);
    void answer(std::uint8_t command, codec::byte_view value, codec::bytes& out) const;

    line_settings line_;
    state state_ = state::data;
    std::uint8_t command_ = 0;
    codec::bytes sub_;  // between IAC SB and IAC SE, unescaped
    // what is agreed: bit n = option n (0 BINARY, 3 SGA); COM-PORT separately
    std::uint32_t we_do_ = 0;    // options enabled on our side (we WILL)
    std::uint32_t they_do_ = 0;  // options enabled on theirs (we said DO)
    bool client_com_port_ = false;
    bool server_com_port_ = false;
    bool dtr_ = false;
    bool rts_ = false;
};

/// The client side, as `hansim record` needs it to read from an RFC 2217 server (ser2net,
/// `hansim run --port rfc2217:`), without I/O: hello() is what to send first (WILL/DO BINARY,
/// WILL COM-PORT-OPTION); receive() strips Telnet commands from what the server sent,
/// appending the serial data (IAC IAC unescaped) to `data`, and returns replies (WONT/DONT
/// for options it does not use). The line settings the server reports are not interpreted.
class rfc2217_client {
public:
    static codec::bytes hello();
    codec::bytes receive(codec::byte_view from_server, codec::bytes& data);

private:
    enum class state { data, iac, option, subnegotiation, subnegotiation_iac };
    state state_ = state::data;
    std::uint8_t command_ = 0;
};

}  // namespace hansim::io
