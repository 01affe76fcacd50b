#include "hansim/meter/push_record.hpp"

#include <gtest/gtest.h>

#include "hansim/faults/catalogue.hpp"
#include "hansim/meter/meter_source.hpp"
#include "hansim/meter/profile.hpp"
#include "hansim/meter/wire_decoder.hpp"
#include "hansim/scenario/event_spec.hpp"

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
    EXPECT_NE(line.find("\"invocation_counter\":null,\"fault\":null,\"events\":[],\"silenced_before\":0}"),
              std::string::npos)
        << line;
}

// On the autumn DST night a local_dst meter sends list 2 at 02:00:05 twice: once in CEST
// (status 0x80) and an hour later in CET (status 0x00). Their clock values read the same;
// the record's clock tells them apart, and it says what the decoded wire carries.
TEST(push_record, the_two_autumn_0200_list2_frames_differ_by_their_clock_status) {
    meter_config c = profile_config("kamstrup-se-3p");
    ASSERT_EQ(c.clock, clock_rule::local_dst);
    c.start = sys_time<milliseconds>{sys_days{year{2024} / 10 / 26} + 23h + 30min};  // 01:30 CEST
    auto source = make_push_source(c, nullptr, nullptr);
    std::vector<push_frame> list2;
    while (list2.size() < 3) {
        push_frame f = source->next();
        if (f.list == "list2") list2.push_back(std::move(f));
    }
    // 00:00:05 UTC (02:00:05 CEST), 01:00:05 UTC (02:00:05 CET), 02:00:05 UTC (03:00:05 CET)
    const auto first = push_record_json(list2[0], c);
    const auto second = push_record_json(list2[1], c);
    ASSERT_NE(member(first, "clock"), nullptr);
    EXPECT_EQ(member(first, "clock")->dump(),
              R"({"local":"2024-10-27T02:00:05","dst":true,"deviation_minutes":null,"status":128})");
    EXPECT_EQ(member(second, "clock")->dump(),
              R"({"local":"2024-10-27T02:00:05","dst":false,"deviation_minutes":null,"status":0})");
    // The clock value alone (what a decoder shows) is the same text twice.
    EXPECT_EQ(member(*member(first, "values"), "0-1:1.0.0.255")->dump(),
              member(*member(second, "values"), "0-1:1.0.0.255")->dump());
    EXPECT_NE(first.dump(), second.dump());

    // The record's clock is what the wire carries: the date-time's status byte in the frame.
    for (const auto& frame : {list2[0], list2[1]}) {
        const auto record = push_record_json(frame, c);
        const auto wire = frame.values.clock.to_bytes();
        const std::string hex = codec::to_hex(frame.wire);
        EXPECT_NE(hex.find(codec::to_hex(wire)), std::string::npos) << hex;
        EXPECT_EQ(member(*member(record, "clock"), "status")->get<unsigned>(), wire.back());
    }
}

// `generate --format jsonl` writes records as text directly (append_push_record_text); they
// must be the very bytes of the JSON tree path, for every profile and the settings that
// change a record: jitter (milliseconds), events in force, firmware (resolutions, date-time
// and single-phase forms), an unset clock, DST, list 2, ciphering, faults (the tree path
// inside), and names and event texts that need escaping or carry UTF-8 and stray bytes.
TEST(push_record, text_records_equal_the_json_tree_records) {
    const auto keys = test_keys();
    struct variant {
        const char* name;
        std::vector<std::string> events;
        const char* faults;
        bool clock_unset;
        const char* meter_name;
    };
    const std::vector<variant> variants{
        {"plain", {}, "", false, "meter1"},
        {"events", {"appliance=heater \"big\":2000@+20s", "noise=0.2@+30s", "firmware=energy_resolution=1wh,date_time_form=legacy_09,single_phase_form=compact@+40s"}, "", false, "m\xC3\xA6ter \\ \"\x01\t"},
        {"faults", {}, "corrupted_tag@2,bad_fcs@3", false, "bad \xFF\xFE bytes"},
        {"unset clock", {"voltage=250@+15s", "firmware=power_multiplier=10,current_resolution=0.001@+25s"}, "", true, "n"},
    };
    std::size_t compared = 0;
    for (const auto& profile : meter_profiles()) {
        for (const auto& v : variants) {
            SCOPED_TRACE(profile.name + " / " + v.name);
            meter_config c = profile.defaults;
            c.name = v.meter_name;
            c.start = sys_time<milliseconds>{sys_days{year{2024} / 3 / 31} + 59min + 10s};  // across list 2 and DST
            c.jitter.distribution = jitter_distribution::uniform;
            c.clock_unset = v.clock_unset;
            for (const auto& e : v.events) c.events.push_back(scenario::parse_event_spec(e));
            scenario::resolve_event_settings(c);
            if (*v.faults) c.faults = faults::parse_fault_plan(v.faults);
            std::unique_ptr<push_source> source;
            try {
                source = make_push_source(c, &keys, nullptr);
            } catch (const std::invalid_argument&) {
                continue;  // a variant this profile cannot take (a fault for a plain meter)
            }
            for (int i = 0; i < 40; ++i) {
                const push_frame frame = source->next();
                std::string text = "prefix:";
                append_push_record_text(text, frame, c);
                ASSERT_EQ(text, "prefix:" + report::dump(push_record_json(frame, c))) << "frame " << i;
                ++compared;
            }
        }
    }
    EXPECT_GT(compared, 1000u);
}
