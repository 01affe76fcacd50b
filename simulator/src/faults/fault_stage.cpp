#include "hansim/faults/fault_stage.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <random>
#include <stdexcept>
#include <string>

#include "hansim/codec/apdu/data_notification.hpp"
#include "hansim/codec/apdu/notification_elements.hpp"
#include "hansim/codec/crc.hpp"
#include "hansim/codec/hdlc/frame.hpp"
#include "hansim/meter/live_source.hpp"
#include "hansim/meter/schedule.hpp"

namespace hansim::faults {
namespace {

using codec::bytes;
using meter::push_frame;
using meter::wire_piece;

std::uint64_t splitmix(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

std::string hex2(unsigned v) {
    char t[8];
    std::snprintf(t, sizeof t, "0x%02X", v & 0xFF);
    return t;
}

bool is_p1(const push_frame& f) { return f.list == "p1"; }

/// The byte range a byte fault may touch: inside the flags (HDLC), or between '/' and '!'
/// exclusive (P1), so that the damage is one broken frame, not a new frame start.
std::pair<std::size_t, std::size_t> body_range(const push_frame& f) {
    if (is_p1(f)) {
        const auto bang = std::find(f.wire.begin(), f.wire.end(), static_cast<std::uint8_t>('!'));
        return {1, static_cast<std::size_t>(bang - f.wire.begin())};
    }
    return {1, f.wire.size() - 1};
}

bool p1_structural(std::uint8_t b) { return b == '/' || b == '!'; }

/// Offsets of the HCS in a plain HDLC frame (format, addresses, control before it).
std::size_t hcs_offset(const bytes& w) {
    std::size_t pos = 3;
    for (int address = 0; address < 2; ++address)
        while (pos < w.size() && (w[pos++] & 0x01) == 0) {
        }
    return pos + 1;  // control
}

void set_le16(bytes& w, std::size_t at, std::uint16_t v) {
    w[at] = static_cast<std::uint8_t>(v & 0xFF);
    w[at + 1] = static_cast<std::uint8_t>(v >> 8);
}

/// Recomputes HCS and FCS of an HDLC frame whose bytes were rewritten on purpose.
void refresh_checks(bytes& w) {
    const std::size_t hcs = hcs_offset(w);
    set_le16(w, hcs, codec::crc16_x25(codec::byte_view(w).subspan(1, hcs - 1)));
    set_le16(w, w.size() - 3, codec::crc16_x25(codec::byte_view(w).subspan(1, w.size() - 4)));
}

bool hdlc_frame_ok(const bytes& w) { return codec::hdlc::decode_frame(w).ok(); }

// ---- P1 text helpers ----------------------------------------------------------------

std::string text_of(const bytes& w) { return std::string(w.begin(), w.end()); }
bytes bytes_of(const std::string& t) { return bytes(t.begin(), t.end()); }

/// The telegram with its CRC recomputed over '/'..'!'.
std::string with_crc(std::string t) {
    const auto bang = t.rfind('!');
    const std::string head = t.substr(0, bang + 1);
    char crc[8];
    std::snprintf(crc, sizeof crc, "%04X", codec::crc16_arc(codec::byte_view(
                                               reinterpret_cast<const std::uint8_t*>(head.data()), head.size())));
    return head + crc + "\r\n";
}

/// Start offsets of the data lines (after the header and the empty line, before '!').
std::vector<std::size_t> p1_data_lines(const std::string& t) {
    std::vector<std::size_t> lines;
    const auto bang = t.rfind('!');
    std::size_t pos = t.find("\r\n\r\n");
    if (pos == std::string::npos) return lines;
    pos += 4;
    while (pos < bang) {
        lines.push_back(pos);
        const auto end = t.find("\r\n", pos);
        if (end == std::string::npos || end >= bang) break;
        pos = end + 2;
    }
    return lines;
}

std::string line_at(const std::string& t, std::size_t start) { return t.substr(start, t.find("\r\n", start) - start); }

std::string obis_of(const std::string& line) { return line.substr(0, line.find('(')); }

// ---- HDLC content helpers -----------------------------------------------------------

struct parsed_push {
    codec::hdlc::hdlc_frame frame;
    codec::apdu::data_notification note;
};

std::optional<parsed_push> parse_plain(const push_frame& f) {
    auto frame = codec::hdlc::decode_frame(f.wire);
    if (!frame || frame->information.size() < 4) return std::nullopt;
    auto note = codec::apdu::data_notification::from_bytes(codec::byte_view(frame->information).subspan(3));
    if (!note) return std::nullopt;
    return parsed_push{std::move(*frame), std::move(*note)};
}

bytes reframe(const parsed_push& p) {
    codec::hdlc::hdlc_frame frame = p.frame;
    const bytes apdu = p.note.to_bytes();
    frame.information.assign(p.frame.information.begin(), p.frame.information.begin() + 3);
    frame.information.insert(frame.information.end(), apdu.begin(), apdu.end());
    return codec::hdlc::encode(frame);
}

void one_piece(push_frame& f, bool reject, std::string why) {
    f.effect.pieces = {wire_piece{0, f.wire.size(), reject, std::move(why)}};
}

bool rewrites_apdu(const std::string& name) {
    return name == "legacy_datetime" || name == "value_out_of_range" || name == "clock_unset" || name == "unknown_obis";
}

bool rewrite_content(const meter::fault_rule& rule, codec::apdu::data_notification& note, meter::fault_effect& e) {
    const std::string& name = rule.name;
    if (name == "legacy_datetime") {
        if (!note.date_time) return false;
        note.dt_encoding = codec::apdu::date_time_encoding::legacy_09;
        e.description = "header date-time sent as 09 0C (pre-2018 firmware)";
        return true;
    }
    auto elements = codec::apdu::split_flat_body(note.body);
    if (!elements) return false;
    bool done = false;
    if (name == "unknown_obis") {
        const codec::obis_code extra{{1, 0, 99, 99, 0, 255}};
        const auto value = static_cast<std::uint32_t>(rule.param("value", 12345));
        elements->push_back(codec::apdu::element{extra, codec::axdr::data::double_long_unsigned(value)});
        e.values_patch[extra.to_string()] = value;
        e.description = "extra element 1-0:99.99.0.255 = " + std::to_string(value);
        done = true;
    } else if (name == "value_out_of_range") {
        for (auto& element : *elements) {
            if (!element.obis || element.obis->groups[2] != 1 || element.obis->groups[3] != 7 ||
                element.obis->groups[4] != 0)
                continue;
            element.value = codec::axdr::data::double_long_unsigned(0xFFFFFFFFu);
            e.values_patch[element.obis->to_string()] = 4294967295ull;
            e.description = element.obis->to_string() + " sent as 4294967295";
            done = true;
            break;
        }
    } else if (name == "clock_unset") {
        codec::cosem_date_time unset;
        unset.year = 2000;
        unset.month = 1;
        unset.day = 1;
        unset.day_of_week = 6;
        unset.hour = unset.minute = unset.second = 0;
        unset.hundredths = 0xFF;
        unset.deviation = codec::cosem_date_time::deviation_not_specified;
        unset.clock_status = codec::cosem_date_time::status_invalid;
        if (note.date_time) note.date_time = unset;
        for (auto& element : *elements) {
            if (!element.obis || element.obis->groups[0] != 0 || element.obis->groups[2] != 1 ||
                element.obis->groups[3] != 0)
                continue;
            element.value = codec::axdr::data::octet_string(unset.to_bytes());
            e.values_patch[element.obis->to_string()] = unset.to_iso8601();
        }
        e.description = "date-time 2000-01-01 00:00:00, status 01 (invalid)";
        done = note.date_time.has_value();
    }
    if (!done) return false;
    note.body = codec::apdu::make_flat_body(*elements);
    return true;
}

std::size_t pick(std::mt19937_64& rng, std::size_t lo, std::size_t hi) {  // inclusive
    if (hi <= lo) return lo;
    return lo + static_cast<std::size_t>(rng() % (hi - lo + 1));
}

}  // namespace

bool apply_fault(const meter::fault_rule& rule, push_frame& f, std::uint64_t random) {
    std::mt19937_64 rng(random);
    const std::string& name = rule.name;
    auto& e = f.effect;
    const std::size_t n = f.wire.size();
    const bool p1 = is_p1(f);

    if (name == "bad_fcs") {
        f.wire[n - 3] ^= 0xFF;
        e.changed = {n - 3};
        e.description = "FCS low byte at offset " + std::to_string(n - 3) + " XOR 0xFF";
        one_piece(f, true, "bad_fcs");
    } else if (name == "bad_hcs") {
        const std::size_t at = hcs_offset(f.wire);
        f.wire[at] ^= 0xFF;
        e.changed = {at};
        e.description = "HCS low byte at offset " + std::to_string(at) + " XOR 0xFF";
        one_piece(f, true, "bad_hcs");
    } else if (name == "truncated" || name == "p1_cut") {
        const std::size_t lo = p1 ? 1 : 2;
        std::size_t at = static_cast<std::size_t>(rule.param("at"));
        at = at == 0 ? pick(rng, lo, n - 2) : std::clamp(at, lo, n - 2);
        f.wire.resize(at);
        e.cut_at = at;
        e.description = "cut after " + std::to_string(at) + " of " + std::to_string(n) + " bytes" +
                        (p1 ? " (the data request dropped)" : "");
        one_piece(f, true, "truncated");
    } else if (name == "dropped") {
        f.wire.clear();
        e.description = "not sent (" + std::to_string(n) + " bytes)";
        e.pieces.clear();
    } else if (name == "duplicated" || (name == "list2_repeated" && f.list == "list2")) {
        const bytes once = f.wire;
        f.wire.insert(f.wire.end(), once.begin(), once.end());
        e.description = "sent twice, back to back";
        // Ciphered, the copy repeats the invocation counter: a reader flags it (stuck).
        const bool ciphered = f.invocation_counter.has_value();
        e.pieces = {wire_piece{0, n, false, "frame"}, wire_piece{n, n, false, ciphered ? "counter_anomaly" : "frame"}};
    } else if (name == "list2_repeated") {
        return false;
    } else if (name == "twice_cut") {
        std::size_t at = static_cast<std::size_t>(rule.param("at"));
        at = at == 0 ? pick(rng, 2, n - 2) : std::clamp<std::size_t>(at, 2, n - 2);
        const bytes once = f.wire;
        f.wire.insert(f.wire.end(), once.begin(), once.begin() + static_cast<std::ptrdiff_t>(at));
        e.cut_at = n + at;
        e.description = "sent whole, then again cut after " + std::to_string(at) + " bytes";
        e.pieces = {wire_piece{0, n, false, "frame"}, wire_piece{n, at, true, "truncated"}};
    } else if (name == "segmented") {
        auto frame = codec::hdlc::decode_frame(f.wire);
        if (!frame) return false;
        const auto max = static_cast<std::size_t>(rule.param("max", 64));
        if (frame->information.size() <= max) return false;  // fits one frame: nothing to segment
        const auto segments =
            codec::hdlc::encode_segmented(frame->destination, frame->source, frame->control, frame->information, max);
        f.wire.clear();
        for (const auto& s : segments) f.wire.insert(f.wire.end(), s.begin(), s.end());
        e.description = "sent as " + std::to_string(segments.size()) + " HDLC segments of at most " +
                        std::to_string(max) + " information bytes";
        one_piece(f, false, "segments");
    } else if (name == "wrong_length") {
        const std::size_t length = ((f.wire[1] & 0x07u) << 8) | f.wire[2];
        const auto by = rule.param("by", 1);
        std::int64_t wrong = static_cast<std::int64_t>(length) + by;
        const std::int64_t step = by > 0 ? 1 : -1;
        // Never let the wrong length end on a 0x7E inside the frame: that would be a second,
        // shorter "frame" and the damage would not be one broken frame.
        while (wrong > 0 && wrong + 1 < static_cast<std::int64_t>(n) && f.wire[static_cast<std::size_t>(wrong + 1)] == 0x7E)
            wrong += step;
        const std::int64_t minimum = static_cast<std::int64_t>(hcs_offset(f.wire)) + 3;
        wrong = std::clamp<std::int64_t>(wrong, minimum, static_cast<std::int64_t>(codec::hdlc::max_frame_length));
        if (wrong == static_cast<std::int64_t>(length)) wrong = length + 1;
        f.wire[1] = static_cast<std::uint8_t>((f.wire[1] & 0xF8) | ((wrong >> 8) & 0x07));
        f.wire[2] = static_cast<std::uint8_t>(wrong & 0xFF);
        refresh_checks(f.wire);
        e.changed = {1, 2};
        e.description = "length field " + std::to_string(wrong) + " for a frame of " + std::to_string(length) +
                        " (HCS and FCS computed over what is sent)";
        one_piece(f, true, "truncated");
    } else if (name == "bit_flips" || name == "byte_replaced") {
        const auto [lo, hi] = body_range(f);  // [lo, hi)
        for (int attempt = 0; attempt < 64; ++attempt) {
            bytes w = f.wire;
            std::vector<std::size_t> changed;
            if (name == "bit_flips") {
                const auto count = static_cast<std::size_t>(rule.param("n", 1));
                std::vector<std::size_t> bits;
                while (bits.size() < count) {
                    const std::size_t bit = pick(rng, lo * 8, hi * 8 - 1);
                    if (std::find(bits.begin(), bits.end(), bit) != bits.end()) continue;
                    const auto flipped = static_cast<std::uint8_t>(w[bit / 8] ^ (1u << (bit % 8)));
                    if (p1 && p1_structural(flipped)) continue;
                    bits.push_back(bit);
                    w[bit / 8] = flipped;
                }
                for (const auto bit : bits)
                    if (std::find(changed.begin(), changed.end(), bit / 8) == changed.end()) changed.push_back(bit / 8);
                if (std::any_of(changed.begin(), changed.end(), [&](std::size_t i) { return w[i] == f.wire[i]; }))
                    continue;  // two flips in one byte cancelled
            } else {
                std::size_t at = static_cast<std::size_t>(rule.param("at"));
                at = at == 0 ? pick(rng, lo, hi - 1) : std::clamp(at, lo, hi - 1);
                auto value = static_cast<std::uint8_t>(rule.param("value"));
                if (value == w[at]) value = static_cast<std::uint8_t>(value ^ 0xFF);
                if (p1 && p1_structural(value)) value = '?';
                if (value == w[at]) value = '#';
                w[at] = value;
                changed.push_back(at);
            }
            // The checks must see it (CRC-16 misses some patterns of 4 or more bits).
            const bool still_valid = p1 ? text_of(w) == with_crc(text_of(w)) : hdlc_frame_ok(w);
            if (still_valid) continue;
            std::sort(changed.begin(), changed.end());
            f.wire = std::move(w);
            e.changed = changed;
            std::string where;
            for (const auto c : changed) where += (where.empty() ? "" : ",") + std::to_string(c);
            e.description = (name == "bit_flips" ? std::to_string(rule.param("n", 1)) + " bit(s) flipped in byte(s) "
                                                 : "byte " + where + " replaced by " + hex2(f.wire[changed[0]])) +
                            (name == "bit_flips" ? where : "");
            one_piece(f, true, p1 ? "bad_crc" : "corrupted");
            return true;
        }
        return false;
    } else if (name == "garbage") {
        const auto kind = rule.param("kind");
        const auto count = static_cast<std::size_t>(rule.param("bytes", 20));
        bytes noise;
        static const std::string text = "splitter: link up, rssi -71 dBm, 2400 8N1\r\n";
        while (noise.size() < count) {
            if (kind == 1) {
                noise.push_back(0x7E);
            } else if (kind == 2) {
                noise.push_back(static_cast<std::uint8_t>(text[noise.size() % text.size()]));
            } else {
                const auto b = static_cast<std::uint8_t>(rng());
                if (b != 0x7E && b != '/') noise.push_back(b);
            }
        }
        f.wire.insert(f.wire.begin(), noise.begin(), noise.end());
        const char* kinds[] = {"random bytes", "0x7E flags", "ASCII text"};
        e.description = std::to_string(count) + " " + kinds[kind] + " before the frame";
        // HDLC readers report noise (fill flags are no noise); a P1 reader skips anything
        // before '/'.
        const bool reported = !p1 && kind != 1;
        if (reported || p1)
            e.pieces.push_back(wire_piece{0, count, reported, reported ? "garbage" : "noise (skipped)"});
        e.pieces.push_back(wire_piece{count, n, false, "frame"});
    } else if (name == "stuffing_bait") {
        auto parsed = parse_plain(f);
        if (!parsed) return false;
        const bool in_fcs = rule.param("where") == 0;
        if (!in_fcs) {
            parsed->note.long_invoke_id_and_priority = 0x7E7D7E7D;
            f.wire = reframe(*parsed);
            e.description = "invoke-id 7E 7D 7E 7D: the payload holds 0x7E and 0x7D";
        } else {
            bool found = false;
            for (std::uint32_t id = 1; id < 0x40000 && !found; ++id) {
                parsed->note.long_invoke_id_and_priority = id;
                bytes w = reframe(*parsed);
                const std::uint8_t lo = w[w.size() - 3], hi = w[w.size() - 2];
                if (lo == 0x7E || hi == 0x7E || lo == 0x7D || hi == 0x7D) {
                    f.wire = std::move(w);
                    e.description = "invoke-id " + std::to_string(id) + " makes the FCS " + hex2(lo) + " " + hex2(hi);
                    found = true;
                }
            }
            if (!found) return false;
        }
        e.changed.clear();
        one_piece(f, false, "frame");
    } else if (name == "split_pause" || name == "p1_split_pause") {
        std::size_t at = static_cast<std::size_t>(rule.param("at"));
        at = at == 0 ? n / 2 : std::clamp<std::size_t>(at, 1, n - 1);
        const std::chrono::milliseconds ms(rule.param("ms", 1000));
        f.pauses = {meter::wire_pause{at, ms}};
        e.description = "a pause of " + std::to_string(ms.count()) + " ms before byte " + std::to_string(at);
        one_piece(f, false, "frame");
    } else if (name == "char_gaps") {
        const auto every = static_cast<std::size_t>(rule.param("every", 1));
        const std::chrono::milliseconds ms(rule.param("ms", 20));
        f.pauses.clear();
        for (std::size_t at = every; at < n; at += every) f.pauses.push_back(meter::wire_pause{at, ms});
        e.description = "a gap of " + std::to_string(ms.count()) + " ms after every " + std::to_string(every) +
                        " byte(s)";
        one_piece(f, false, "frame");
    } else if (name == "late") {
        const std::chrono::milliseconds ms(rule.param("ms", 2000));
        f.start_offset += ms;
        e.description = "sent " + std::to_string(ms.count()) + " ms late";
        one_piece(f, false, "frame");
    } else if (name == "back_to_back") {
        e.description = "the next push follows with no idle time";
        one_piece(f, false, "frame");
    } else if (rewrites_apdu(name)) {
        auto parsed = parse_plain(f);
        if (!parsed || !rewrite_content(rule, parsed->note, e)) return false;
        f.wire = reframe(*parsed);
        one_piece(f, false, "frame");
    } else if (name == "wrong_parity") {
        f.line = meter::line_condition{meter::line_condition::kind::parity, 0, {}};
        e.description = "sent with the other parity (none -> even, even -> odd, odd -> even), the line set back "
                        "once the push has drained";
        // A reader on the right line sees a framing or parity error on the characters whose
        // parity bit does not fit (0x7E has an even number of ones: the flags already do).
        one_piece(f, true, "wrong_parity");
    } else if (name == "wrong_baud") {
        const auto baud = static_cast<unsigned>(rule.param("baud", 9600));
        f.line = meter::line_condition{meter::line_condition::kind::baud, baud, {}};
        e.description = "sent at " + std::to_string(baud) + " baud, the line set back once the push has drained";
        one_piece(f, true, "wrong_baud");
    } else if (name == "line_break") {
        const std::chrono::milliseconds ms(rule.param("ms", 250));
        f.line = meter::line_condition{meter::line_condition::kind::brk, 0, ms};
        e.description = "a break of " + std::to_string(ms.count()) + " ms on the line before the push";
        one_piece(f, false, "frame");
    } else if (name == "p1_crc_wrong") {
        std::string t = text_of(f.wire);
        const auto bang = t.rfind('!');
        const unsigned sent = static_cast<unsigned>(std::strtoul(t.substr(bang + 1, 4).c_str(), nullptr, 16));
        char crc[8];
        std::snprintf(crc, sizeof crc, "%04X", sent ^ 0xFFFFu);
        t.replace(bang + 1, 4, crc);
        f.wire = bytes_of(t);
        e.changed = {bang + 1, bang + 2, bang + 3, bang + 4};
        e.description = std::string("CRC ") + crc + " instead of " + t.substr(bang + 1, 0) + hex2(sent >> 8) + hex2(sent);
        one_piece(f, true, "bad_crc");
    } else if (name == "p1_crc_missing") {
        std::string t = text_of(f.wire);
        const auto bang = t.rfind('!');
        t.erase(bang + 1, 4);
        f.wire = bytes_of(t);
        e.description = "no CRC after '!'";
        one_piece(f, true, "missing_crc");
    } else if (name == "p1_line_missing" || name == "p1_bad_obis" || name == "p1_wrong_unit") {
        std::string t = text_of(f.wire);
        const auto lines = p1_data_lines(t);
        if (lines.empty()) return false;
        std::size_t index = std::min<std::size_t>(static_cast<std::size_t>(rule.param("line", 3)), lines.size()) - 1;
        if (name == "p1_wrong_unit")  // the first line from there on that has a unit
            while (index < lines.size() && line_at(t, lines[index]).find('*') == std::string::npos) ++index;
        if (index >= lines.size()) return false;
        const std::size_t start = lines[index];
        const std::string line = line_at(t, start);
        const std::string key = obis_of(line);
        if (name == "p1_line_missing") {
            t.erase(start, line.size() + 2);
            e.values_patch[key] = nullptr;
            e.description = "line '" + line + "' left out";
        } else if (name == "p1_bad_obis") {
            const auto dot = line.find('.');
            if (dot == std::string::npos || dot > key.size()) return false;
            t[start + dot] = ':';
            e.changed = {start + dot};
            e.values_patch[key] = nullptr;  // a reader cannot read the line
            e.description = "OBIS '" + key + "' sent as '" + t.substr(start, key.size()) + "'";
        } else {
            const auto open = line.find('('), star = line.find('*'), close = line.find(')', star);
            std::string number = line.substr(open + 1, star - open - 1);
            std::string unit = line.substr(star + 1, close - star - 1);
            std::string new_line;
            if (rule.param("what") == 0) {
                static const std::pair<const char*, const char*> swaps[] = {
                    {"kWh", "Wh"}, {"kVArh", "VArh"}, {"kvarh", "varh"}, {"kW", "W"}, {"kVAr", "VAr"}, {"kvar", "var"}, {"V", "kV"}, {"A", "mA"}};
                std::string wrong = "k" + unit;
                for (const auto& [from, to] : swaps)
                    if (unit == from) wrong = to;
                new_line = line.substr(0, star + 1) + wrong + line.substr(close);
                e.values_patch[key] = {{"value", std::strtod(number.c_str(), nullptr)}, {"unit", wrong}};
                e.description = "unit of " + key + " sent as '" + wrong + "' instead of '" + unit + "'";
            } else {
                if (number.find('.') == std::string::npos || number.back() == '.') return false;
                const std::string fewer = "0" + number.substr(0, number.size() - 1);  // same width, one decimal fewer
                const auto dot = fewer.find('.');
                std::string moved = fewer;
                moved.erase(dot, 1);
                moved.insert(dot + 1, ".");
                if (moved.back() == '.') moved.pop_back();
                new_line = line.substr(0, open + 1) + moved + line.substr(star);
                e.values_patch[key] = {{"value", std::strtod(moved.c_str(), nullptr)}, {"unit", unit}};
                e.description = key + " sent as '" + moved + "' instead of '" + number + "' (one decimal fewer)";
            }
            t.replace(start, line.size(), new_line);
        }
        f.wire = bytes_of(with_crc(t));
        one_piece(f, false, "frame");
    } else if (name == "p1_padded") {
        std::string t = text_of(f.wire);
        const auto target = static_cast<std::size_t>(rule.param("bytes", 1024));
        const std::string head = "0-0:96.13.0(", tail = ")\r\n";
        std::size_t digits = target > t.size() + head.size() + tail.size() ? target - t.size() - head.size() - tail.size() : 2;
        std::string text;
        static const char message[] = "48414E53494D";  // "HANSIM" as DSMR hex text
        for (std::size_t i = 0; i < digits; ++i) text += message[i % 12];
        const auto bang = t.rfind('!');
        t.insert(bang, head + text + tail);
        f.wire = bytes_of(with_crc(t));
        e.values_patch["0-0:96.13.0"] = text;
        e.description = "a text line of " + std::to_string(digits) + " characters makes the telegram " +
                        std::to_string(f.wire.size()) + " bytes";
        one_piece(f, false, "frame");
    } else {
        return false;
    }
    return true;
}

namespace {

class fault_stage final : public meter::push_source, public meter::live_source {
public:
    fault_stage(std::unique_ptr<meter::push_source> inner, const meter::meter_config& config)
        : inner_(std::move(inner)), state_{meter::fault_selector(config.faults, config.seed, config.start)},
          seed_(config.seed) {}

