// Every capture and vector (.hex) decoded through all layers, checked against the decoded
// values published with it (tests/data/reference-frames/SOURCES.md, tests/data/vectors/README.md
// and PROTOCOLS.md §3.6-§5.4), then re-encoded from the decoded content to the identical bytes.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hansim/codec/apdu/data_notification.hpp"
#include "hansim/codec/apdu/glo_ciphering.hpp"
#include "hansim/codec/apdu/llc.hpp"
#include "hansim/codec/apdu/notification_elements.hpp"
#include "hansim/codec/hdlc/frame.hpp"
#include "test_data.hpp"

using namespace hansim::codec;
using apdu::date_time_encoding;

namespace {

// OBIS codes of the Kamstrup lists (value group B = 1 throughout).
const obis_code gs1_id = obis(1, 1, 0, 0, 5);
const obis_code meter_type = obis(1, 1, 96, 1, 1);
const obis_code meter_number = obis(1, 1, 0, 0, 1);
const obis_code clock = obis(0, 1, 1, 0, 0);
const obis_code p_import = obis(1, 1, 1, 7, 0), p_export = obis(1, 1, 2, 7, 0);
const obis_code q_import = obis(1, 1, 3, 7, 0), q_export = obis(1, 1, 4, 7, 0);
const obis_code i1 = obis(1, 1, 31, 7, 0), i2 = obis(1, 1, 51, 7, 0), i3 = obis(1, 1, 71, 7, 0);
const obis_code u1 = obis(1, 1, 32, 7, 0), u2 = obis(1, 1, 52, 7, 0), u3 = obis(1, 1, 72, 7, 0);
const obis_code a_import = obis(1, 1, 1, 8, 0), a_export = obis(1, 1, 2, 8, 0);
const obis_code r_import = obis(1, 1, 3, 8, 0), r_export = obis(1, 1, 4, 8, 0);
const obis_code pf_l1 = obis(1, 1, 33, 7, 0), pf_total = obis(1, 1, 13, 7, 0);
const obis_code a_import_l1 = obis(1, 1, 21, 8, 0), a_import_l2 = obis(1, 1, 41, 8, 0),
                a_import_l3 = obis(1, 1, 61, 8, 0);

struct envelope_facts {
    const char* system_title;  // hex
    std::uint8_t security_control;
    std::uint32_t invocation_counter;
    std::size_t content_length;
};

struct expectation {
    const char* file;  // under tests/data
    std::uint8_t hdlc_destination = 0, hdlc_source = 0;  // 1-byte wire addresses; 0 = no HDLC
    std::optional<envelope_facts> envelope;
    // The data-notification (absent for ciphertext-only envelopes).
    const char* time = nullptr;  // ISO form of the APDU date-time
    date_time_encoding dt = date_time_encoding::standard;
    std::size_t members = 0;       // structure count
    std::size_t placeholders = 0;  // null placeholder elements
    const char* gs1 = nullptr;
    const char* type = nullptr;
    std::vector<std::pair<obis_code, std::uint64_t>> values;
    bool clock_equals_header = false;  // list 2 / push 1: the clock object repeats the header time
    bool kamstrup_body = true;  // false: a bare OBIS/value structure without the version string
};

constexpr std::uint8_t c2b = 0x2B, c21 = 0x21;

std::vector<expectation> expectations() {
    return {
        // --- real captures (SOURCES.md) ------------------------------------------------------
        {"reference-frames/kamstrup_no_3p_list1_xibriz_20171020T044332.hex", c2b, c21, {}, "2017-10-20T03:43:30",
         date_time_encoding::legacy_09, 25, 0, "5706567274389702", "6841121BN243101040",
         {{p_import, 1468}, {p_export, 0}, {q_import, 0}, {q_export, 462}, {i1, 564}, {i2, 202}, {i3, 511},
          {u1, 232}, {u2, 228}, {u3, 233}}},
        {"reference-frames/kamstrup_no_3p_list1_xibriz_20171020T050311_0x7E_in_payload.hex", c2b, c21, {},
         "2017-10-20T04:03:10", date_time_encoding::legacy_09, 25, 0, "5706567274389702", "6841121BN243101040",
         {{p_import, 0x0A7E}}},
        {"reference-frames/kamstrup_no_3p_list2_xibriz_20171020T050007.hex", c2b, c21, {}, "2017-10-20T04:00:05",
         date_time_encoding::legacy_09, 35, 0, "5706567274389702", "6841121BN243101040",
         {{a_import, 427244}, {a_export, 0}, {r_import, 80}, {r_export, 61813}}, true},
        {"reference-frames/kamstrup_no_3p_list2_xibriz_20171020T060007.hex", c2b, c21, {}, "2017-10-20T05:00:05",
         date_time_encoding::legacy_09, 35, 0, "5706567274389702", "6841121BN243101040",
         {{a_import, 427447}, {r_export, 61847}}, true},
        {"reference-frames/kamstrup_no_1p_list1_amsreader_20220205T130010.hex", c2b, c21, {}, "2022-02-05T13:00:10",
         date_time_encoding::standard, 25, 4, "5706567271533207", "6861111BN242101040",
         {{p_import, 616}, {q_import, 83}, {i1, 290}, {u1, 226}}},
        {"reference-frames/kamstrup_no_1p_list1_amsreader_20220205T130020.hex", c2b, c21, {}, "2022-02-05T13:00:20",
         date_time_encoding::standard, 25, 4, "5706567271533207", "6861111BN242101040", {{i1, 291}, {u1, 225}}},
        {"reference-frames/kamstrup_no_1p_list2_amsreader_20220205T130025.hex", c2b, c21, {}, "2022-02-05T13:00:25",
         date_time_encoding::standard, 35, 4, "5706567271533207", "6861111BN242101040",
         {{p_import, 619}, {q_import, 84}, {i1, 293}, {u1, 225}, {a_import, 1232787}, {a_export, 0},
          {r_import, 36046}, {r_export, 386308}},
         true},
        {"reference-frames/kamstrup_no_1p_list1_llcpdu_amshan_20220117T124440.hex", 0, 0, {}, "2022-01-17T12:44:40",
         date_time_encoding::standard, 25, 4, "5705705705705702", "6861111BN242101040",
         {{p_import, 1896}, {q_export, 493}, {i1, 896}, {u1, 225}}},
        {"reference-frames/kamstrup_no_1p_list2_llcpdu_amshan_20211124T000025.hex", 0, 0, {}, "2021-11-24T00:00:25",
         date_time_encoding::standard, 35, 4, "5705705705705702", "6861111BN242101040",
         {{p_import, 10050}, {q_export, 279}, {i1, 4512}, {u1, 223}, {a_import, 7745250}, {r_import, 13731},
          {r_export, 1141587}},
         true},
        {"reference-frames/kamstrup_no_3p_list1_amsreader-gh862-3.hex", c2b, c21, {}, "2024-10-30T17:32:00",
         date_time_encoding::standard, 25, 0, "5706567277656672", "6841131BN243101040",
         {{p_import, 3825}, {q_export, 387}, {i1, 106}, {i2, 995}, {i3, 601}, {u1, 242}, {u2, 240}, {u3, 242}}},
        {"reference-frames/kamstrup_se_3p_list1_amshan_20220124T185850.hex", c2b, c21, {}, "2022-01-24T18:58:50",
         date_time_encoding::standard, 25, 0, "5706567326590407", "6841138BN245101090",
         {{p_import, 826}, {q_import, 104}, {q_export, 176}, {i1, 237}, {i2, 89}, {i3, 75}, {u1, 232}, {u2, 233},
          {u3, 236}}},
        {"reference-frames/kamstrup_se_3p_list1_amsreader-gh239-1.hex", c2b, c21, {}, "2022-02-17T22:33:50",
         date_time_encoding::standard, 25, 0, "5706567331323526", "6841131BN245101092",
         {{p_import, 3503}, {q_import, 1562}, {i1, 581}, {i2, 560}, {i3, 446}, {u1, 243}, {u2, 242}, {u3, 243}}},
        {"reference-frames/kamstrup_se_3p_list2_amsreader-gh239-2.hex", c2b, c21, {}, "2022-02-18T22:00:35",
         date_time_encoding::standard, 35, 0, "5706567331323526", "6841131BN245101092",
         {{p_import, 2269}, {q_export, 400}, {a_import, 32014158}, {r_import, 5796235}, {r_export, 1073187}}, true},
        {"reference-frames/kamstrup_dk_3p_list1_amsreader-gh741-1.hex", c2b, c21, {}, "2024-03-01T12:37:20",
         date_time_encoding::standard, 25, 0, "5706567282299475", "6841138BN143101010",
         {{p_import, 21}, {q_export, 191}, {i1, 79}, {i2, 48}, {i3, 123}, {u1, 226}, {u2, 221}, {u3, 226}}},
        {"reference-frames/kamstrup_dk_3p_dlmspush_encrypted_gpk_20200107T144720.hex", 0x41, 0x03,
         envelope_facts{"4B414D4501A4DC52", 0x30, 0x000788E1, 464}, nullptr, {}, 0, 0, nullptr, nullptr, {}},
        {"reference-frames/kamstrup_dk_3p_dlmspush_encrypted_gpk_20200107T144720.plaintext_apdu.hex", 0, 0, {},
         "2020-01-07T14:47:20", date_time_encoding::standard, 65, 0, nullptr, nullptr,
         {{a_import, 866636}, {r_import, 17708}, {meter_number, 27581522}, {u1, 224}, {u2, 223}, {u3, 223},
          {i1, 0}, {pf_l1, 100}, {a_import_l1, 288932}, {a_import_l2, 288652}, {a_import_l3, 289051}},
         true},
        {"reference-frames/kamstrup_dk_3p_dlmspush_plain_CT_amsreader-gh216-1.hex", c2b, c21, {},
         "2022-02-01T09:17:20", date_time_encoding::standard, 65, 0, nullptr, nullptr,
         {{a_import, 12767600}, {a_export, 20697749}, {r_import, 144517310}, {p_export, 2585}, {q_import, 63364},
          {u1, 233}, {i1, 90999}, {i2, 93955}, {i3, 92645}},
         true},
        {"reference-frames/kamstrup_ch_3p_dlmspush_apdu_plaintext_amsreader-gh350-2.hex", 0, 0, {},
         "2022-10-31T11:27:00", date_time_encoding::standard, 65, 0, nullptr, nullptr,
         {{a_import, 171735}, {a_export, 25127}, {p_export, 528}, {u1, 234}, {u2, 236}, {u3, 233}, {i1, 147},
          {i2, 162}, {i3, 171}},
         true},
        {"reference-frames/kamstrup_dk_3p_dlmspush_apdu_plaintext_amsreader-gh517-2.hex", 0, 0, {},
         "2023-04-06T13:49:50", date_time_encoding::standard, 37, 0, nullptr, nullptr,
         {{a_import, 1352997}, {p_import, 485}, {u1, 232}, {i1, 244}}, true},

        // --- worked examples (vectors/README.md, PROTOCOLS.md) -----------------------------
        {"vectors/nve_list1_3ph.hex", c2b, c21, {}, "2024-01-15T13:45:20", date_time_encoding::standard, 25, 0,
         "5706567123456784", "6841131BN243101040",
         {{p_import, 1234}, {p_export, 0}, {q_import, 0}, {q_export, 321}, {i1, 567}, {i2, 234}, {i3, 89},
          {u1, 230}, {u2, 231}, {u3, 229}}},
        {"vectors/nve_list2_3ph.hex", c2b, c21, {}, "2024-01-15T14:00:05", date_time_encoding::standard, 35, 0,
         "5706567123456784", "6841131BN243101040",
         {{p_import, 1234}, {a_import, 12345678}, {a_export, 0}, {r_import, 123456}, {r_export, 987654}}, true},
        {"vectors/nve_list1_1ph.hex", c2b, c21, {}, "2024-01-15T13:45:20", date_time_encoding::standard, 25, 4,
         "5706567123456784", "6861111BN242101040", {{p_import, 1234}, {q_export, 321}, {i1, 567}, {u1, 230}}},
        {"vectors/nve_list2_1ph.hex", c2b, c21, {}, "2024-01-15T14:00:05", date_time_encoding::standard, 35, 4,
         "5706567123456784", "6861111BN242101040", {{i1, 567}, {u1, 230}, {a_import, 12345678}}, true},
        {"vectors/push1_3ph.hex", c2b, c21, {}, "2024-01-15T13:45:20", date_time_encoding::standard, 65, 0, nullptr,
         nullptr, {{a_import, 12345678}, {meter_number, 12345678}, {pf_l1, 98}, {pf_total, 97}}, true},
        {"vectors/push1_1ph.hex", c2b, c21, {}, "2024-01-15T13:45:20", date_time_encoding::standard, 37, 0, nullptr,
         nullptr, {{a_import, 12345678}, {meter_number, 12345678}, {u1, 230}, {i1, 567}}, true},
        {"vectors/nve_list1_3ph_glo_0x30.hex", 0x41, 0x03, envelope_facts{"4B414D4500BC614E", 0x30, 0x00012345, 231}, nullptr, {}, 0, 0, nullptr, nullptr, {}},
        {"vectors/small_glo_apdu.hex", 0, 0, envelope_facts{"4B414D4500BC614E", 0x30, 0x00012346, 50}, nullptr, {}, 0, 0, nullptr, nullptr, {}},
        {"vectors/small_glo_enc_only.hex", 0, 0, envelope_facts{"4B414D4500BC614E", 0x20, 0x00012347, 38}, nullptr, {}, 0, 0, nullptr, nullptr, {}},
        // SC 0x10: the payload is the plaintext APDU followed by the 12-byte tag.
        {"vectors/small_glo_auth_only.hex", 0, 0, envelope_facts{"4B414D4500BC614E", 0x10, 0x00012348, 50},
         "2024-01-15T13:45:20", date_time_encoding::standard, 2, 0, nullptr, nullptr, {{p_import, 0}}, false, false},
        {"vectors/lux_p1_glo.hex", 0, 0, envelope_facts{"5341471122334455", 0x30, 0x0000ABCD, 83}, nullptr, {}, 0, 0, nullptr, nullptr, {}},
    };
}

std::string name_of(const std::filesystem::path& path) {
    return path.parent_path().filename().string() + "/" + path.filename().string();
}

/// Checks the notification against `e`; returns the APDU rebuilt from its decoded content.
bytes check_notification(const expectation& e, byte_view wire) {
    const auto apdu = apdu::data_notification::from_bytes(wire);
    EXPECT_TRUE(apdu.ok()) << apdu.error().message;
    if (!apdu.ok()) return {};
    EXPECT_EQ(apdu->long_invoke_id_and_priority, 0u);
    EXPECT_EQ(apdu->dt_encoding, e.dt);
    EXPECT_TRUE(apdu->date_time.has_value());
    if (apdu->date_time) {
        EXPECT_EQ(apdu->date_time->to_iso8601(), e.time);
        EXPECT_EQ(apdu->date_time->day_of_week, cosem_date_time::weekday_of(apdu->date_time->year,
                                                                            apdu->date_time->month,
                                                                            apdu->date_time->day));
    }
    EXPECT_EQ(apdu->body.children().size(), e.members);
    if (!e.kamstrup_body) {  // the small worked APDU: structure { OBIS, value }
        EXPECT_EQ(apdu->body.children().size(), 2u);
        EXPECT_EQ(apdu::obis_of(apdu->body.children().at(0)), e.values.at(0).first);
        EXPECT_EQ(apdu->body.children().at(1).as_unsigned(), e.values.at(0).second);
        return apdu->to_bytes();
    }

    const auto elements = apdu::split_flat_body(apdu->body);
    EXPECT_TRUE(elements.ok()) << elements.error().message;
    if (!elements.ok()) return {};
    EXPECT_EQ(elements->at(0).value.as_string(), "Kamstrup_V0001");
    std::map<obis_code, axdr::data> by_obis;
    std::size_t placeholders = 0;
    for (const auto& element : *elements) {
        if (element.obis) by_obis.emplace(*element.obis, element.value);
        if (element.is_placeholder()) ++placeholders;
    }
    EXPECT_EQ(placeholders, e.placeholders);
    if (e.gs1) {
        EXPECT_EQ(by_obis.at(gs1_id).as_string(), e.gs1);
    }
    if (e.type) {
        EXPECT_EQ(by_obis.at(meter_type).as_string(), e.type);
    }
    for (const auto& [code, value] : e.values) {
        EXPECT_TRUE(by_obis.count(code)) << code.to_string();
        if (by_obis.count(code)) {
            EXPECT_EQ(by_obis.at(code).as_unsigned(), value) << code.to_string();
        }
    }
    if (e.clock_equals_header) {
        const auto& clock_value = by_obis.at(clock).as_bytes();
        EXPECT_EQ(cosem_date_time::from_bytes(clock_value), apdu->date_time);
    } else {
        EXPECT_FALSE(by_obis.count(clock));
    }

    // Rebuild from the decoded pieces, not from the parsed structure itself.
    apdu::data_notification rebuilt;
    rebuilt.long_invoke_id_and_priority = apdu->long_invoke_id_and_priority;
    rebuilt.dt_encoding = apdu->dt_encoding;
    rebuilt.date_time = apdu->date_time;
    rebuilt.body = apdu::make_flat_body(*elements);
    return rebuilt.to_bytes();
}

/// Checks the envelope against `e`; returns the envelope rebuilt from its fields.
bytes check_envelope(const expectation& e, byte_view wire) {
    const auto envelope = apdu::glo_envelope::from_bytes(wire);
    EXPECT_TRUE(envelope.ok()) << envelope.error().message;
    if (!envelope.ok()) return {};
    EXPECT_EQ(envelope->tag, 0xDB);
    EXPECT_EQ(to_hex(envelope->system_title), e.envelope->system_title);
    // Kamstrup's `82 hh ll`: non-minimal below 256, minimal from 256 on.
    EXPECT_EQ(wire[2 + envelope->system_title.size()], 0x82);
    EXPECT_EQ(envelope->length_form,
              e.envelope->content_length < 256 ? axdr::length_form::forced_82 : axdr::length_form::minimal);
    EXPECT_EQ(envelope->security_control, e.envelope->security_control);
    EXPECT_EQ(envelope->invocation_counter, e.envelope->invocation_counter);
    EXPECT_EQ(envelope->content_length(), e.envelope->content_length);

    apdu::glo_envelope rebuilt;
    rebuilt.system_title = envelope->system_title;
    rebuilt.length_form = envelope->length_form;
    rebuilt.security_control = envelope->security_control;
    rebuilt.invocation_counter = envelope->invocation_counter;
    rebuilt.payload = envelope->payload;
    if (e.time) {  // authenticated-only: clear APDU then tag
        EXPECT_GT(envelope->payload.size(), 12u);
        const byte_view plaintext = byte_view(envelope->payload).first(envelope->payload.size() - 12);
        EXPECT_EQ(check_notification(e, plaintext), bytes(plaintext.begin(), plaintext.end()));
    }
    return rebuilt.to_bytes();
}

/// Decodes the APDU layer (0F or DB) and returns its rebuilt bytes.
bytes check_apdu(const expectation& e, byte_view wire) {
    EXPECT_FALSE(wire.empty());
    if (wire.empty()) return {};
    if (wire[0] == apdu::data_notification_tag) {
        EXPECT_FALSE(e.envelope.has_value());
        return check_notification(e, wire);
    }
    EXPECT_EQ(wire[0], apdu::general_glo_ciphering_tag);
    EXPECT_TRUE(e.envelope.has_value());
    if (!e.envelope) return {};
    return check_envelope(e, wire);
}

bytes check_llc_pdu(const expectation& e, byte_view wire) {
    const auto apdu = apdu::strip_llc(wire);
    EXPECT_TRUE(apdu.ok()) << apdu.error().message;
    if (!apdu.ok()) return {};
    EXPECT_EQ(to_hex(wire.first(3)), "E6E700");
    return apdu::wrap_llc(check_apdu(e, *apdu));
}

bytes check_hdlc(const expectation& e, byte_view wire) {
    const auto frame = hdlc::decode_frame(wire);
    EXPECT_TRUE(frame.ok()) << frame.error().message;
    if (!frame.ok()) return {};
    bytes addresses;
    hdlc::encode_address(addresses, frame->destination);
    hdlc::encode_address(addresses, frame->source);
    EXPECT_EQ(addresses, (bytes{e.hdlc_destination, e.hdlc_source}));
    EXPECT_EQ(frame->control, 0x13);
    EXPECT_FALSE(frame->segmented);
    hdlc::hdlc_frame rebuilt{frame->destination, frame->source, frame->control, false,
                             check_llc_pdu(e, frame->information)};
    return hdlc::encode(rebuilt);
}

}  // namespace

