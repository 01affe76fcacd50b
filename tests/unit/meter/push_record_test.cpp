#include "hansim/meter/push_record.hpp"

#include <gtest/gtest.h>

#include "hansim/meter/meter_source.hpp"
#include "hansim/meter/profile.hpp"
#include "hansim/meter/wire_decoder.hpp"

using namespace hansim;
using namespace hansim::meter;
using hansim::report::member;
using namespace std::chrono;

namespace {
security::security_keys test_keys() {
    security::security_keys k;
    for (std::size_t i = 0; i < k.encryption_key.size(); ++i) {
        k.encryption_key[i] = static_cast<std::uint8_t>(0x10 + i);
        k.authentication_key[i] = static_cast<std::uint8_t>(0xA0 + i);
    }
    return k;
}
}  // namespace

// Every profile: the bytes a meter pushes, decoded independently of the builders' inputs,
// give back exactly the ground truth recorded with the push.
TEST(push_record, generated_frames_decode_to_their_ground_truth) {
    const auto keys = test_keys();
    for (const auto& profile : meter_profiles()) {
        SCOPED_TRACE(profile.name);
        meter_config c = profile.defaults;
        c.start = sys_time<milliseconds>{sys_days{year{2024} / 3 / 31} + 59min};  // across list 2 and DST
        c.jitter.distribution = jitter_distribution::uniform;
        auto source = make_push_source(c, &keys, nullptr);
        wire_decoder_options options;
        options.keys = keys;
        options.lists = c.list;
        wire_decoder decoder(options);
        for (int i = 0; i < 12; ++i) {
            const push_frame frame = source->next();
            decoder.feed(frame.wire);
            const auto records = decoder.drain();
            ASSERT_EQ(records.size(), 1u) << "frame " << i;
            const report::json* values = member(records[0], "values");
            ASSERT_NE(values, nullptr) << records[0].dump();
            EXPECT_EQ(values->dump(), push_values_json(frame, c).dump());
            const report::json record = push_record_json(frame, c);
            EXPECT_EQ(member(record, "list")->dump(), "\"" + frame.list + "\"");
            EXPECT_EQ(member(record, "hex")->dump(), "\"" + codec::to_hex(frame.wire) + "\"");
            EXPECT_EQ(member(record, "invocation_counter")->is_null(), !frame.invocation_counter.has_value());
        }
    }
}

TEST(push_record, record_fields_and_times) {
    meter_config c = profile_config("kamstrup-no-3p");
    c.start = sys_time<milliseconds>{sys_days{year{2024} / 1 / 15} + 12h};
    c.jitter.distribution = jitter_distribution::uniform;
    c.jitter.min = 250ms;
    c.jitter.max = 250ms;
    auto source = make_push_source(c, nullptr, nullptr);
    const push_frame f = source->next();
    const std::string line = push_record_json(f, c).dump();
    EXPECT_EQ(line.rfind("{\"meter\":\"meter1\",\"list\":\"list1\",\"sequence\":0,\"scheduled\":\"2024-01-15T12:00:00Z\","
                         "\"send\":\"2024-01-15T12:00:00.250Z\",\"start_offset_ms\":250,\"hex\":\"7EA0E2",
                         0),
              0u)
        << line;
    EXPECT_NE(line.find("\"invocation_counter\":null,\"fault\":null}"), std::string::npos);
}
