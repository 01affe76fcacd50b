// hansim: the command-line entry. Each subcommand lives in its own file and only parses
// options and calls the library layers.
#include <cstdio>
#include <cstring>
#include <string>

#include "subcommands.hpp"

namespace {
void print_usage(std::FILE* out) {
    std::fputs(
        "usage: hansim <command> [options]\n"
        "\n"
        "commands:\n"
        "  run        simulate meters on a PTY, serial port, TCP socket or file\n"
        "  generate   write what a meter would push over a period, without waiting\n"
        "  decode     decode HDLC frames and P1 telegrams from a byte stream\n"
        "  record     capture what arrives on a port, with its timing, into a capture file\n"
        "  replay     send a capture again on a port, with the recorded timing\n"
        "  profiles   list the meter profiles\n"
        "  faults     list the fault catalogue (what --faults can ask for)\n"
        "  report     an HTML report (charts, frame timeline, faults) of generated or recorded frames\n"
        "  version    print the version\n"
        "\n"
        "`hansim <command> --help` describes each command's options.\n",
        out);
}
}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        print_usage(stderr);
        return 2;
    }
    const std::string command = argv[1];
    if (command == "--help" || command == "-h" || command == "help") {
        print_usage(stdout);
        return 0;
    }
    if (command == "version" || command == "--version") {
        std::printf("hansim %s\n", HANSIM_VERSION);
        return 0;
    }
    for (const auto& sub : hansim::app::subcommands()) {
        if (command == sub.name) return sub.entry(argc - 1, argv + 1);
    }
    std::fprintf(stderr, "hansim: unknown command '%s'\n\n", command.c_str());
    print_usage(stderr);
    return 2;
}
