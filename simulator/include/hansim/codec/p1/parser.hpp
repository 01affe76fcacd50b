#pragma once
/// @file
/// Incremental P1 telegram parser for a byte stream (PROTOCOLS.md §6.1, §6.2).
///
/// Feed whatever arrived, then call next() until it says need_more. The parser skips
/// anything before '/', collects up to '!', waits for the four CRC digits and CR LF, checks
/// CRC-16/ARC, and only then looks at the lines. It never reads past what it was given and
/// never holds more than `max_telegram_bytes` of one telegram: a telegram with no '!' within
/// that many bytes is reported as an error and the parser resynchronises at the next '/'.
///
/// Offsets are stream offsets: the count of bytes fed before the byte in question, over the
/// parser's whole life.
///
/// Framing rules, in order:
/// - a '/' before the '!' means the telegram was cut short and a new one starts there: error
///   (offset of the new '/'), and parsing resumes at that '/';
/// - after '!' exactly four upper-case hex digits and CR LF must follow, else error;
/// - a CRC mismatch is an error naming the sent and the computed value; the whole telegram
///   is then skipped;
/// - a telegram with the right CRC is delivered even when some lines are malformed; each
///   malformed line is listed in `issues` with its offset and left out of `content.lines`.

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "hansim/codec/bytes.hpp"
#include "hansim/codec/error_kind.hpp"
#include "hansim/codec/p1/telegram.hpp"

namespace hansim::codec::p1 {

/// Something wrong inside a telegram whose CRC is right (a line that does not parse, a
/// missing empty line after the header, a bare LF, a stray CR, …).
struct line_issue {
    std::uint64_t stream_offset = 0;  ///< where the problem is
    std::string message;              ///< for people: what is wrong and what was found
    friend bool operator==(const line_issue&, const line_issue&) = default;
};

/// A telegram with a correct CRC.
struct telegram_frame {
    telegram content;                 ///< the lines that parsed, in order
    bytes raw;                        ///< the exact bytes, '/' through the final CR LF
    std::uint64_t stream_offset = 0;  ///< offset of its '/'
    std::uint16_t crc = 0;            ///< as sent (and as computed)
    std::vector<line_issue> issues;   ///< empty for a clean telegram
};

/// Not enough input yet; feed more.
struct need_more {};

/// A telegram (or what began as one) that had to be dropped.
struct parse_error {
    std::uint64_t stream_offset = 0;  ///< where the problem was found
    std::string message;
    /// truncated (a new '/' before '!', or the input ended), too_long, missing_crc (no four
    /// hex digits after '!'), malformed (no CR LF after them), bad_crc.
    error_kind kind = error_kind::malformed;
    std::uint64_t telegram_offset = 0;  ///< offset of the '/' that began the dropped telegram
};

using parse_result = std::variant<need_more, telegram_frame, parse_error>;

struct parser_limits {
    /// Longest telegram accepted, '/' to '!' inclusive (DSMR allows 1024 characters per
    /// value; a Swedish telegram is about 700 bytes).
    std::size_t max_telegram_bytes = 8192;
};

class parser {
public:
    explicit parser(parser_limits limits = {});

    /// Appends bytes from the stream (copied; `data` may be reused afterwards).
    void feed(byte_view data);

    /// The next telegram or error, or need_more when the buffered input holds neither.
    parse_result next();

    /// Bytes seen before a '/' and thrown away (line noise, a capture's stray CR LF).
    std::uint64_t bytes_skipped() const { return skipped_; }
    /// Total bytes fed so far.
    std::uint64_t bytes_fed() const { return base_ + buffer_.size(); }
    /// Bytes held waiting for the rest of a telegram.
    std::size_t bytes_buffered() const { return buffer_.size() - start_; }

private:
    parse_result finish(std::size_t bang);
    void drop_front();

    parser_limits limits_;
    bytes buffer_;
    std::uint64_t base_ = 0;   ///< stream offset of buffer_[0]
    std::size_t start_ = 0;    ///< first unconsumed byte in buffer_
    std::size_t scanned_ = 0;  ///< how far the search for '!' has looked (index into buffer_)
    std::uint64_t skipped_ = 0;
};

/// Parses the first telegram in `data` (anything before '/' is skipped). Never returns
/// need_more: an incomplete telegram is a parse_error saying what is missing.
parse_result parse_telegram(byte_view data);

}  // namespace hansim::codec::p1
