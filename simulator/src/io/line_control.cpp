#include "hansim/io/line_control.hpp"

#include <termios.h>

#include <cerrno>

namespace hansim::io {
namespace {

speed_t speed_constant(unsigned baud) {
    switch (baud) {
        case 300: return B300;
        case 600: return B600;
        case 1200: return B1200;
        case 1800: return B1800;
        case 2400: return B2400;
        case 4800: return B4800;
        case 9600: return B9600;
        case 19200: return B19200;
        case 38400: return B38400;
        case 57600: return B57600;
        case 115200: return B115200;
        case 230400: return B230400;
#ifdef B460800
        case 460800: return B460800;
        case 500000: return B500000;
        case 576000: return B576000;
        case 921600: return B921600;
        case 1000000: return B1000000;
#endif
        default: return B0;
    }
}

class termios_control final : public line_control {
public:
    int set_line(int fd, const line_settings& line) override {
        termios t{};
        if (::tcgetattr(fd, &t) != 0) return errno;
        const speed_t speed = speed_constant(line.baud);
        if (speed == B0) return EINVAL;
        if (::cfsetispeed(&t, speed) != 0 || ::cfsetospeed(&t, speed) != 0) return errno;
        t.c_cflag &= ~static_cast<tcflag_t>(CSIZE | PARENB | PARODD | CSTOPB);
        switch (line.data_bits) {
            case 5: t.c_cflag |= CS5; break;
            case 6: t.c_cflag |= CS6; break;
            case 7: t.c_cflag |= CS7; break;
            default: t.c_cflag |= CS8; break;
        }
        if (line.parity != parity::none) t.c_cflag |= PARENB;
        if (line.parity == parity::odd) t.c_cflag |= PARODD;
        if (line.stop_bits == 2) t.c_cflag |= CSTOPB;
        return ::tcsetattr(fd, TCSANOW, &t) == 0 ? 0 : errno;
    }
    int drain(int fd) override {
        while (::tcdrain(fd) != 0)
            if (errno != EINTR) return errno;
        return 0;
    }
    int send_break(int fd, std::chrono::milliseconds length) override {
        return ::tcsendbreak(fd, static_cast<int>(length.count())) == 0 ? 0 : errno;
    }
};

}  // namespace

line_control& termios_line_control() {
    static termios_control control;
    return control;
}

}  // namespace hansim::io