TEST(golden_captures, every_hex_file_has_an_expectation) {
    std::map<std::string, bool> known;
    for (const auto& e : expectations()) known[e.file] = true;
    std::size_t files = 0;
    for (const char* folder : {"reference-frames", "vectors"}) {
        for (const auto& path : hansim::test::files_ending(folder, ".hex")) {
            EXPECT_TRUE(known.count(name_of(path))) << "no expectation for " << name_of(path);
            ++files;
        }
    }
    EXPECT_EQ(files, expectations().size());
}

TEST(golden_captures, decode_check_and_reencode_identically) {
    for (const auto& e : expectations()) {
        SCOPED_TRACE(e.file);
        const bytes wire = hansim::test::read_hex(hansim::test::data_dir() / e.file);
        ASSERT_FALSE(wire.empty());
        bytes rebuilt;
        switch (wire[0]) {
            case hdlc::flag:
                ASSERT_NE(e.hdlc_destination, 0) << "capture is an HDLC frame";
                rebuilt = check_hdlc(e, wire);
                break;
            case 0xE6:
                ASSERT_EQ(e.hdlc_destination, 0);
                rebuilt = check_llc_pdu(e, wire);
                break;
            case apdu::data_notification_tag:
            case apdu::general_glo_ciphering_tag:
                ASSERT_EQ(e.hdlc_destination, 0);
                rebuilt = check_apdu(e, wire);
                break;
            default:
                FAIL() << "unclassified first byte " << to_hex(byte_view(wire).first(1));
        }
        EXPECT_EQ(to_spaced_hex(rebuilt), to_spaced_hex(wire));
    }
}
