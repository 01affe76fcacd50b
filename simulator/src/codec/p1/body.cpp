#include "body.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace hansim::codec::p1::detail {
namespace {

std::string shown(char c) {
    if (c == '\r') return "CR";
    if (c == '\n') return "LF";
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7F) {
        static constexpr char hex[] = "0123456789ABCDEF";
        return std::string("0x") + hex[u >> 4] + hex[u & 0xF];
    }
    return std::string("'") + c + "'";
}

struct line_reader {
    std::string_view body;
    std::uint64_t offset;
    std::vector<line_issue>& issues;
    std::size_t pos = 0;

    void issue(std::size_t at, std::string message) { issues.push_back({offset + at, std::move(message)}); }

    /// The next line without its CR LF; nullopt at the end of the body.
    std::optional<std::string_view> next_line(std::size_t& line_start) {
        if (pos >= body.size()) return std::nullopt;
        line_start = pos;
        const auto lf = body.find('\n', pos);
        std::string_view line;
        if (lf == std::string_view::npos) {
            line = body.substr(pos);
            pos = body.size();
            issue(line_start, "line at offset " + std::to_string(offset + line_start) + " is not terminated by CR LF before '!'");
        } else {
            line = body.substr(pos, lf - pos);
            pos = lf + 1;
            if (line.empty() || line.back() != '\r')
                issue(lf, "line at offset " + std::to_string(offset + line_start) + " ends with a bare LF (no CR)");
            else
                line.remove_suffix(1);
        }
        if (const auto cr = line.find('\r'); cr != std::string_view::npos)
            issue(line_start + cr, "stray CR inside the line at offset " + std::to_string(offset + line_start));
        return line;
    }

    /// Parses one data line; false (with an issue) when it is malformed.
    bool parse_data_line(std::string_view line, std::size_t line_start, data_line& out) {
        const std::string where = "line at offset " + std::to_string(offset + line_start);
        const auto open = line.find('(');
        out.obis = std::string(line.substr(0, open));
        if (!out.obis.empty() && !parse_p1_obis(out.obis)) {
            issue(line_start, where + ": malformed OBIS '" + out.obis + "' (expected A-B:C.D.E)");
            return false;
        }
        if (open == std::string_view::npos) {
            issue(line_start, where + ": no value group after OBIS '" + out.obis + "'");
            return false;
        }
        std::size_t i = open;
        while (i < line.size()) {
            if (line[i] != '(') {
                issue(line_start + i, where + ", column " + std::to_string(i + 1) + ": expected '(' or end of line, found " + shown(line[i]));
                return false;
            }
            const auto close = line.find(')', i + 1);
            if (close == std::string_view::npos) {
                issue(line_start + i, where + ", column " + std::to_string(i + 1) + ": value group is not closed by ')'");
                return false;
            }
            const auto content = line.substr(i + 1, close - i - 1);
            if (const auto cr = content.find('\r'); cr != std::string_view::npos) return false;  // reported as stray CR
            out.values.push_back(classify_value(content));
            i = close + 1;
        }
        return true;
    }
};

}  // namespace

telegram parse_body(byte_view body_bytes, std::uint64_t offset, std::vector<line_issue>& issues) {
    const std::string_view body(reinterpret_cast<const char*>(body_bytes.data()), body_bytes.size());
    line_reader reader{body, offset, issues};
    telegram t;
    reader.pos = 1;  // past '/'
    std::size_t line_start = 0;
    const auto header = reader.next_line(line_start);
    if (!header) {
        reader.issue(1, "telegram at offset " + std::to_string(offset) + " has no header line");
        return t;
    }
    t.ident = std::string(*header);

    bool first = true;
    while (const auto line = reader.next_line(line_start)) {
        if (first) {
            first = false;
            if (line->empty()) continue;
            reader.issue(line_start, "no empty line after the header (line at offset " + std::to_string(offset + line_start) + ")");
        }
        if (line->empty()) {
            reader.issue(line_start, "empty data line at offset " + std::to_string(offset + line_start));
            continue;
        }
        data_line parsed;
        if (reader.parse_data_line(*line, line_start, parsed)) t.lines.push_back(std::move(parsed));
    }
    if (first) reader.issue(body.size(), "no empty line after the header before '!'");
    return t;
}

}  // namespace hansim::codec::p1::detail
