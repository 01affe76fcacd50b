// hansim decode: bytes in (file or stdin, raw or hex), one JSON line out per frame/telegram.
#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "capture_input.hpp"
#include "hansim/meter/wire_decoder.hpp"
#include "hansim/security/keys.hpp"
#include "subcommands.hpp"

namespace po = boost::program_options;

namespace hansim::app {
namespace {

constexpr const char* decode_usage =
    "usage: hansim decode [FILE ...] [options]\n"
    "\n"
    "Reads a byte stream (FILEs in order, or standard input when none or '-') and prints one\n"
    "JSON object a line per HDLC frame, P1 telegram or raw ciphered frame, plus one JSON line\n"
    "with \"error\", \"error_kind\" and the byte offset for each broken one. Keys for ciphered frames come from\n"
    "--key-file or HANSIM_ENCRYPTION_KEY/HANSIM_AUTHENTICATION_KEY, never the command line;\n"
    "ciphered P1 is opened with the fixed public authentication key, else the key file's.\n"
    "A FILE in the capture format (`hansim record`, simulator/docs/CAPTURE.md) is recognised by\n"
    "its first line; --capture also reads `+SECONDS HEX` logs and `hansim generate --format\n"
    "jsonl` output. A bad line in a capture is an error (exit 2) unless --skip-bad.\n"
    "\noptions";

struct emitter {
    bool strict = false;
    std::size_t records = 0;
    std::size_t errors = 0;
    void write(const std::vector<report::json>& batch) {
        for (const auto& record : batch) {
            ++records;
            if (report::member(record, "error")) ++errors;
            std::fputs(report::dump(record).c_str(), stdout);
            std::fputc('\n', stdout);
        }
        std::fflush(stdout);
    }
};

/// Feeds one input stream. Raw input goes through in chunks as it arrives (so a live pipe
/// decodes frame by frame); hex input is read a line at a time, each line whole bytes.
bool pump(std::istream& in, const std::string& name, bool hex, meter::wire_decoder& decoder, emitter& out) {
    if (hex) {
        std::string line;
        std::size_t number = 0;
        while (std::getline(in, line)) {
            ++number;
            if (const auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
            codec::bytes bytes;
            try {
                bytes = codec::from_hex(line);
            } catch (const std::invalid_argument& e) {
                std::fprintf(stderr, "hansim decode: %s line %zu: %s\n", name.c_str(), number, e.what());
                return false;
            }
            decoder.feed(bytes);
            if (!bytes.empty()) decoder.end_of_unit();  // apdu/llc: one PDU a line
            out.write(decoder.drain());
        }
        return true;
    }
    std::vector<char> chunk(4096);
    while (in) {
        in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        const auto got = static_cast<std::size_t>(in.gcount());
        if (got == 0) break;
        decoder.feed(codec::byte_view(reinterpret_cast<const std::uint8_t*>(chunk.data()), got));
        out.write(decoder.drain());
    }
    return true;
}

/// Peeks at the start of a file (and rewinds): is it a hansim capture?
bool starts_like_capture(std::ifstream& file) {
    std::string head(4096, '\0');
    file.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(file.gcount()));
    file.clear();
    file.seekg(0);
    return looks_like_capture(head);
}

}  // namespace

int decode_main(int argc, char** argv) {
    po::options_description visible(decode_usage);
    visible.add_options()("help,h", "show this help")(
        "hex", po::bool_switch(), "input is hex text (whitespace and # comments ignored), one or more frames a line")(
        "protocol", po::value<std::string>()->default_value("auto"),
        "auto (by the first byte: 0x7E HDLC, '/' P1, 0xDB raw ciphered P1), hdlc, p1, glo, or apdu / llc (a bare "
        "APDU or LLC PDU: one per input, or one per line with --hex)")(
        "key-file", po::value<std::string>(), "file with encryption_key=<32 hex> and authentication_key=<32 hex>")(
        "strict", po::bool_switch(), "exit 1 when any frame is broken or fails authentication")(
        "capture", po::bool_switch(), "FILEs are captures or imports (see above), not raw bytes")(
        "skip-bad", po::bool_switch(), "decode the valid lines of a capture that has bad ones");
    po::options_description hidden;
    hidden.add_options()("input", po::value<std::vector<std::string>>());
    po::options_description all;
    all.add(visible).add(hidden);
    po::positional_options_description positional;
    positional.add("input", -1);

    po::variables_map vm;
    meter::wire_decoder_options options;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
        po::notify(vm);
        if (vm.count("help")) {
            std::cout << visible << "\n";
            return 0;
        }
        options.protocol = meter::parse_wire_protocol(vm["protocol"].as<std::string>());
        if (vm.count("key-file")) {
            auto loaded = security::load_key_file(vm["key-file"].as<std::string>());
            for (const auto& warning : loaded.warnings) std::fprintf(stderr, "hansim decode: warning: %s\n", warning.c_str());
            options.keys = loaded.keys;
        } else {
            options.keys = security::keys_from_environment();
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "hansim decode: %s\n", e.what());
        return 2;
    }

    auto inputs = vm.count("input") ? vm["input"].as<std::vector<std::string>>() : std::vector<std::string>{"-"};
    const bool hex = vm["hex"].as<bool>();
    meter::wire_decoder decoder(options);
    emitter out;
    out.strict = vm["strict"].as<bool>();
    for (const auto& name : inputs) {
        if (name == "-") {
            if (!pump(std::cin, "<stdin>", hex, decoder, out)) return 2;
            continue;
        }
        std::error_code ec;
        if (std::filesystem::is_directory(name, ec)) {
            std::fprintf(stderr, "hansim decode: input '%s' is a folder, not a file\n", name.c_str());
            return 2;
        }
        std::ifstream file(name, std::ios::binary);
        if (!file) {
            std::fprintf(stderr, "hansim decode: cannot open input file '%s'\n", name.c_str());
            return 2;
        }
        if (vm["capture"].as<bool>() || starts_like_capture(file)) {
            const auto recording = load_capture(name, "decode", vm["skip-bad"].as<bool>());
            if (!recording) return 2;
            for (const auto& r : recording->records) {
                if (r.kind != capture::record_kind::data) continue;
                decoder.feed(r.bytes);
                out.write(decoder.drain());
            }
            continue;
        }
        if (!pump(file, name, hex, decoder, out)) return 2;
    }
    out.write(decoder.finish());
    if (out.records == 0) std::fprintf(stderr, "hansim decode: no frame or telegram found in the input\n");
    return out.strict && out.errors > 0 ? 1 : 0;
}

}  // namespace hansim::app
