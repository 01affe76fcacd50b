#include "hansim/capture/capture_file.hpp"

#include <charconv>
#include <cstdio>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace hansim::capture {

namespace {

using std::chrono::nanoseconds;

struct line_view {
    std::string_view text;
    std::size_t number = 0;
    bool terminated = true;  // ended with '\n'
};

std::vector<line_view> split_lines(std::string_view text) {
    std::vector<line_view> lines;
    std::size_t number = 0;
    while (!text.empty()) {
        ++number;
        const auto end = text.find('\n');
        line_view line{text.substr(0, end), number, end != std::string_view::npos};
        if (!line.text.empty() && line.text.back() == '\r') line.text.remove_suffix(1);
        lines.push_back(line);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    }
    return lines;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

bool blank_or_comment(std::string_view text) {
    text = trim(text);
    return text.empty() || text.front() == '#';
}

/// Splits off the first whitespace-separated word.
std::string_view next_word(std::string_view& rest) {
    rest = trim(rest);
    std::size_t end = 0;
    while (end < rest.size() && !is_space(rest[end])) ++end;
    const auto word = rest.substr(0, end);
    rest = trim(rest.substr(end));
    return word;
}

std::string shown(std::string_view text) {
    constexpr std::size_t limit = 40;
    std::string out(text.substr(0, limit));
    for (auto& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F) c = '?';
    return "'" + out + (text.size() > limit ? "...'" : "'");
}

/// Hex bytes, whitespace between pairs allowed; nullopt and `why` on anything else.
std::optional<codec::bytes> hex_bytes(std::string_view text, std::string& why) {
    try {
        auto bytes = codec::from_hex(text);
        if (bytes.empty()) {
            why = "no bytes";
            return std::nullopt;
        }
        return bytes;
    } catch (const std::invalid_argument& e) {
        std::string_view what = e.what();
        if (what.substr(0, 5) == "hex: ") what.remove_prefix(5);
        why = "bad hex: " + std::string(what);
        return std::nullopt;
    }
}

/// "+S[.F]" or "S[.F]" seconds, F up to 9 digits, into nanoseconds.
std::optional<nanoseconds> parse_offset(std::string_view text, bool plus_required) {
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    else if (plus_required) return std::nullopt;
    const auto dot = text.find('.');
    const auto whole = text.substr(0, dot);
    if (whole.empty() || whole.size() > 9) return std::nullopt;  // < 32 years: no overflow
    std::int64_t seconds = 0;
    for (const char c : whole) {  // digits only: from_chars would take a sign ("+-3" is not a time)
        if (c < '0' || c > '9') return std::nullopt;
        seconds = seconds * 10 + (c - '0');
    }
    std::int64_t fraction = 0;
    if (dot != std::string_view::npos) {
        const auto digits = text.substr(dot + 1);
        if (digits.empty() || digits.size() > 9) return std::nullopt;
        for (const char c : digits) {
            if (c < '0' || c > '9') return std::nullopt;
            fraction = fraction * 10 + (c - '0');
        }
        for (std::size_t i = digits.size(); i < 9; ++i) fraction *= 10;
    }
    return nanoseconds(seconds * 1'000'000'000 + fraction);
}

std::string format_offset(nanoseconds offset) {
    const auto count = offset.count() < 0 ? 0 : offset.count();
    char text[40];
    std::snprintf(text, sizeof text, "+%lld.%09lld", static_cast<long long>(count / 1'000'000'000),
                  static_cast<long long>(count % 1'000'000'000));
    return text;
}

std::optional<int> digits(std::string_view text, std::size_t at, std::size_t count) {
    if (at + count > text.size()) return std::nullopt;
    int value = 0;
    for (std::size_t i = at; i < at + count; ++i) {
        if (text[i] < '0' || text[i] > '9') return std::nullopt;
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

/// Collects records and enforces what every format shares: times never go backwards.
struct builder {
    capture& out;
    std::optional<nanoseconds> last;

    void fail(std::size_t line, std::string message) { out.problems.push_back({line, std::move(message)}); }

    void add(record r) {
        if (last && r.offset < *last) {
            fail(r.line, "time goes backwards: " + format_offset(r.offset) + " after " + format_offset(*last));
            return;
        }
        last = r.offset;
        out.records.push_back(std::move(r));
    }
};

// ---- the capture format ----

void parse_native(const std::vector<line_view>& lines, std::size_t first, capture& out) {
    builder b{out, std::nullopt};
    {  // the magic line
        auto rest = lines[first].text;
        next_word(rest);
        const auto version = next_word(rest);
        int number = 0;
        const auto [end, ec] = std::from_chars(version.data(), version.data() + version.size(), number);
        if (ec != std::errc{} || end != version.data() + version.size() || !rest.empty()) {
            b.fail(lines[first].number, "expected 'hansim-capture VERSION', got " + shown(lines[first].text));
            return;
        }
        out.head.version = number;
        if (number != format_version) {
            b.fail(lines[first].number, "unknown capture format version " + std::to_string(number) +
                                            " (this hansim reads version " + std::to_string(format_version) + ")");
            return;
        }
    }
    bool in_header = true;
    for (std::size_t i = first + 1; i < lines.size(); ++i) {
        const auto& line = lines[i];
        if (blank_or_comment(line.text)) continue;
        if (!line.terminated) {
            b.fail(line.number, "incomplete last line (no end of line; was the file cut short?)");
            continue;
        }
        auto rest = line.text;
        const auto keyword = next_word(rest);
        if (keyword == "data" || keyword == "event") {
            in_header = false;
            record r;
            r.line = line.number;
            const auto offset_text = next_word(rest);
            const auto offset = parse_offset(offset_text, true);
            if (!offset) {
                b.fail(line.number, "bad time offset " + shown(offset_text) + " (expected +SECONDS[.FRACTION])");
                continue;
            }
            r.offset = *offset;
            const auto wall_text = next_word(rest);
            if (wall_text != "-") {
                r.wall = parse_wall(wall_text);
                if (!r.wall) {
                    b.fail(line.number, "bad wall-clock time " + shown(wall_text) +
                                            " (expected YYYY-MM-DDTHH:MM:SS.ffffffZ or -)");
                    continue;
                }
            }
            if (keyword == "data") {
                std::string why;
                auto bytes = hex_bytes(rest, why);
                if (!bytes) {
                    b.fail(line.number, why);
                    continue;
                }
                r.bytes = std::move(*bytes);
            } else {
                r.kind = record_kind::event;
                r.event = std::string(next_word(rest));
                if (r.event.empty()) {
                    b.fail(line.number, "event without a name");
                    continue;
                }
                r.text = std::string(rest);
            }
            b.add(std::move(r));
            continue;
        }
        if (in_header && (keyword == "recorded-by" || keyword == "port" || keyword == "line" || keyword == "start")) {
            if (keyword == "recorded-by") out.head.recorded_by = std::string(rest);
            else if (keyword == "port") out.head.port = std::string(rest);
            else if (keyword == "line") {
                out.head.line = std::string(rest);
                out.head.line_at = line.number;
            } else {
                out.head.start = parse_wall(rest);
                if (!out.head.start) b.fail(line.number, "bad start time " + shown(rest));
            }
            continue;
        }
        b.fail(line.number, in_header || keyword.empty() ? "unknown line " + shown(line.text)
                                                          : "unknown record " + shown(keyword) +
                                                                " (header lines come before the first record)");
    }
}

// ---- imports ----

void parse_hex_dump(const std::vector<line_view>& lines, const parse_options& options, capture& out) {
    builder b{out, std::nullopt};
    std::int64_t index = 0;
    for (const auto& line : lines) {
        auto text = line.text;
        if (const auto hash = text.find('#'); hash != std::string_view::npos) text = text.substr(0, hash);
        if (trim(text).empty()) continue;
        std::string why;
        auto bytes = hex_bytes(text, why);
        if (!bytes) {
            b.fail(line.number, why);
            continue;
        }
        record r;
        r.line = line.number;
        r.offset = options.untimed_gap * index++;
        r.bytes = std::move(*bytes);
        b.add(std::move(r));
    }
}

void parse_timed_hex(const std::vector<line_view>& lines, capture& out) {
    builder b{out, std::nullopt};
    for (const auto& line : lines) {
        auto text = line.text;
        if (const auto hash = text.find('#'); hash != std::string_view::npos) text = text.substr(0, hash);
        if (trim(text).empty()) continue;
        auto rest = text;
        const auto offset_text = next_word(rest);
        const auto offset = parse_offset(offset_text, true);
        if (!offset) {
            b.fail(line.number, "bad time " + shown(offset_text) + " (expected +SECONDS[.FRACTION] HEX)");
            continue;
        }
        std::string why;
        auto bytes = hex_bytes(rest, why);
        if (!bytes) {
            b.fail(line.number, why);
            continue;
        }
        record r;
        r.line = line.number;
        r.offset = *offset;
        r.bytes = std::move(*bytes);
        b.add(std::move(r));
    }
}

void parse_jsonl(const std::vector<line_view>& lines, capture& out) {
    builder b{out, std::nullopt};
    std::optional<wall_time> first;
    for (const auto& line : lines) {
        if (trim(line.text).empty()) continue;
        const auto object = nlohmann::json::parse(line.text.begin(), line.text.end(), nullptr, false);
        if (object.is_discarded() || !object.is_object()) {
            b.fail(line.number, "not a JSON object");
            continue;
        }
        const auto hex = object.find("hex");
        const auto send = object.find("send");
        if (hex == object.end() || !hex->is_string() || send == object.end() || !send->is_string()) {
            b.fail(line.number, "expected \"send\" (time) and \"hex\" (bytes) strings, as hansim generate writes");
            continue;
        }
        const auto wall = parse_wall(send->get_ref<const std::string&>());
        if (!wall) {
            b.fail(line.number, "bad \"send\" time " + shown(send->get_ref<const std::string&>()));
            continue;
        }
        std::string why;
        auto bytes = hex_bytes(hex->get_ref<const std::string&>(), why);
        if (!bytes) {
            b.fail(line.number, "\"hex\": " + why);
            continue;
        }
        if (!first) {
            first = *wall;
            out.head.start = *wall;
        }
        record r;
        r.line = line.number;
        r.offset = *wall - *first;
        r.wall = *wall;
        r.bytes = std::move(*bytes);
        b.add(std::move(r));
    }
}

}  // namespace

std::string_view to_string(source_format format) {
    switch (format) {
        case source_format::capture: return "hansim capture";
        case source_format::hex_dump: return "hex dump";
        case source_format::timed_hex: return "timed hex log";
        case source_format::jsonl: return "hansim generate JSON lines";
    }
    return "?";
}

capture parse(std::string_view text, const parse_options& options) {
    capture out;
    const auto lines = split_lines(text);
    std::size_t first = 0;
    while (first < lines.size() && blank_or_comment(lines[first].text)) ++first;
    if (first == lines.size()) {
        out.format = source_format::hex_dump;
        return out;
    }
    const auto lead = trim(lines[first].text);
    if (lead.substr(0, magic.size()) == magic) {
        out.format = source_format::capture;
        parse_native(lines, first, out);
    } else if (lead.front() == '{') {
        out.format = source_format::jsonl;
        parse_jsonl(lines, out);
    } else if (lead.front() == '+') {
        out.format = source_format::timed_hex;
        parse_timed_hex(lines, out);
    } else {
        out.format = source_format::hex_dump;
        parse_hex_dump(lines, options, out);
    }
    return out;
}

std::string format_header(const header& head) {
    std::string out = std::string(magic) + " " + std::to_string(head.version) + "\n";
    if (!head.recorded_by.empty()) out += "recorded-by " + head.recorded_by + "\n";
    if (!head.port.empty()) out += "port " + head.port + "\n";
    if (!head.line.empty()) out += "line " + head.line + "\n";
    if (head.start) out += "start " + format_wall(*head.start) + "\n";
    return out;
}

std::string format_data(nanoseconds offset, wall_time wall, codec::byte_view bytes) {
    return "data " + format_offset(offset) + " " + format_wall(wall) + " " + codec::to_hex(bytes) + "\n";
}

std::string format_event(nanoseconds offset, wall_time wall, std::string_view event, std::string_view text) {
    std::string out = "event " + format_offset(offset) + " " + format_wall(wall) + " " + std::string(event);
    if (!text.empty()) {
        out += ' ';
        for (const char c : text) out += (c == '\n' || c == '\r') ? ' ' : c;
    }
    return out + "\n";
}

std::string format_wall(wall_time wall) {
    const auto day = std::chrono::floor<std::chrono::days>(wall);
    const std::chrono::year_month_day date(day);
    const std::chrono::hh_mm_ss time(wall - day);
    char text[40];
    std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%06lldZ", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                  static_cast<long long>(time.hours().count()), static_cast<long long>(time.minutes().count()),
                  static_cast<long long>(time.seconds().count()), static_cast<long long>(time.subseconds().count()));
    return text;
}

std::optional<wall_time> parse_wall(std::string_view text) {
    // YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z
    if (text.size() < 20 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != ' ') ||
        text[13] != ':' || text[16] != ':' || text.back() != 'Z')
        return std::nullopt;
    const auto y = digits(text, 0, 4), mo = digits(text, 5, 2), d = digits(text, 8, 2);
    const auto h = digits(text, 11, 2), mi = digits(text, 14, 2), s = digits(text, 17, 2);
    if (!y || !mo || !d || !h || !mi || !s || *h > 23 || *mi > 59 || *s > 60) return std::nullopt;
    if (*y < 1970 || *y > 2200) return std::nullopt;  // differences stay within 64-bit nanoseconds
    const std::chrono::year_month_day date{std::chrono::year(*y), std::chrono::month(static_cast<unsigned>(*mo)),
                                           std::chrono::day(static_cast<unsigned>(*d))};
    if (!date.ok()) return std::nullopt;
    std::int64_t micros = 0;
    const auto fraction = text.substr(19, text.size() - 20);
    if (!fraction.empty()) {
        if (fraction.front() != '.' || fraction.size() < 2 || fraction.size() > 10) return std::nullopt;
        std::int64_t scale = 100000;
        for (std::size_t i = 1; i < fraction.size(); ++i) {
            const char c = fraction[i];
            if (c < '0' || c > '9') return std::nullopt;
            micros += (c - '0') * scale;
            scale /= 10;
        }
    }
    return std::chrono::sys_days(date) + std::chrono::hours(*h) + std::chrono::minutes(*mi) +
           std::chrono::seconds(*s) + std::chrono::microseconds(micros);
}

}  // namespace hansim::capture
