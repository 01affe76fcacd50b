#include "hansim/codec/p1/parser.hpp"

#include <algorithm>
#include <string>

#include "body.hpp"
#include "hansim/codec/p1/writer.hpp"

namespace hansim::codec::p1 {
namespace {

constexpr std::size_t trailer_size = 6;  // four CRC digits, CR, LF

int hex_value(std::uint8_t c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string shown(std::uint8_t c) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out = std::string("0x") + hex[c >> 4] + hex[c & 0xF];
    if (c >= 0x20 && c < 0x7F) out += std::string(" '") + static_cast<char>(c) + "'";
    return out;
}

std::string hex4(std::uint16_t v) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (int shift = 12; shift >= 0; shift -= 4) out += hex[(v >> shift) & 0xF];
    return out;
}

}  // namespace

parser::parser(parser_limits limits) : limits_(limits) {}

void parser::drop_front() {
    if (start_ == 0) return;
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(start_));
    base_ += start_;
    scanned_ = scanned_ > start_ ? scanned_ - start_ : 0;
    start_ = 0;
}

void parser::feed(byte_view data) {
    drop_front();
    buffer_.insert(buffer_.end(), data.begin(), data.end());
}

parse_result parser::next() {
    // Find the start of a telegram.
    if (start_ >= buffer_.size() || buffer_[start_] != '/') {
        const auto slash = std::find(buffer_.begin() + static_cast<std::ptrdiff_t>(start_), buffer_.end(), std::uint8_t{'/'});
        const auto at = static_cast<std::size_t>(slash - buffer_.begin());
        skipped_ += at - start_;
        start_ = at;
        scanned_ = at + 1;
        if (at == buffer_.size()) {
            drop_front();
            return need_more{};
        }
    }
    const std::uint64_t origin = base_ + start_;

    // Look for '!' (or a '/' that says this telegram was cut short).
    std::size_t i = std::max(scanned_, start_ + 1);
    for (; i < buffer_.size(); ++i) {
        if (buffer_[i] == '!') break;
        if (buffer_[i] == '/') {
            start_ = i;
            scanned_ = i + 1;
            return parse_error{base_ + i, "telegram starting at offset " + std::to_string(origin) +
                                              " was cut short: a new '/' at offset " + std::to_string(base_ + i) +
                                              " came before its '!'",
                               error_kind::truncated, origin};
        }
        if (i - start_ + 1 >= limits_.max_telegram_bytes) break;
    }
    scanned_ = i;
    if (i == buffer_.size() || buffer_[i] != '!') {
        if (i - start_ + 1 >= limits_.max_telegram_bytes && i < buffer_.size()) {
            start_ += 1;  // resynchronise at the next '/'
            scanned_ = start_;
            return parse_error{origin, "telegram starting at offset " + std::to_string(origin) + " has no '!' within " +
                                           std::to_string(limits_.max_telegram_bytes) + " bytes",
                               error_kind::too_long, origin};
        }
        return need_more{};
    }
    return finish(i);
}

parse_result parser::finish(std::size_t bang) {
    const std::uint64_t origin = base_ + start_;
    const std::size_t available = std::min(buffer_.size() - bang - 1, trailer_size);
    for (std::size_t k = 0; k < available; ++k) {
        const auto c = buffer_[bang + 1 + k];
        const bool ok = k < 4 ? hex_value(c) >= 0 : c == (k == 4 ? '\r' : '\n');
        if (ok) continue;
        const std::uint64_t where = base_ + bang + 1 + k;
        start_ = bang + 1;
        scanned_ = start_;
        const std::string expected = k < 4 ? "upper-case CRC hex digit " + std::to_string(k + 1) + " of 4" : (k == 4 ? "CR after the CRC" : "LF after the CRC");
        return parse_error{where, "telegram starting at offset " + std::to_string(origin) + ": expected " + expected +
                                      " at offset " + std::to_string(where) + ", found " + shown(c),
                           k < 4 ? error_kind::missing_crc : error_kind::malformed, origin};
    }
    if (available < trailer_size) return need_more{};

    const byte_view covered(buffer_.data() + start_, bang - start_ + 1);
    std::uint16_t sent = 0;
    for (std::size_t k = 1; k <= 4; ++k) {
        const auto c = buffer_[bang + k];
        sent = static_cast<std::uint16_t>((sent << 4) | hex_value(c));
    }
    const std::uint16_t computed = telegram_crc(covered);
    const std::size_t end = bang + 1 + trailer_size;
    if (sent != computed) {
        start_ = end;
        scanned_ = end;
        return parse_error{base_ + bang + 1, "telegram starting at offset " + std::to_string(origin) + ": CRC mismatch, sent " +
                                                 hex4(sent) + ", computed " + hex4(computed) + " over offsets " +
                                                 std::to_string(origin) + ".." + std::to_string(base_ + bang),
                           error_kind::bad_crc, origin};
    }

    telegram_frame frame;
    frame.stream_offset = origin;
    frame.crc = sent;
    frame.raw.assign(buffer_.begin() + static_cast<std::ptrdiff_t>(start_), buffer_.begin() + static_cast<std::ptrdiff_t>(end));
    frame.content = detail::parse_body(byte_view(buffer_.data() + start_, bang - start_), origin, frame.issues);
    start_ = end;
    scanned_ = end;
    return frame;
}

parse_result parse_telegram(byte_view data) {
    parser p;
    p.feed(data);
    auto result = p.next();
    if (std::holds_alternative<need_more>(result)) {
        if (p.bytes_buffered() == 0)
            return parse_error{p.bytes_fed(), "no telegram: no '/' in " + std::to_string(data.size()) + " bytes",
                               error_kind::garbage, 0};
        return parse_error{p.bytes_fed(), "telegram starting at offset " + std::to_string(p.bytes_fed() - p.bytes_buffered()) +
                                              " is incomplete: input ended before '!', the CRC and CR LF",
                           error_kind::truncated, p.bytes_fed() - p.bytes_buffered()};
    }
    return result;
}

}  // namespace hansim::codec::p1
