#pragma once
/// @file
/// Decodes whatever a HAN or P1 port carries into one JSON record per frame or telegram:
/// the engine behind `hansim decode` and the Python `decode()` helper. No I/O: feed bytes,
/// drain records.
///
/// Streams:
/// - HDLC (first byte 0x7E): frames by length, HCS/FCS checked, segments reassembled, LLC
///   stripped, then the APDU: a data-notification (0x0F) is decoded to its fields and
///   `values`; a general-glo-ciphering APDU (0xDB/0xDC) shows its header fields and, with
///   keys, is opened and decoded like a plain one (authentication failure is reported as
///   such, distinct from malformed input). A system title that is not 8 bytes is malformed
///   (error_offset: its length byte), keys or not: no IV can be formed from it.
/// - P1 (first byte '/'): telegrams with CRC checked; values as number and unit.
/// - Raw general-glo-ciphering frames (first byte 0xDB): the Luxembourg-style encrypted P1;
///   with keys, the telegram inside is decoded. It is opened with the fixed public AK first
///   (as smarty meters and `hansim generate` make it), then with the key file's AK;
///   `authentication_key` says which ("luxembourg" or "key_file").
/// - Bare APDUs and LLC PDUs (protocol apdu / llc only, never guessed): one PDU per unit.
///
/// Record fields: `kind` ("hdlc", "p1", "glo"), `offset` (stream offset of the first byte),
/// `length`, per layer fields, and `values`, mapping OBIS text ("1-1:1.7.0.255", P1
/// "1-0:1.7.0") to the value as sent: integers unscaled, strings as text, COSEM date-times
/// as ISO 8601, other octet strings as hex, P1 numbers as {"value", "unit"}. A broken frame
/// gives {"error": message, "error_kind", "offset"} instead: exactly one such record per
/// broken frame, `offset` at its first byte. `error_kind` is one word of the shared vocabulary
/// (codec/error_kind.hpp: garbage, truncated, bad_hcs, bad_fcs, bad_crc, missing_crc,
/// too_long, segments, malformed, unsupported) or of the ciphering layer
/// (authentication_failed, unsupported_security_control).
///
/// Invocation counters: the decoder remembers, per system title, the last invocation counter
/// of ciphered HDLC and raw glo frames (security::counter_monitor) and flags a frame whose counter repeats,
/// goes backwards or jumps by more than `counter_max_step` with `counter_anomaly` ("stuck",
/// "backwards", "jump") and `counter_message` (what was seen after what). Such a frame is
/// otherwise decoded normally (it is no error). With keys only frames that authenticated
/// count (a forged header says nothing about the sender's counter); without keys every frame
/// whose ciphered header parses does.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hansim/codec/axdr/data.hpp"
#include "hansim/codec/bytes.hpp"
#include "hansim/codec/hdlc/stream_decoder.hpp"
#include "hansim/codec/p1/parser.hpp"
#include "hansim/meter/list_options.hpp"
#include "hansim/report/json.hpp"
#include "hansim/security/counter_monitor.hpp"
#include "hansim/security/keys.hpp"

namespace hansim::meter {

enum class wire_protocol {
    automatic,  ///< decided by the first byte that is not white space: 0x7E, '/' or 0xDB
    hdlc,
    p1,
    glo,  ///< raw general-glo-ciphering frames carrying P1 telegrams (Luxembourg style)
    apdu,  ///< one bare APDU per unit (data-notification or ciphered), see end_of_unit()
    llc,   ///< one LLC PDU (E6 E7 00 + APDU) per unit
};

/// "auto", "hdlc", "p1", "glo", "apdu" or "llc" (the spelling of `hansim decode --protocol` and of the
/// Python decode()). Throws std::invalid_argument naming the allowed values.
wire_protocol parse_wire_protocol(std::string_view text);

struct wire_decoder_options {
    wire_protocol protocol = wire_protocol::automatic;
    /// Keys for ciphered frames; without them a ciphered frame decodes to its header fields.
    std::optional<security::security_keys> keys;
    /// Resolutions used to recognise Kamstrup lists and report the list name (they do not
    /// change `values`, which are always as sent).
    list_options lists;
    /// Largest counter step between two frames of one system title that is not a `jump`.
    std::uint32_t counter_max_step = security::counter_monitor::default_max_step;
};

class wire_decoder {
public:
    explicit wire_decoder(wire_decoder_options options = {});

    /// Appends bytes; complete records become available from drain().
    void feed(codec::byte_view data);
    /// Records completed since the last call, in stream order.
    std::vector<report::json> drain();
    /// End of input: records for anything left incomplete (as errors), then drain().
    std::vector<report::json> finish();
    /// apdu and llc protocols: the bytes fed since the last unit are one PDU; decode it into
    /// one record (kind "apdu" / "llc"). No-op for the stream protocols, which find their
    /// frames themselves. finish() ends the last unit.
    void end_of_unit();

private:
    void route(codec::byte_view data);
    void pump_hdlc();
    void pump_p1();
    void pump_glo(bool at_end);
    void on_hdlc_frame(const codec::hdlc::frame_event& event);
    void on_p1_telegram(const codec::p1::telegram_frame& frame);
    void on_glo_frame(codec::byte_view frame, std::uint64_t offset);
    void report_glo_skip();
    void add_error(std::uint64_t offset, std::string message, std::string_view kind);
    void check_counter(report::json& record, const security::system_title& title, std::uint32_t invocation_counter);

    wire_decoder_options options_;
    wire_protocol active_;
    std::uint64_t fed_ = 0;                ///< bytes fed before the protocol was decided
    codec::hdlc::stream_decoder hdlc_;
    codec::hdlc::segment_reassembler segments_;
    std::uint64_t segment_offset_ = 0;
    bool in_segments_ = false;
    codec::p1::parser p1_;
    codec::bytes glo_buffer_;
    std::uint64_t glo_base_ = 0;           ///< stream offset of glo_buffer_[0]
    std::uint64_t glo_skipped_ = 0;        ///< garbage bytes not yet reported
    std::uint64_t glo_skip_offset_ = 0;    ///< where that garbage began
    std::vector<report::json> records_;
    codec::bytes unit_;                    ///< apdu/llc: the PDU being collected
    std::uint64_t unit_offset_ = 0;        ///< its stream offset
    security::counter_monitor counters_;
};

/// The `values` object for a decoded data-notification body (exposed for tests and the
/// ground-truth records of `hansim generate`).
report::json notification_values(const codec::axdr::data& body);

/// One P1 value group as records show it: a number as {"value", "unit"}, a timestamp as
/// {"time" (ISO 8601, no offset), "dst"}, anything else as its text.
report::json p1_value_json(const codec::p1::value& value);

}  // namespace hansim::meter
