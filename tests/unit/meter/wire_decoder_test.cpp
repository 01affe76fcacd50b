#include <gtest/gtest.h>

#include <string>

#include "hansim/meter/wire_decoder.hpp"
#include "test_data.hpp"

using namespace hansim;
using hansim::report::json;
using hansim::report::member;

namespace {

std::vector<json> decode_all(const codec::bytes& stream, meter::wire_decoder_options options = {}) {
    meter::wire_decoder decoder(std::move(options));
    decoder.feed(stream);
    auto records = decoder.drain();
    for (auto& r : decoder.finish()) records.push_back(std::move(r));
    return records;
}

codec::bytes text_bytes(const std::string& s) { return codec::bytes(s.begin(), s.end()); }

security::security_keys vector_keys() {
    security::security_keys keys;
    const auto ek = codec::from_hex("000102030405060708090A0B0C0D0E0F");
    const auto ak = codec::from_hex("D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF");
    std::copy(ek.begin(), ek.end(), keys.encryption_key.begin());
    std::copy(ak.begin(), ak.end(), keys.authentication_key.begin());
    return keys;
}

}  // namespace

TEST(wire_decoder, every_hdlc_capture_decodes_without_error) {
    std::size_t frames = 0;
    for (const auto& path : test::files_ending("reference-frames", ".hex")) {
        const auto bytes = test::read_hex(path);
        if (bytes.empty() || bytes[0] != 0x7E) continue;
        const auto records = decode_all(bytes);
        ASSERT_EQ(records.size(), 1u) << path;
        EXPECT_EQ(member(records[0], "error"), nullptr) << path << ": " << records[0].dump();
        EXPECT_EQ(member(records[0], "kind")->dump(), "\"hdlc\"") << path;
        ++frames;
    }
    EXPECT_EQ(frames, 14u);  // every HDLC capture in tests/data/reference-frames
}

TEST(wire_decoder, values_are_as_sent_and_keyed_by_obis) {
    const auto records = decode_all(test::read_hex(test::data_dir() / "vectors" / "nve_list2_3ph.hex"));
    ASSERT_EQ(records.size(), 1u);
    const auto& values = *member(records[0], "values");
    EXPECT_EQ(member(values, "1-1:1.8.0.255")->dump(), "12345678");  // unscaled 10 Wh units
    EXPECT_EQ(member(values, "0-1:1.0.0.255")->dump(), "\"2024-01-15T14:00:05\"");
    EXPECT_EQ(member(values, "1-1:0.0.5.255")->dump(), "\"5706567123456784\"");
    EXPECT_EQ(member(records[0], "list")->dump(), "\"list2\"");
}

TEST(wire_decoder, frames_in_one_stream_keep_their_offsets_and_errors_name_offsets) {
    auto a = test::read_hex(test::data_dir() / "vectors" / "nve_list1_3ph.hex");
    auto b = test::read_hex(test::data_dir() / "vectors" / "nve_list1_1ph.hex");
    codec::bytes stream = a;
    stream.insert(stream.end(), {0x01, 0x02, 0x03});  // line noise
    auto broken = b;
    broken[100] ^= 0x10;  // FCS will fail
    stream.insert(stream.end(), broken.begin(), broken.end());
    stream.insert(stream.end(), b.begin(), b.end());
    const auto records = decode_all(stream);
    ASSERT_GE(records.size(), 3u);
    EXPECT_EQ(member(records.front(), "offset")->dump(), "0");
    std::size_t errors = 0;
    for (const auto& r : records)
        if (member(r, "error")) ++errors;
    EXPECT_GE(errors, 1u);
    const auto& last = records.back();
    EXPECT_EQ(member(last, "error"), nullptr);
    EXPECT_EQ(member(last, "offset")->dump(), std::to_string(a.size() + 3 + b.size()));
}

TEST(wire_decoder, ciphered_frame_shows_header_without_keys_and_values_with_keys) {
    const auto frame = test::read_hex(test::data_dir() / "vectors" / "nve_list1_3ph_glo_0x30.hex");
    const auto plain = decode_all(frame);
    ASSERT_EQ(plain.size(), 1u);
    EXPECT_EQ(member(plain[0], "apdu")->dump(), "\"general-glo-ciphering\"");
    EXPECT_EQ(member(plain[0], "invocation_counter")->dump(), "74565");
    EXPECT_EQ(member(plain[0], "values"), nullptr);

    meter::wire_decoder_options with_keys;
    with_keys.keys = vector_keys();
    const auto opened = decode_all(frame, with_keys);
    ASSERT_EQ(opened.size(), 1u);
    EXPECT_EQ(member(*member(opened[0], "values"), "1-1:1.7.0.255")->dump(), "1234");

    with_keys.keys->authentication_key[0] ^= 1;
    const auto refused = decode_all(frame, with_keys);
    ASSERT_EQ(refused.size(), 1u);
    EXPECT_EQ(member(refused[0], "error_kind")->dump(), "\"authentication_failed\"");
}

