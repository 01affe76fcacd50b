#include "hansim/io/rfc2217.hpp"

namespace hansim::io {

namespace {
namespace telnet {
constexpr std::uint8_t se = 240, sb = 250, will = 251, wont = 252, do_ = 253, dont = 254, iac = 255;
constexpr std::uint8_t binary = 0, sga = 3, com_port = 44;
}  // namespace telnet
namespace cpo {  // COM-PORT-OPTION commands (client -> server; the server answers +100)
constexpr std::uint8_t set_baudrate = 1, set_datasize = 2, set_parity = 3, set_stopsize = 4, set_control = 5,
                       set_linestate_mask = 10, set_modemstate_mask = 11, purge_data = 12;
constexpr std::uint8_t server_offset = 100;
}  // namespace cpo

bool supported(std::uint8_t option) { return option == telnet::binary || option == telnet::sga; }
}  // namespace

codec::bytes rfc2217_session::escape(codec::byte_view data) {
    codec::bytes out;
    out.reserve(data.size() + 8);
    for (const auto b : data) {
        out.push_back(b);
        if (b == telnet::iac) out.push_back(telnet::iac);
    }
    return out;
}

codec::bytes rfc2217_session::receive(codec::byte_view from_client) {
    codec::bytes out;
    for (const auto b : from_client) {
        switch (state_) {
            case state::data:
                if (b == telnet::iac) state_ = state::iac;
                break;  // data from the client is ignored
            case state::iac:
                if (b == telnet::will || b == telnet::wont || b == telnet::do_ || b == telnet::dont) {
                    command_ = b;
                    state_ = state::option;
                } else if (b == telnet::sb) {
                    sub_.clear();
                    state_ = state::subnegotiation;
                } else {
                    state_ = state::data;  // IAC IAC (a data 0xFF) or a one-byte command
                }
                break;
            case state::option:
                negotiate(command_, b, out);
                state_ = state::data;
                break;
            case state::subnegotiation:
                if (b == telnet::iac) state_ = state::subnegotiation_iac;
                else if (sub_.size() < 64) sub_.push_back(b);
                break;
            case state::subnegotiation_iac:
                if (b == telnet::se) {
                    subnegotiate(out);
                    state_ = state::data;
                } else {
                    if (sub_.size() < 64) sub_.push_back(b);  // IAC IAC inside: one 0xFF
                    state_ = state::subnegotiation;
                }
                break;
        }
    }
    return out;
}

void rfc2217_session::negotiate(std::uint8_t command, std::uint8_t option, codec::bytes& out) {
    auto send = [&out](std::uint8_t verb, std::uint8_t opt) { out.insert(out.end(), {telnet::iac, verb, opt}); };
    const std::uint32_t bit = option < 32 ? (1u << option) : 0;
    switch (command) {
        case telnet::will:  // the client offers to use the option: say DO once
            if (option == telnet::com_port) {
                if (!client_com_port_) send(telnet::do_, option);
                client_com_port_ = true;
            } else if (supported(option)) {
                if (!(they_do_ & bit)) send(telnet::do_, option);
                they_do_ |= bit;
            } else {
                send(telnet::dont, option);
            }
            break;
        case telnet::do_:  // the client asks us to use the option: say WILL once
            if (option == telnet::com_port) {
                if (!server_com_port_) send(telnet::will, option);
                server_com_port_ = true;
            } else if (supported(option)) {
                if (!(we_do_ & bit)) send(telnet::will, option);
                we_do_ |= bit;
            } else {
                send(telnet::wont, option);
            }
            break;
        case telnet::wont:
            if (option == telnet::com_port) client_com_port_ = false;
            else if (they_do_ & bit) {
                they_do_ &= ~bit;
                send(telnet::dont, option);
            }
            break;
        case telnet::dont:
            if (option == telnet::com_port) server_com_port_ = false;
            else if (we_do_ & bit) {
                we_do_ &= ~bit;
                send(telnet::wont, option);
            }
            break;
        default: break;
    }
}

void rfc2217_session::answer(std::uint8_t command, codec::byte_view value, codec::bytes& out) const {
    out.insert(out.end(), {telnet::iac, telnet::sb, telnet::com_port, static_cast<std::uint8_t>(command + cpo::server_offset)});
    const auto escaped = escape(value);
    out.insert(out.end(), escaped.begin(), escaped.end());
    out.insert(out.end(), {telnet::iac, telnet::se});
}

void rfc2217_session::subnegotiate(codec::bytes& out) {
    if (sub_.size() < 2 || sub_[0] != telnet::com_port) return;
    const std::uint8_t command = sub_[1];
    const codec::byte_view value = codec::byte_view(sub_).subspan(2);
    switch (command) {
        case cpo::set_baudrate: {
            const std::uint32_t baud = line_.baud;
            const std::uint8_t be[4] = {static_cast<std::uint8_t>(baud >> 24), static_cast<std::uint8_t>(baud >> 16),
                                        static_cast<std::uint8_t>(baud >> 8), static_cast<std::uint8_t>(baud)};
            answer(command, be, out);
            break;
        }
        case cpo::set_datasize: {
            const std::uint8_t bits = static_cast<std::uint8_t>(line_.data_bits);
            answer(command, codec::byte_view(&bits, 1), out);
            break;
        }
        case cpo::set_parity: {  // 1 none, 2 odd, 3 even
            const std::uint8_t p = line_.parity == parity::none ? 1 : line_.parity == parity::odd ? 2 : 3;
            answer(command, codec::byte_view(&p, 1), out);
            break;
        }
        case cpo::set_stopsize: {  // 1 one, 2 two
            const std::uint8_t s = static_cast<std::uint8_t>(line_.stop_bits);
            answer(command, codec::byte_view(&s, 1), out);
            break;
        }
        case cpo::set_control:
            if (!value.empty()) {
                if (value[0] == 8) dtr_ = true;
                if (value[0] == 9) dtr_ = false;
                if (value[0] == 11) rts_ = true;
                if (value[0] == 12) rts_ = false;
            }
            answer(command, value, out);
            break;
        case cpo::set_linestate_mask:
        case cpo::set_modemstate_mask:
        case cpo::purge_data:
            answer(command, value, out);
            break;
        default: break;  // notifications and flow control from the client: nothing to answer
    }
}

codec::bytes rfc2217_client::hello() {
    return {telnet::iac, telnet::will, telnet::binary, telnet::iac, telnet::do_,   telnet::binary,
            telnet::iac, telnet::do_,  telnet::sga,    telnet::iac, telnet::will, telnet::com_port};
}

codec::bytes rfc2217_client::receive(codec::byte_view from_server, codec::bytes& data) {
    codec::bytes out;
    for (const auto b : from_server) {
        switch (state_) {
            case state::data:
                if (b == telnet::iac) state_ = state::iac;
                else data.push_back(b);
                break;
            case state::iac:
                if (b == telnet::iac) {
                    data.push_back(b);
                    state_ = state::data;
                } else if (b == telnet::will || b == telnet::wont || b == telnet::do_ || b == telnet::dont) {
                    command_ = b;
                    state_ = state::option;
                } else {
                    state_ = b == telnet::sb ? state::subnegotiation : state::data;
                }
                break;
            case state::option: {
                const bool ours = b == telnet::binary || b == telnet::sga || b == telnet::com_port;
                if (!ours && command_ == telnet::do_) out.insert(out.end(), {telnet::iac, telnet::wont, b});
                if (!ours && command_ == telnet::will) out.insert(out.end(), {telnet::iac, telnet::dont, b});
                state_ = state::data;
                break;
            }
            case state::subnegotiation:
                if (b == telnet::iac) state_ = state::subnegotiation_iac;
                break;
            case state::subnegotiation_iac:
                state_ = b == telnet::se ? state::data : state::subnegotiation;
                break;
        }
    }
    return out;
}

}  // namespace hansim::io