    push_frame next() override {
        if (inner_->live()) before_last_ = state_;
        push_frame f = inner_->next();
        auto& selector_ = state_.selector;
        auto& line_free_ = state_.line_free;
        auto& back_to_back_ = state_.back_to_back;
        auto& follow_now_ = state_.follow_now;
        auto& after_cut_ = state_.after_cut;
        if (f.fault.empty()) {
            // On a ciphered push the content rules were the meter's, before sealing.
            const bool ciphered = f.invocation_counter.has_value();
            const auto index = selector_.select(f.sequence, f.trigger_utc, [&](const meter::fault_rule& rule) {
                return !rule.cipher && !(rule.rewrites_apdu && ciphered);
            });
            if (index) {
                const auto& rule = selector_.plan()[*index];
                const std::uint64_t random = splitmix(seed_ ^ splitmix(f.sequence + 0xFA17ull) ^ splitmix(*index + 7));
                if (apply_fault(rule, f, random)) {
                    f.fault = rule.name;
                    f.fault_rule = meter::to_string(rule);
                    if (rule.name == "back_to_back") back_to_back_ = true;
                }
            }
        }
        // Noise right after a frame cut short is, for a reader, the rest of that broken frame:
        // it reports one error for both (codec/hdlc/stream_decoder.hpp).
        if (after_cut_ && !f.wire.empty() && !f.effect.pieces.empty() && f.effect.pieces.front().why == "garbage") {
            f.effect.pieces.front().reject = false;
            f.effect.pieces.front().why = "noise after a cut frame (reported with it)";
        }
        if (!f.wire.empty()) {
            const bool hdlc = f.list != "p1";
            after_cut_ = hdlc && !f.effect.pieces.empty() && f.effect.pieces.back().reject &&
                         f.effect.pieces.back().why == "truncated";
        }
        // Keep the line order: nothing starts before the previous push has left.
        if (follow_now_) {
            f.start_offset = line_free_ - f.trigger_utc;
            follow_now_ = false;
        }
        if (f.send_utc() < line_free_) f.start_offset = line_free_ - f.trigger_utc;
        unsigned baud = inner_->baud_rate(), bits = inner_->bits_per_character();
        if (f.line && f.line->what == meter::line_condition::kind::baud) baud = f.line->baud;
        if (f.line && f.line->what == meter::line_condition::kind::parity && bits == 10) bits = 11;  // 8N1 -> 8E1
        auto busy = meter::transmission_time(f.wire.size(), baud, bits);
        for (const auto& p : f.pauses) busy += p.length;
        if (f.line && f.line->what == meter::line_condition::kind::brk) busy += f.line->break_length;
        line_free_ = f.send_utc() + busy;
        if (back_to_back_) {
            follow_now_ = true;
            back_to_back_ = false;
        }
        return f;
    }
    unsigned baud_rate() const override { return inner_->baud_rate(); }
    unsigned bits_per_character() const override { return inner_->bits_per_character(); }

