#include <gtest/gtest.h>

#include "hansim/io/rfc2217.hpp"

using hansim::codec::bytes;
using hansim::io::rfc2217_session;

namespace {
constexpr std::uint8_t IAC = 255, WILL = 251, WONT = 252, DO = 253, DONT = 254, SB = 250, SE = 240;
const auto line_2400_8n1 = hansim::io::parse_line_settings("2400:8N1");
}  // namespace

TEST(rfc2217, data_is_escaped_by_doubling_iac) {
    EXPECT_EQ(rfc2217_session::escape(bytes{0x7E, 0xFF, 0x01, 0xFF}), (bytes{0x7E, 0xFF, 0xFF, 0x01, 0xFF, 0xFF}));
    EXPECT_EQ(rfc2217_session::escape(bytes{}), bytes{});
}

TEST(rfc2217, agrees_to_binary_sga_and_com_port_once_and_refuses_the_rest) {
    rfc2217_session session(line_2400_8n1);
    const bytes offers{IAC, WILL, 44, IAC, DO, 44, IAC, WILL, 0, IAC, DO, 3, IAC, DO, 1 /*ECHO*/, IAC, WILL, 24};
    EXPECT_EQ(session.receive(offers),
              (bytes{IAC, DO, 44, IAC, WILL, 44, IAC, DO, 0, IAC, WILL, 3, IAC, WONT, 1, IAC, DONT, 24}));
    EXPECT_TRUE(session.com_port_active());
    // repeated requests are not answered again (no negotiation loop)
    EXPECT_EQ(session.receive(bytes{IAC, WILL, 44, IAC, DO, 3}), bytes{});
    // withdrawing an agreed option is acknowledged
    EXPECT_EQ(session.receive(bytes{IAC, DONT, 3}), (bytes{IAC, WONT, 3}));
}

TEST(rfc2217, port_settings_are_answered_with_the_meters_line) {
    rfc2217_session session(hansim::io::parse_line_settings("2400:8E1"));
    // the client asks for 9600 baud: the answer says 2400 (0x00000960)
    EXPECT_EQ(session.receive(bytes{IAC, SB, 44, 1, 0x00, 0x00, 0x25, 0x80, IAC, SE}),
              (bytes{IAC, SB, 44, 101, 0x00, 0x00, 0x09, 0x60, IAC, SE}));
    EXPECT_EQ(session.receive(bytes{IAC, SB, 44, 2, 8, IAC, SE}), (bytes{IAC, SB, 44, 102, 8, IAC, SE}));
    EXPECT_EQ(session.receive(bytes{IAC, SB, 44, 3, 1, IAC, SE}), (bytes{IAC, SB, 44, 103, 3, IAC, SE}));  // even
    EXPECT_EQ(session.receive(bytes{IAC, SB, 44, 4, 1, IAC, SE}), (bytes{IAC, SB, 44, 104, 1, IAC, SE}));
}

TEST(rfc2217, control_and_purge_are_acknowledged_and_dtr_rts_remembered) {
    rfc2217_session session(line_2400_8n1);
    EXPECT_EQ(session.receive(bytes{IAC, SB, 44, 5, 8, IAC, SE}), (bytes{IAC, SB, 44, 105, 8, IAC, SE}));
    EXPECT_TRUE(session.dtr());
    session.receive(bytes{IAC, SB, 44, 5, 11, IAC, SE});
    EXPECT_TRUE(session.rts());
    session.receive(bytes{IAC, SB, 44, 5, 9, IAC, SE});
    EXPECT_FALSE(session.dtr());
    EXPECT_EQ(session.receive(bytes{IAC, SB, 44, 12, 3, IAC, SE}), (bytes{IAC, SB, 44, 112, 3, IAC, SE}));
}

TEST(rfc2217, input_split_anywhere_and_client_data_are_handled) {
    const bytes input{'h', 'i', IAC, IAC, IAC, WILL, 44, IAC, SB, 44, 2, 0, IAC, SE, 'x', IAC, SB, 44, 12, 1, IAC, SE};
    rfc2217_session whole(line_2400_8n1);
    const auto expected = whole.receive(input);
    EXPECT_EQ(expected, (bytes{IAC, DO, 44, IAC, SB, 44, 102, 8, IAC, SE, IAC, SB, 44, 112, 1, IAC, SE}));
    for (std::size_t split = 0; split <= input.size(); ++split) {
        rfc2217_session parts(line_2400_8n1);
        auto got = parts.receive(hansim::codec::byte_view(input).first(split));
        const auto rest = parts.receive(hansim::codec::byte_view(input).subspan(split));
        got.insert(got.end(), rest.begin(), rest.end());
        EXPECT_EQ(got, expected) << "split at " << split;
    }
}

TEST(rfc2217, a_baud_rate_containing_0xff_is_escaped_in_the_answer) {
    rfc2217_session session(hansim::io::line_settings{0xFF, 8, hansim::io::parity::none, 1});
    EXPECT_EQ(session.receive(bytes{IAC, SB, 44, 1, 0, 0, 0, 0, IAC, SE}),
              (bytes{IAC, SB, 44, 101, 0, 0, 0, 0xFF, 0xFF, IAC, SE}));
}
