#include "hansim/meter/wire_decoder.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string_view>

#include "hansim/codec/apdu/data_notification.hpp"
#include "hansim/codec/apdu/glo_ciphering.hpp"
#include "hansim/codec/apdu/llc.hpp"
#include "hansim/codec/apdu/notification_elements.hpp"
#include "hansim/codec/axdr/length.hpp"
#include "hansim/meter/push_list.hpp"
#include "hansim/security/glo_cipher.hpp"
#include "hansim/security/p1_cipher.hpp"

namespace hansim::meter {
namespace {

using report::json;

std::string_view protocol_name(wire_protocol protocol) {
    switch (protocol) {
        case wire_protocol::p1: return "p1";
        case wire_protocol::glo: return "glo";
        case wire_protocol::apdu: return "apdu";
        case wire_protocol::llc: return "llc";
        default: return "hdlc";
    }
}

bool is_space(std::uint8_t b) { return b == ' ' || b == '\t' || b == '\r' || b == '\n'; }

std::string_view date_time_form_name(codec::apdu::date_time_encoding e) {
    switch (e) {
        case codec::apdu::date_time_encoding::absent: return "absent";
        case codec::apdu::date_time_encoding::standard: return "standard";
        case codec::apdu::date_time_encoding::legacy_09: return "legacy_09";
    }
    return "?";
}

bool is_clock_obis(const codec::obis_code& code) {
    return code.groups[0] == 0 && code.groups[2] == 1 && code.groups[3] == 0;
}

json data_value(const codec::axdr::data& value, bool clock_object) {
    using codec::axdr::data_type;
    switch (value.type()) {
        case data_type::null_data: return nullptr;
        case data_type::boolean: return value.as_bool();
        case data_type::double_long:
        case data_type::integer:
        case data_type::long_:
        case data_type::long64: return static_cast<long long>(value.as_signed());
        case data_type::double_long_unsigned:
        case data_type::unsigned_:
        case data_type::long_unsigned:
        case data_type::long64_unsigned:
        case data_type::enum_: return static_cast<unsigned long long>(value.as_unsigned());
        case data_type::float32:
        case data_type::float64: return value.as_double();
        case data_type::visible_string:
        case data_type::utf8_string: return value.as_string();
        case data_type::date_time: return value.as_date_time().to_iso8601();
        case data_type::octet_string: {
            const auto& raw = value.as_bytes();
            if (clock_object && raw.size() == codec::cosem_date_time::wire_size)
                return codec::cosem_date_time::from_bytes(raw)->to_iso8601();
            return codec::to_hex(raw);
        }
        case data_type::array:
        case data_type::structure: {
            json items = json::array();
            for (const auto& child : value.children()) items.push_back(data_value(child, false));
            return items;
        }
        default: return value.to_string();
    }
}

void add_p1_fields(json& record, const codec::p1::telegram_frame& frame) {
    record["ident"] = frame.content.ident;
    char crc[8];
    std::snprintf(crc, sizeof crc, "%04X", frame.crc);
    record["crc"] = crc;
    json values = json::object();
    for (const auto& line : frame.content.lines) {
        if (line.values.size() == 1) {
            values[line.obis] = p1_value_json(line.values.front());
        } else {
            json groups = json::array();
            for (const auto& v : line.values) groups.push_back(p1_value_json(v));
            values[line.obis] = std::move(groups);
        }
    }
    record["values"] = std::move(values);
    if (!frame.issues.empty()) {
        json issues = json::array();
        for (const auto& issue : frame.issues)
            issues.push_back({{"offset", issue.stream_offset}, {"message", issue.message}});
        record["issues"] = std::move(issues);
    }
}

json error_record(std::string_view kind, std::uint64_t offset, std::string message, std::string error_kind) {
    return {{"kind", kind}, {"offset", offset}, {"error", std::move(message)}, {"error_kind", std::move(error_kind)}};
}

/// The clear header of a ciphered APDU, for the counter monitor.
struct ciphered_header {
    security::system_title title{};
    std::uint32_t invocation_counter = 0;
    bool authenticated = false;  ///< opened with the keys (false without keys)
};

/// Decodes one APDU into `record`; returns false (after setting the error fields) on failure.
/// A ciphered APDU whose header parses fills `header`.
bool decode_apdu(json& record, codec::byte_view apdu, std::size_t base_offset, const wire_decoder_options& options,
                 std::optional<ciphered_header>* header = nullptr) {
    if (apdu.empty()) {
        record["error"] = "APDU missing after the LLC header";
        record["error_kind"] = "malformed";
        return false;
    }
    if (apdu[0] == codec::apdu::data_notification_tag) {
        auto parsed = codec::apdu::data_notification::from_bytes(apdu, base_offset);
        if (!parsed) {
            record["error"] = parsed.error().message;
            record["error_kind"] = "malformed";
            record["error_offset"] = parsed.error().offset;
            return false;
        }
        record["apdu"] = "data-notification";
        record["invoke_id"] = parsed->long_invoke_id_and_priority;
        if (parsed->date_time) record["date_time"] = parsed->date_time->to_iso8601();
        record["date_time_form"] = date_time_form_name(parsed->dt_encoding);
        if (auto list = read_kamstrup_list(*parsed, options.lists)) record["list"] = list_name(list->kind);
        auto elements = codec::apdu::split_flat_body(parsed->body);
        if (elements && !elements->empty() && !elements->front().obis &&
            elements->front().value.type() == codec::axdr::data_type::visible_string)
            record["list_version"] = elements->front().value.as_string();
        record["values"] = notification_values(parsed->body);
        return true;
    }
    if (apdu[0] == codec::apdu::general_glo_ciphering_tag || apdu[0] == codec::apdu::general_ded_ciphering_tag) {
        auto envelope = codec::apdu::glo_envelope::from_bytes(apdu, base_offset);
        if (!envelope) {
            record["error"] = envelope.error().message;
            record["error_kind"] = "malformed";
            record["error_offset"] = envelope.error().offset;
            return false;
        }
        record["apdu"] = apdu[0] == codec::apdu::general_glo_ciphering_tag ? "general-glo-ciphering"
                                                                          : "general-ded-ciphering";
        record["system_title"] = codec::to_hex(envelope->system_title);
        record["security_control"] = envelope->security_control;
        record["invocation_counter"] = envelope->invocation_counter;
        record["ciphered_length"] = envelope->content_length();
        if (envelope->system_title.size() != std::tuple_size_v<security::system_title>) {
            // The IV needs the 8-byte title: such a frame cannot be opened by anyone.
            const std::size_t title_offset = base_offset + 1;
            record["error"] = "glo-ciphering: system title at offset " + std::to_string(title_offset) + " is " +
                              std::to_string(envelope->system_title.size()) + " bytes, expected 8";
            record["error_kind"] = "malformed";
            record["error_offset"] = title_offset;
            return false;
        }
        if (header) {
            header->emplace();
            std::copy(envelope->system_title.begin(), envelope->system_title.end(), (*header)->title.begin());
            (*header)->invocation_counter = envelope->invocation_counter;
        }
        if (!options.keys) return true;
        auto opened = security::glo_unprotect(apdu, *options.keys, base_offset);
        if (!opened) {
            const auto& e = opened.error();
            record["error"] = e.message;
            record["error_kind"] = security::to_string(e.kind);
            record["error_offset"] = e.offset;
            return false;
        }
        record["decrypted"] = true;
        if (header && *header) (*header)->authenticated = true;
        json inner = json::object();
        const bool ok = decode_apdu(inner, opened->apdu, 0, options);
        if (const auto* plaintext = report::member(inner, "apdu")) record["plaintext_apdu"] = *plaintext;
        for (const char* key : {"invoke_id", "date_time", "date_time_form", "list", "list_version", "values", "error",
                                "error_kind", "error_offset"})
            if (const auto* v = report::member(inner, key)) record[key] = *v;
        return ok;
    }
    char message[80];
    std::snprintf(message, sizeof message, "APDU tag 0x%02X at offset %zu is not one hansim decodes", apdu[0],
                  base_offset);
    record["error"] = message;
    record["error_kind"] = "unsupported";
    return false;
}

}  // namespace

report::json notification_values(const codec::axdr::data& body) {
    json values = json::object();
    auto elements = codec::apdu::split_flat_body(body);
    if (!elements) return values;
    for (const auto& element : *elements) {
        if (!element.obis) continue;  // list version and null placeholders carry no OBIS
        values[element.obis->to_string()] = data_value(element.value, is_clock_obis(*element.obis));
    }
    return values;
}

wire_protocol parse_wire_protocol(std::string_view text) {
    if (text == "auto") return wire_protocol::automatic;
    if (text == "hdlc") return wire_protocol::hdlc;
    if (text == "p1") return wire_protocol::p1;
    if (text == "glo") return wire_protocol::glo;
    if (text == "apdu") return wire_protocol::apdu;
    if (text == "llc") return wire_protocol::llc;
    throw std::invalid_argument("protocol must be auto, hdlc, p1, glo, apdu or llc, got '" + std::string(text) + "'");
}

report::json p1_value_json(const codec::p1::value& v) {
    if (const auto* n = std::get_if<codec::p1::number>(&v)) {
        json out = json::object();
        out["value"] = n->value();
        if (!n->unit.empty()) out["unit"] = n->unit;
        return out;
    }
    if (const auto* t = std::get_if<codec::p1::timestamp>(&v)) {
        char iso[32];
        std::snprintf(iso, sizeof iso, "%04d-%02u-%02uT%02u:%02u:%02u", t->full_year(), t->month, t->day, t->hour,
                      t->minute, t->second);
        return {{"time", iso}, {"dst", t->daylight_saving}};
    }
    return std::get<codec::p1::text>(v).content;
}

wire_decoder::wire_decoder(wire_decoder_options options)
    : options_(std::move(options)), active_(options_.protocol), counters_(options_.counter_max_step) {}

void wire_decoder::check_counter(json& record, const security::system_title& title, std::uint32_t invocation_counter) {
    const auto seen = counters_.observe(title, invocation_counter);
    if (seen.message.empty()) return;
    record["counter_anomaly"] = security::to_string(seen.anomaly);
    record["counter_message"] = seen.message;
}

void wire_decoder::feed(codec::byte_view data) {
    if (active_ == wire_protocol::automatic) {
        std::size_t i = 0;
        while (i < data.size() && is_space(data[i])) ++i;
        fed_ += i;
        data = data.subspan(i);
        if (data.empty()) return;
        switch (data[0]) {
            case '/': active_ = wire_protocol::p1; break;
            case codec::apdu::general_glo_ciphering_tag: active_ = wire_protocol::glo; break;
            default: active_ = wire_protocol::hdlc; break;
        }
        glo_base_ = fed_;
    }
    route(data);
}

void wire_decoder::route(codec::byte_view data) {
    switch (active_) {
        case wire_protocol::p1:
            p1_.feed(data);
            pump_p1();
            break;
        case wire_protocol::glo:
            glo_buffer_.insert(glo_buffer_.end(), data.begin(), data.end());
            pump_glo(false);
            break;
        case wire_protocol::apdu:
        case wire_protocol::llc: unit_.insert(unit_.end(), data.begin(), data.end()); break;
        default:
            hdlc_.feed(data);
            pump_hdlc();
            break;
    }
}

std::vector<report::json> wire_decoder::drain() { return std::exchange(records_, {}); }

std::vector<report::json> wire_decoder::finish() {
    switch (active_) {
        case wire_protocol::hdlc:
            pump_hdlc();
            for (auto& event : hdlc_.finish()) {
                if (auto* e = std::get_if<codec::hdlc::error_event>(&event))
                    add_error(e->offset + fed_, e->message, codec::to_string(e->kind));
                else if (auto* f = std::get_if<codec::hdlc::frame_event>(&event))
                    on_hdlc_frame(*f);
            }
            if (segments_.pending() > 0)
                add_error(segment_offset_, "HDLC: stream ended inside a segmented frame sequence", "truncated");
            break;
        case wire_protocol::p1:
            pump_p1();
            if (p1_.bytes_buffered() > 0)
                add_error(p1_.bytes_fed() - p1_.bytes_buffered() + fed_, "P1: stream ended inside a telegram",
                          "truncated");
            break;
        case wire_protocol::glo: pump_glo(true); break;
        case wire_protocol::apdu:
        case wire_protocol::llc: end_of_unit(); break;
        case wire_protocol::automatic: break;
    }
    return drain();
}

void wire_decoder::add_error(std::uint64_t offset, std::string message, std::string_view kind) {
    records_.push_back(error_record(protocol_name(active_), offset, std::move(message), std::string(kind)));
}

void wire_decoder::end_of_unit() {
    if (active_ != wire_protocol::apdu && active_ != wire_protocol::llc) return;
    if (unit_.empty()) return;
    const std::uint64_t offset = unit_offset_;
    json record = json::object();
    record["kind"] = protocol_name(active_);
    record["offset"] = offset;
    record["length"] = unit_.size();
    codec::byte_view apdu(unit_);
    std::size_t apdu_offset = offset;
    bool ok = true;
    if (active_ == wire_protocol::llc) {
        auto stripped = codec::apdu::strip_llc(unit_, offset);
        if (!stripped) {
            record["error"] = stripped.error().message;
            record["error_kind"] = "malformed";
            record["error_offset"] = stripped.error().offset;
            ok = false;
        } else {
            apdu = *stripped;
            apdu_offset = offset + 3;
        }
    }
    if (ok) {
        std::optional<ciphered_header> ciphered;
        decode_apdu(record, apdu, apdu_offset, options_, &ciphered);
        if (ciphered && (ciphered->authenticated || !options_.keys))
            check_counter(record, ciphered->title, ciphered->invocation_counter);
    }
    records_.push_back(std::move(record));
    unit_offset_ += unit_.size();
    unit_.clear();
}

void wire_decoder::pump_hdlc() {
    for (;;) {
        auto event = hdlc_.next();
        if (std::holds_alternative<codec::hdlc::need_more>(event)) return;
        if (auto* e = std::get_if<codec::hdlc::error_event>(&event)) {
            add_error(e->offset + fed_, e->message, codec::to_string(e->kind));
            continue;
        }
        on_hdlc_frame(std::get<codec::hdlc::frame_event>(event));
    }
}

void wire_decoder::on_hdlc_frame(const codec::hdlc::frame_event& event) {
    const std::uint64_t offset = event.offset + fed_;
    if (!in_segments_) segment_offset_ = offset;
    auto joined = segments_.add(event.frame);
    if (!joined) {
        in_segments_ = false;
        add_error(offset, joined.error().message, "segments");
        return;
    }
    if (!*joined) {  // more segments to come
        in_segments_ = true;
        return;
    }
    const bool was_segmented = in_segments_;
    in_segments_ = false;
    const auto& frame = event.frame;
    json record = json::object();
    record["kind"] = "hdlc";
    record["offset"] = was_segmented ? segment_offset_ : offset;
    record["length"] = event.raw.size();
    record["destination"] = frame.destination.value;
    record["source"] = frame.source.value;
    record["control"] = frame.control;
    if (was_segmented) record["segmented"] = true;
    const codec::bytes& information = **joined;
    // Information starts after flag, format (2), addresses, control and HCS (2).
    const std::size_t header = event.raw.size() - 3 - frame.information.size();
    auto apdu = codec::apdu::strip_llc(information, offset + header);
    if (!apdu) {
        record["error"] = apdu.error().message;
        record["error_kind"] = "malformed";
    } else {
        std::optional<ciphered_header> ciphered;
        decode_apdu(record, *apdu, was_segmented ? 0 : offset + header + 3, options_, &ciphered);
        // With keys only frames that authenticated tell the sender's counter; without keys
        // every readable header does.
        if (ciphered && (ciphered->authenticated || !options_.keys))
            check_counter(record, ciphered->title, ciphered->invocation_counter);
    }
    records_.push_back(std::move(record));
}

void wire_decoder::pump_p1() {
    for (;;) {
        auto result = p1_.next();
        if (std::holds_alternative<codec::p1::need_more>(result)) return;
        if (auto* e = std::get_if<codec::p1::parse_error>(&result)) {
            add_error(e->telegram_offset + fed_, e->message, codec::to_string(e->kind));
            records_.back()["error_offset"] = e->stream_offset + fed_;
            continue;
        }
        on_p1_telegram(std::get<codec::p1::telegram_frame>(result));
    }
}

void wire_decoder::on_p1_telegram(const codec::p1::telegram_frame& frame) {
    json record = json::object();
    record["kind"] = "p1";
    record["offset"] = frame.stream_offset + fed_;
    record["length"] = frame.raw.size();
    add_p1_fields(record, frame);
    records_.push_back(std::move(record));
}

void wire_decoder::pump_glo(bool at_end) {
    // Largest raw ciphered frame accepted; a declared length beyond it is an error at once,
    // so hostile input cannot make the decoder buffer without bound.
    constexpr std::size_t max_glo_frame = 65536;
    std::size_t pos = 0;
    for (;;) {
        while (pos < glo_buffer_.size()) {
            const codec::byte_view rest(glo_buffer_.data() + pos, glo_buffer_.size() - pos);
            if (rest[0] != codec::apdu::general_glo_ciphering_tag) {
                // Garbage: one report per run, however the run is split across feeds.
                std::size_t skip = 1;
                while (skip < rest.size() && rest[skip] != codec::apdu::general_glo_ciphering_tag) ++skip;
                if (glo_skipped_ == 0) glo_skip_offset_ = glo_base_ + pos;
                glo_skipped_ += skip;
                pos += skip;
                continue;
            }
            report_glo_skip();
            if (rest.size() < 2) break;
            const std::size_t title_length = rest[1];
            if (rest.size() < 2 + title_length + 1) break;
            auto length =
                codec::axdr::decode_length(rest.subspan(2 + title_length), glo_base_ + pos + 2 + title_length);
            if (!length) {
                add_error(glo_base_ + pos, length.error().message, "malformed");
                pos += 1;
                continue;
            }
            if (!*length) break;
            const std::size_t total = 2 + title_length + (*length)->consumed + (*length)->value;
            if (total > max_glo_frame) {
                add_error(glo_base_ + pos, "glo: frame at offset " + std::to_string(glo_base_ + pos) + " declares " +
                                               std::to_string(total) + " bytes, more than hansim accepts (" +
                                               std::to_string(max_glo_frame) + ")",
                          "too_long");
                pos += 1;
                continue;
            }
            if (rest.size() < total) break;
            on_glo_frame(rest.first(total), glo_base_ + pos);
            pos += total;
        }
        if (!at_end || pos >= glo_buffer_.size()) break;
        // The stream ended inside a frame: report it, then look for frames after its 0xDB.
        add_error(glo_base_ + pos, "glo: stream ended inside a frame", "truncated");
        pos += 1;
    }
    if (at_end) report_glo_skip();
    glo_buffer_.erase(glo_buffer_.begin(), glo_buffer_.begin() + static_cast<std::ptrdiff_t>(pos));
    glo_base_ += pos;
}

void wire_decoder::report_glo_skip() {
    if (glo_skipped_ == 0) return;
    add_error(glo_skip_offset_, "glo: skipped " + std::to_string(glo_skipped_) + " bytes that start no 0xDB frame",
              "garbage");
    glo_skipped_ = 0;
}

void wire_decoder::on_glo_frame(codec::byte_view frame, std::uint64_t offset) {
    json record = json::object();
    record["kind"] = "glo";
    record["offset"] = offset;
    record["length"] = frame.size();
    auto envelope = codec::apdu::glo_envelope::from_bytes(frame, offset);
    if (!envelope) {
        records_.push_back(error_record("glo", offset, envelope.error().message, "malformed"));
        return;
    }
    record["system_title"] = codec::to_hex(envelope->system_title);
    record["security_control"] = envelope->security_control;
    record["invocation_counter"] = envelope->invocation_counter;
    security::system_title title{};
    const bool full_title = envelope->system_title.size() == title.size();
    if (full_title) std::copy(envelope->system_title.begin(), envelope->system_title.end(), title.begin());
    if (full_title && !options_.keys) check_counter(record, title, envelope->invocation_counter);
    if (options_.keys) {
        // The fixed public AK first (what smarty meters and `hansim generate` use), then the
        // key file's own AK (variants such as the Sagemcom T210-D-r).
        auto opened = security::p1_unprotect(frame, options_.keys->encryption_key);
        if (opened) {
            record["authentication_key"] = "luxembourg";
        } else if (opened.error().kind == security::unprotect_error_kind::authentication_failed &&
                   options_.keys->authentication_key != security::luxembourg_authentication_key) {
            auto own = security::p1_unprotect(frame, options_.keys->encryption_key, options_.keys->authentication_key);
            if (own) {
                opened = std::move(own);
                record["authentication_key"] = "key_file";
            }
        }
        if (!opened) {
            record["error"] = opened.error().message;
            record["error_kind"] = security::to_string(opened.error().kind);
        } else {
            record["decrypted"] = true;
            if (full_title) check_counter(record, title, envelope->invocation_counter);
            const auto& text = opened->telegram;
            auto parsed = codec::p1::parse_telegram(
                codec::byte_view(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
            if (auto* t = std::get_if<codec::p1::telegram_frame>(&parsed)) {
                add_p1_fields(record, *t);
            } else if (auto* e = std::get_if<codec::p1::parse_error>(&parsed)) {
                record["error"] = "decrypted telegram: " + e->message;
                record["error_kind"] = "malformed";
            }
        }
    }
    records_.push_back(std::move(record));
}

}  // namespace hansim::meter