    // Live control: the stage's own rules and line state, the rest is the meter's.
    live_source* live() override { return inner_->live() ? this : nullptr; }
    bool can_rewind() const override { return before_last_.has_value() && inner_->live()->can_rewind(); }
    void rewind() override {
        if (!can_rewind()) throw std::logic_error("fault stage: no push to take back");
        inner_->live()->rewind();
        state_ = std::move(*before_last_);
        before_last_.reset();
    }
    meter::utc_ms earliest_change() const override { return inner_->live()->earliest_change(); }
    std::uint64_t next_sequence() const override { return inner_->live()->next_sequence(); }
    void set_events(meter::timeline events) override { inner_->live()->set_events(std::move(events)); }
    void add_faults(const meter::fault_plan& rules) override {
        inner_->live()->add_faults(rules);  // the ciphering rules are the meter's
        for (const auto& rule : rules)
            if (!rule.cipher) state_.selector.add(rule);
    }

private:
    struct state {
        meter::fault_selector selector;
        meter::utc_ms line_free{};
        bool back_to_back = false;
        bool follow_now = false;
        bool after_cut = false;  ///< the last push on the line ended with a frame cut short
    };
    std::unique_ptr<meter::push_source> inner_;
    state state_;
    std::optional<state> before_last_;
    std::uint64_t seed_;
};

}  // namespace

meter::content_fault_hook content_fault_hook() {
    return [](const meter::fault_rule& rule, codec::bytes& apdu, meter::fault_effect& effect) {
        auto note = codec::apdu::data_notification::from_bytes(apdu);
        if (!note) return false;
        meter::fault_effect done;
        if (!rewrite_content(rule, *note, done)) return false;
        apdu = note->to_bytes();
        effect = std::move(done);
        return true;
    };
}

std::unique_ptr<meter::push_source> make_fault_stage(std::unique_ptr<meter::push_source> inner,
                                                     const meter::meter_config& config) {
    const bool any = std::any_of(config.faults.begin(), config.faults.end(),
                                 [](const meter::fault_rule& rule) { return !rule.cipher; });
    if (!any && !inner->live()) return inner;  // a live meter may be given rules later
    return std::make_unique<fault_stage>(std::move(inner), config);
}

}  // namespace hansim::faults
