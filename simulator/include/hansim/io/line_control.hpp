#pragma once
/// @file
/// The seam between the serial port and the terminal driver for line faults (PROTOCOLS.md
/// §7.4 line settings; meter::line_condition): set the line (tcsetattr), wait until what was
/// written has left the UART (tcdrain), send a break (tcsendbreak). serial_sink makes these
/// calls around a push that carries a line fault, on its own worker thread (they block); the
/// real implementation goes to termios, a
/// test passes one that records the calls (there is no serial adapter on a CI machine, and a
/// PTY accepts tcsetattr but ignores parity and baud, so only the call sequence is testable).
///
/// Every call returns 0 or an errno value, and never throws.

#include <chrono>

#include "hansim/io/line_settings.hpp"

namespace hansim::io {

class line_control {
public:
    virtual ~line_control() = default;
    /// tcsetattr(fd, TCSANOW, …) with baud, data bits, parity and stop bits of `line`; raw
    /// mode and flow control as the port was opened. EINVAL for a baud rate termios has no
    /// constant for.
    virtual int set_line(int fd, const line_settings& line) = 0;
    /// tcdrain(fd): blocks until the bytes written so far have left.
    virtual int drain(int fd) = 0;
    /// tcsendbreak(fd, ms): a break of `length` (Linux rounds it up to whole 100 ms).
    virtual int send_break(int fd, std::chrono::milliseconds length) = 0;
};

/// The termios implementation (one instance, stateless).
line_control& termios_line_control();

}  // namespace hansim::io
