// Every ciphering fault, injected by a simulated meter and recognised by the wire decoder.
#include <gtest/gtest.h>

#include "hansim/faults/catalogue.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "hansim/meter/fault_plan.hpp"
#include "hansim/meter/meter_source.hpp"
#include "hansim/meter/profile.hpp"
#include "hansim/meter/push_record.hpp"
#include "hansim/meter/wire_decoder.hpp"
#include "hansim/security/invocation_counter_store.hpp"

using namespace hansim;
using namespace hansim::meter;
using hansim::report::json;
using hansim::report::member;
using hansim::security::cipher_fault;
using hansim::security::security_policy;

namespace {

// The keys of tests/data/vectors/README.md.
security::security_keys vector_keys() {
    security::security_keys keys;
    const auto ek = codec::from_hex("000102030405060708090A0B0C0D0E0F");
    const auto ak = codec::from_hex("D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF");
    std::copy(ek.begin(), ek.end(), keys.encryption_key.begin());
    std::copy(ak.begin(), ak.end(), keys.authentication_key.begin());
    return keys;
}

meter_config danish_meter(security_policy policy, const std::string& faults) {
    meter_config c = profile_config("kamstrup-dk-3p");
    c.start = std::chrono::sys_days{std::chrono::year{2024} / 3 / 1} + std::chrono::hours{9};
    c.security = policy;
    c.faults = hansim::faults::parse_fault_plan(faults);
    return c;
}

std::vector<push_frame> pushes(const meter_config& c, std::size_t count,
                               security::invocation_counter_store* store = nullptr) {
    const auto keys = vector_keys();
    auto source = make_push_source(c, &keys, store);
    std::vector<push_frame> frames;
    for (std::size_t i = 0; i < count; ++i) frames.push_back(source->next());
    return frames;
}

// All frames as one stream through one decoder (so it sees the counter history).
std::vector<json> decode_stream(const std::vector<push_frame>& frames, bool with_keys) {
    wire_decoder_options options;
    if (with_keys) options.keys = vector_keys();
    wire_decoder decoder(options);
    for (const auto& f : frames) decoder.feed(f.wire);
    auto records = decoder.drain();
    for (auto& r : decoder.finish()) records.push_back(std::move(r));
    return records;
}

std::string text(const json* value) { return value ? value->dump() : "(absent)"; }

void expect_clean(const json& record, bool with_keys, const std::string& where) {
    EXPECT_EQ(member(record, "error"), nullptr) << where << ": " << record.dump();
    EXPECT_EQ(member(record, "counter_anomaly"), nullptr) << where << ": " << record.dump();
    if (with_keys) {
        EXPECT_EQ(text(member(record, "decrypted")), "true") << where;
        ASSERT_NE(member(record, "values"), nullptr) << where;
        EXPECT_EQ(text(member(*member(record, "values"), "1-1:0.0.1.255")), "27581522") << where;  // meter number
    }
}

/// What the decoder must say about the faulty frame 3 (SC 0x30 and 0x10).
void expect_recognised(cipher_fault fault, const json& record, std::uint64_t frame_offset, bool with_keys) {
    const std::string where = std::string(security::to_string(fault)) + (with_keys ? " with keys" : " without keys");
    const std::uint64_t apdu_offset = frame_offset + 8 + 3;  // flag, format, 41, 03, control, HCS; LLC
    switch (fault) {
        case cipher_fault::wrong_encryption_key:
        case cipher_fault::wrong_authentication_key:
        case cipher_fault::corrupted_tag:
        case cipher_fault::foreign_system_title:
        case cipher_fault::sc_mismatch:
            if (with_keys) {
                EXPECT_EQ(text(member(record, "error_kind")), "\"authentication_failed\"") << where << record.dump();
                EXPECT_EQ(member(record, "values"), nullptr) << where;
            } else {  // the header alone looks fine
                EXPECT_EQ(member(record, "error"), nullptr) << where << record.dump();
            }
            EXPECT_EQ(member(record, "counter_anomaly"), nullptr) << where << record.dump();
            break;
        case cipher_fault::counter_stuck:
        case cipher_fault::counter_backwards:
        case cipher_fault::counter_jump: {
            const std::string expected = fault == cipher_fault::counter_stuck       ? "\"stuck\""
                                         : fault == cipher_fault::counter_backwards ? "\"backwards\""
                                                                                    : "\"jump\"";
            EXPECT_EQ(text(member(record, "counter_anomaly")), expected) << where << record.dump();
            EXPECT_NE(text(member(record, "counter_message")).find("4B414D45"), std::string::npos) << where;
            EXPECT_EQ(member(record, "error"), nullptr) << where << record.dump();
            if (with_keys) {
                EXPECT_NE(member(record, "values"), nullptr) << where;  // still a good frame
            }
            break;
        }
        case cipher_fault::empty_system_title:
            EXPECT_EQ(text(member(record, "error_kind")), "\"malformed\"") << where << record.dump();
            EXPECT_EQ(text(member(record, "error_offset")), std::to_string(apdu_offset + 1)) << where << record.dump();
            break;
        case cipher_fault::length_off_by_one:
            EXPECT_EQ(text(member(record, "error_kind")), "\"malformed\"") << where << record.dump();
            EXPECT_EQ(text(member(record, "error_offset")), std::to_string(apdu_offset + 10)) << where << record.dump();
            break;
    }
}

}  // namespace

