// Fuzz target for the RFC 2217 server (Telnet COM-PORT-OPTION): the only parser that reads
// bytes from the network (a TCP client of an rfc2217: port). Checks that the replies and the
// state (COM-PORT active, DTR, RTS) do not depend on how the client's bytes are split into
// reads, that a reply is never longer than a bounded multiple of the request, and that escape()
// doubles exactly the 0xFF bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "hansim/io/rfc2217.hpp"

using namespace hansim;

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

struct outcome {
    codec::bytes replies;
    bool com_port, dtr, rts;
    bool operator==(const outcome&) const = default;
};

outcome run(codec::byte_view input, std::size_t chunk) {
    io::rfc2217_session session(io::line_settings{});
    outcome out{};
    for (std::size_t at = 0; at < input.size(); at += chunk) {
        const auto reply = session.receive(input.subspan(at, std::min(chunk, input.size() - at)));
        out.replies.insert(out.replies.end(), reply.begin(), reply.end());
    }
    out.com_port = session.com_port_active();
    out.dtr = session.dtr();
    out.rts = session.rts();
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const codec::byte_view input(data + 1, size - 1);
    const std::size_t chunk = 1 + data[0] % 7;
    const auto whole = run(input, input.size() + 1);
    check(run(input, chunk) == whole);
    check(run(input, 1) == whole);
    // Each request (at least 3 bytes: IAC cmd option) gets at most a short answer; the initial
    // offer is sent by the server on connect, not here.
    check(whole.replies.size() <= 16 * (input.size() + 1));

    const auto escaped = io::rfc2217_session::escape(input);
    check(escaped.size() == input.size() + static_cast<std::size_t>(std::count(input.begin(), input.end(), 0xFF)));
    std::size_t j = 0;
    for (const auto b : input) {
        check(escaped[j++] == b);
        if (b == 0xFF) check(escaped[j++] == 0xFF);
    }
    return 0;
}