TEST(wire_decoder, real_danish_capture_decrypts_with_its_published_keys) {
    const auto frame =
        test::read_hex(test::data_dir() / "reference-frames" / "kamstrup_dk_3p_dlmspush_encrypted_gpk_20200107T144720.hex");
    meter::wire_decoder_options options;
    security::security_keys keys;
    const auto ek = codec::from_hex("5AD84121D9D20B364B7A11F3C1B5827F");
    const auto ak = codec::from_hex("AFB3F93E3E7204EDB3C27F96DBD51AE0");
    std::copy(ek.begin(), ek.end(), keys.encryption_key.begin());
    std::copy(ak.begin(), ak.end(), keys.authentication_key.begin());
    options.keys = keys;
    const auto records = decode_all(frame, options);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(member(records[0], "list")->dump(), "\"push1\"");
    EXPECT_EQ(member(*member(records[0], "values"), "1-1:1.8.0.255")->dump(), "866636");
    EXPECT_EQ(member(*member(records[0], "values"), "1-1:0.0.1.255")->dump(), "27581522");
}

TEST(wire_decoder, p1_telegrams_and_crc_errors) {
    auto telegram = test::read_text(test::data_dir() / "vectors" / "p1_kam5_example.txt");
    auto records = decode_all(text_bytes("\r\n" + telegram + telegram));
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(member(records[0], "offset")->dump(), "2");
    const auto* energy = member(*member(records[0], "values"), "1-0:1.8.0");
    ASSERT_NE(energy, nullptr);
    EXPECT_EQ(energy->dump(), "{\"value\":123456.789,\"unit\":\"kWh\"}");

    telegram[20] = telegram[20] == '1' ? '2' : '1';
    records = decode_all(text_bytes(telegram));
    ASSERT_EQ(records.size(), 1u);
    EXPECT_NE(member(records[0], "error"), nullptr);
}

TEST(wire_decoder, every_split_gives_the_same_records) {
    const auto whole = test::read_hex(test::data_dir() / "vectors" / "push1_3ph.hex");
    const auto expected = decode_all(whole);
    for (std::size_t cut = 1; cut < whole.size(); ++cut) {
        meter::wire_decoder decoder;
        decoder.feed(codec::byte_view(whole).first(cut));
        auto records = decoder.drain();
        decoder.feed(codec::byte_view(whole).subspan(cut));
        for (auto& r : decoder.finish()) records.push_back(std::move(r));
        ASSERT_EQ(records.size(), expected.size()) << "cut at " << cut;
        EXPECT_EQ(records[0].dump(), expected[0].dump()) << "cut at " << cut;
    }
}

TEST(wire_decoder, mixed_broken_p1_stream_one_record_per_telegram_at_every_split) {
    const auto telegram = test::read_text(test::data_dir() / "vectors" / "p1_kam5_example.txt");
    const auto bang = telegram.rfind('!');
    std::string bad_crc = telegram;
    bad_crc[bang + 1] = bad_crc[bang + 1] == '0' ? '1' : '0';
    const std::string no_crc = telegram.substr(0, bang + 1) + "\r\n";
    const std::string cut = telegram.substr(0, 40);
    // good, bad CRC, missing CRC, noise, cut short, good, and a cut one at the very end
    const std::vector<std::string> pieces{telegram, bad_crc, no_crc, "noise\r\n", cut, telegram, cut};
    std::string stream;
    std::vector<std::pair<std::size_t, std::string>> want;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        const char* kinds[] = {"", "bad_crc", "missing_crc", nullptr, "truncated", "", "truncated"};
        if (kinds[i]) want.emplace_back(stream.size(), kinds[i]);
        stream += pieces[i];
    }
    const auto bytes = text_bytes(stream);
    const auto describe = [](const std::vector<json>& records) {
        std::vector<std::pair<std::size_t, std::string>> out;
        for (const auto& r : records) {
            const auto* kind = member(r, "error_kind");
            out.emplace_back(member(r, "offset")->get<std::size_t>(), kind ? kind->get<std::string>() : "");
        }
        return out;
    };
    EXPECT_EQ(describe(decode_all(bytes)), want);
    for (std::size_t cut_at = 1; cut_at < bytes.size(); ++cut_at) {
        meter::wire_decoder decoder;
        decoder.feed(codec::byte_view(bytes).first(cut_at));
        auto records = decoder.drain();
        decoder.feed(codec::byte_view(bytes).subspan(cut_at));
        for (auto& r : decoder.finish()) records.push_back(std::move(r));
        ASSERT_EQ(describe(records), want) << "split at " << cut_at;
    }
}