TEST(meter_faults, every_fault_on_frame_3_is_recognised_and_the_others_decode_cleanly) {
    for (const auto policy : {security_policy::encrypt_authenticate, security_policy::authenticate}) {
        const auto clean = pushes(danish_meter(policy, ""), 6);
        for (const auto fault : security::all_cipher_faults()) {
            const std::string name(security::to_string(fault));
            SCOPED_TRACE(name + " under security " + std::string(security::to_string(policy)));
            const meter_config c = danish_meter(policy, name + "@3");
            const auto frames = pushes(c, 6);
            for (std::size_t i = 0; i < frames.size(); ++i) {
                EXPECT_EQ(frames[i].fault, i == 3 ? name : "") << i;
                // Ground truth (jsonl) names the fault on frame 3 only.
                EXPECT_EQ(text(member(push_record_json(frames[i], c), "fault")), i == 3 ? "\"" + name + "\"" : "null");
            }
            for (std::size_t i : {0u, 1u, 2u}) EXPECT_EQ(frames[i].wire, clean[i].wire) << i;
            if (fault != cipher_fault::counter_jump) {  // the counter drawn for frame 3 is used up either way
                for (std::size_t i : {4u, 5u}) EXPECT_EQ(frames[i].wire, clean[i].wire) << i;
            }
            EXPECT_NE(frames[3].wire, clean[3].wire);

            for (const bool with_keys : {true, false}) {
                const auto records = decode_stream(frames, with_keys);
                ASSERT_EQ(records.size(), 6u);
                std::uint64_t offset = 0;
                for (std::size_t i = 0; i < records.size(); ++i) {
                    EXPECT_EQ(text(member(records[i], "offset")), std::to_string(offset));
                    const std::string where = "frame " + std::to_string(i) + (with_keys ? " with keys" : " without keys");
                    if (i == 3) expect_recognised(fault, records[i], offset, with_keys);
                    else expect_clean(records[i], with_keys, where);
                    // The decoder reads the IC the ground truth says was written.
                    if (const auto* ic = member(records[i], "invocation_counter")) {
                        EXPECT_EQ(ic->dump(), std::to_string(*frames[i].invocation_counter)) << where;
                    }
                    offset += frames[i].wire.size();
                }
            }
        }
    }
}

TEST(meter_faults, counter_faults_write_the_documented_counters) {
    const auto stuck = pushes(danish_meter(security_policy::encrypt_authenticate, "counter_stuck@3"), 5);
    const auto backwards = pushes(danish_meter(security_policy::encrypt_authenticate, "counter_backwards@3"), 5);
    const auto jump = pushes(danish_meter(security_policy::encrypt_authenticate, "counter_jump@3"), 6);
    const std::uint32_t first = *stuck[0].invocation_counter;
    EXPECT_EQ(*stuck[3].invocation_counter, first + 2);  // frame 2's again
    EXPECT_EQ(*stuck[4].invocation_counter, first + 4);
    EXPECT_EQ(*backwards[3].invocation_counter, first + 1);
    EXPECT_EQ(*backwards[4].invocation_counter, first + 4);
    EXPECT_EQ(*jump[3].invocation_counter, first + 3 + security::default_counter_jump);
    // A real meter whose counter jumped counts on from there.
    EXPECT_EQ(*jump[4].invocation_counter, first + 4 + security::default_counter_jump);
    EXPECT_EQ(*jump[5].invocation_counter, first + 5 + security::default_counter_jump);
}

