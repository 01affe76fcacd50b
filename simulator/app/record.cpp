// hansim record: capture whatever arrives on a port (PTY, serial, TCP or RFC 2217 client)
// into a capture file, optionally decoding as it goes (a terminal monitor for a real meter).
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <cerrno>
#include <cstring>
#include <optional>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <stdexcept>
#include <string>

#include <boost/program_options.hpp>

#include "hansim/io/recorder.hpp"
#include "hansim/meter/wire_decoder.hpp"
#include "hansim/scenario/meter_settings.hpp"
#include "hansim/security/keys.hpp"
#include "subcommands.hpp"

namespace po = boost::program_options;

namespace hansim::app {
namespace {

volatile std::sig_atomic_t stop_signal = 0;
extern "C" void on_stop_signal(int signal) { stop_signal = signal; }

void catch_stop_signals() {
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: a blocked poll() returns at once
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
    ::sigaction(SIGHUP, &action, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
}

struct note_queue {
    std::mutex mutex;
    std::deque<std::string> lines;
};

class usage_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

constexpr const char* record_usage =
    "usage: hansim record --port PORT --out FILE [--duration D] [--line BAUD:DPS]\n"
    "                     [--decode [--key-file F] [--protocol P]] [--quiet]\n"
    "\n"
    "Captures whatever arrives on PORT into FILE, in the capture format\n"
    "(simulator/docs/CAPTURE.md): each chunk with its time since the start and its wall-clock\n"
    "time, written as soon as it is read, so Ctrl-C, kill -9 or an unplugged adapter loses\n"
    "nothing already read. PORT is pty:PATH or serial:DEVICE[:BAUD:8N1] (opened as a reader),\n"
    "or tcp:HOST:PORT / rfc2217:HOST:PORT (connected to as a client, e.g. ser2net or\n"
    "`hansim run --port tcp:...`). A port that goes away is recorded as an event and reopened\n"
    "with backoff. --decode prints one JSON line per frame, as `hansim decode` does; with\n"
    "--notes each line typed on standard input is recorded as a note (\"reader reset here\"). A PTY\n"
    "ignores the line settings; they are recorded for replay. Exit codes: 0 done (also after\n"
    "Ctrl-C/SIGTERM), 1 runtime failure, 2 usage error or a port that cannot be opened.\n"
    "\noptions";

}  // namespace

int record_main(int argc, char** argv) {
    po::options_description visible(record_usage);
    visible.add_options()("help,h", "show this help")
        ("port", po::value<std::string>(), "pty:PATH | serial:DEVICE[:BAUD:8N1] | tcp:HOST:PORT | rfc2217:HOST:PORT")
        ("out,o", po::value<std::string>(), "the capture file to write (replaced if it exists)")
        ("duration", po::value<std::string>(), "stop after this long (e.g. 90s, 10m, 2h); default until Ctrl-C")
        ("line", po::value<std::string>()->default_value("2400:8N1"),
         "line settings to record (and to set on a serial port without them in its spec)")
        ("decode", po::bool_switch(), "print one JSON line per decoded frame as it arrives")
        ("key-file", po::value<std::string>(), "keys for ciphered frames with --decode")
        ("protocol", po::value<std::string>()->default_value("auto"), "with --decode: auto, hdlc, p1 or glo")
        ("notes", po::bool_switch(), "each line read from standard input is recorded as a note event (an annotation)")
        ("quiet,q", po::bool_switch(), "no messages (decoded frames are still printed)");
    po::variables_map vm;
    io::recorder_settings settings;
    std::string out_path;
    bool quiet = false;
    std::optional<meter::wire_decoder> decoder;
    try {
        po::store(po::command_line_parser(argc, argv).options(visible).run(), vm);
        po::notify(vm);
        if (vm.count("help")) {
            std::cout << visible << "\n";
            return 0;
        }
        if (!vm.count("port")) throw usage_error("--port is required");
        if (!vm.count("out")) throw usage_error("--out is required");
        quiet = vm["quiet"].as<bool>();
        out_path = vm["out"].as<std::string>();
        settings.port = io::parse_port_spec(vm["port"].as<std::string>());
        try {
            settings.line = io::parse_line_settings(vm["line"].as<std::string>());
        } catch (const std::invalid_argument& e) {
            throw usage_error(std::string("--line: ") + e.what());
        }
        if (settings.port.line) settings.line = *settings.port.line;
        if (vm.count("duration")) {
            try {
                settings.duration = scenario::parse_duration(vm["duration"].as<std::string>());
            } catch (const std::invalid_argument& e) {
                throw usage_error(std::string("--duration: ") + e.what());
            }
        }
        settings.recorded_by = std::string("hansim ") + HANSIM_VERSION + " record";
        if (vm["decode"].as<bool>()) {
            meter::wire_decoder_options options;
            options.protocol = meter::parse_wire_protocol(vm["protocol"].as<std::string>());
            if (vm.count("key-file")) {
                auto loaded = security::load_key_file(vm["key-file"].as<std::string>());
                for (const auto& warning : loaded.warnings)
                    std::fprintf(stderr, "hansim record: warning: %s\n", warning.c_str());
                options.keys = loaded.keys;
            } else {
                options.keys = security::keys_from_environment();
            }
            decoder.emplace(options);
        } else if (vm.count("key-file")) {
            throw usage_error("--key-file is only used with --decode");
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "hansim record: %s\n", e.what());
        return 2;
    }

    const int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out_fd < 0) {
        std::fprintf(stderr, "hansim record: cannot write %s: %s\n", out_path.c_str(), std::strerror(errno));
        return 2;
    }
    catch_stop_signals();
    io::recorder recorder(settings, out_fd);
    bool first_open = true;
    recorder.on_event([&](std::string_view name, std::string_view text) {
        if (quiet) return;
        if (name == "opened" && first_open) {
            first_open = false;
            std::fprintf(stderr, "hansim record: recording %.*s into %s (Ctrl-C stops)\n", static_cast<int>(text.size()),
                         text.data(), out_path.c_str());
            return;
        }
        std::fprintf(stderr, "hansim record: %.*s %.*s\n", static_cast<int>(name.size()), name.data(),
                     static_cast<int>(text.size()), text.data());
    });
    if (decoder)
        recorder.on_data([&](codec::byte_view chunk) {
            decoder->feed(chunk);
            for (const auto& record : decoder->drain()) std::printf("%s\n", record.dump().c_str());
            std::fflush(stdout);
        });
    // --notes: a reader thread hands stdin lines to the recorder, which polls for them. The
    // thread may still be blocked in a read when recording ends; it is left to process exit.
    auto notes = std::make_shared<note_queue>();
    if (vm["notes"].as<bool>()) {
        std::thread([notes] {
            std::string line;
            while (std::getline(std::cin, line)) {
                std::lock_guard lock(notes->mutex);
                notes->lines.push_back(line);
            }
        }).detach();
        recorder.notes_from([notes]() -> std::optional<std::string> {
            std::lock_guard lock(notes->mutex);
            if (notes->lines.empty()) return std::nullopt;
            auto line = std::move(notes->lines.front());
            notes->lines.pop_front();
            return line;
        });
    }
    int status = 0;
    try {
        const auto stats = recorder.run([] { return stop_signal != 0; });
        if (decoder)
            for (const auto& record : decoder->finish()) std::printf("%s\n", record.dump().c_str());
        if (!quiet)
            std::fprintf(stderr, "hansim record: %llu chunks, %llu bytes, reopened %llu times%s\n",
                         static_cast<unsigned long long>(stats.chunks), static_cast<unsigned long long>(stats.bytes),
                         static_cast<unsigned long long>(stats.reopened),
                         stop_signal != 0 ? (", stopped by signal " + std::to_string(stop_signal)).c_str() : "");
    } catch (const io::port_error& e) {  // the port could not be opened: nothing was recorded
        std::fprintf(stderr, "hansim record: %s\n", e.what());
        ::unlink(out_path.c_str());
        status = 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "hansim record: %s\n", e.what());
        status = 1;
    }
    ::fsync(out_fd);
    ::close(out_fd);
    return status;
}

}  // namespace hansim::app