TEST(meter_faults, counter_jump_moves_the_persistent_store_past_the_jumped_value) {
    // A folder of its own (the store leaves its .lock file beside it), removed with everything in it.
    struct temp_dir {
        std::filesystem::path path;
        temp_dir() {
            char pattern[] = "/tmp/hansim-meter-faults-XXXXXX";
            path = ::mkdtemp(pattern);
        }
        ~temp_dir() {
            std::error_code ignored;
            std::filesystem::remove_all(path, ignored);
        }
    } dir;
    ASSERT_FALSE(dir.path.empty());
    const auto path = dir.path / "counter.ic";
    {
        security::invocation_counter_store store(path, 10, 500);
        const auto frames = pushes(danish_meter(security_policy::encrypt_authenticate, "counter_jump@1"), 3, &store);
        EXPECT_EQ(*frames[0].invocation_counter, 500u);
        EXPECT_EQ(*frames[1].invocation_counter, 501u + security::default_counter_jump);
        EXPECT_EQ(*frames[2].invocation_counter, 502u + security::default_counter_jump);
        const auto records = decode_stream(frames, true);
        ASSERT_EQ(records.size(), 3u);
        EXPECT_EQ(text(member(records[1], "counter_anomaly")), "\"jump\"");
        EXPECT_EQ(member(records[2], "counter_anomaly"), nullptr) << records[2].dump();
    }
    security::invocation_counter_store reopened(path, 10, 500);
    EXPECT_GT(reopened.peek(), 502u + security::default_counter_jump);
}

TEST(meter_faults, ranges_and_every_k_select_their_frames) {
    const auto frames = pushes(danish_meter(security_policy::encrypt_authenticate,
                                            "sc_mismatch@every:3,corrupted_tag@1-2"), 8);
    const std::vector<std::string> expected{"",         "corrupted_tag", "corrupted_tag", "sc_mismatch",
                                            "",         "",              "sc_mismatch",   ""};
    const auto records = decode_stream(frames, true);
    ASSERT_EQ(records.size(), frames.size());
    for (std::size_t i = 0; i < frames.size(); ++i) {
        EXPECT_EQ(frames[i].fault, expected[i]) << i;
        EXPECT_EQ(member(records[i], "error") != nullptr, !expected[i].empty()) << i << ": " << records[i].dump();
    }
}

TEST(meter_faults, inapplicable_faults_are_refused) {
    const auto keys = vector_keys();
    auto refusal = [&](const meter_config& c) -> std::string {
        try {
            auto source = make_push_source(c, &keys, nullptr);
            for (int i = 0; i < 4; ++i) (void)source->next();
        } catch (const std::invalid_argument& e) {
            return e.what();
        }
        return "(no error)";
    };
    EXPECT_EQ(refusal(danish_meter(security_policy::none, "corrupted_tag@3")).rfind("faults: ", 0), 0u);
    EXPECT_NE(refusal(danish_meter(security_policy::encrypt, "corrupted_tag@3")).find("SC 0x20"), std::string::npos);
    EXPECT_NE(refusal(danish_meter(security_policy::encrypt, "counter_stuck@0")).find("frame 0"), std::string::npos);

    // Known only when the frame is built: the previous counter is 0.
    meter_config from_zero = danish_meter(security_policy::encrypt_authenticate, "counter_backwards@1");
    from_zero.initial_invocation_counter = 0;
    EXPECT_NE(refusal(from_zero).find("counter_backwards"), std::string::npos);
    meter_config near_top = danish_meter(security_policy::encrypt_authenticate, "counter_jump@1");
    near_top.initial_invocation_counter = 0xFFFFFF00u;
    EXPECT_NE(refusal(near_top).find("exceeds the 32-bit counter"), std::string::npos);
}

TEST(meter_faults, decoder_flags_each_counter_anomaly_once_per_title) {
    // counter_stuck twice in a row: both frames repeat; the monitor reports each.
    const auto frames = pushes(danish_meter(security_policy::encrypt_authenticate, "counter_stuck@2-3"), 5);
    const auto records = decode_stream(frames, false);
    ASSERT_EQ(records.size(), 5u);
    EXPECT_EQ(member(records[1], "counter_anomaly"), nullptr);
    EXPECT_EQ(text(member(records[2], "counter_anomaly")), "\"stuck\"");
    EXPECT_EQ(text(member(records[3], "counter_anomaly")), "\"stuck\"");
    EXPECT_EQ(member(records[4], "counter_anomaly"), nullptr);

    wire_decoder_options tight;
    tight.counter_max_step = 1;  // frame 4 comes 3 counters after the stuck one
    wire_decoder decoder(tight);
    for (const auto& f : frames) decoder.feed(f.wire);
    const auto strict = decoder.finish();
    ASSERT_EQ(strict.size(), 5u);
    EXPECT_EQ(text(member(strict[4], "counter_anomaly")), "\"jump\"");
}
