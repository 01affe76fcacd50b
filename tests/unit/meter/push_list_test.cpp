// The list tables and options beyond the worked examples: compact single-phase, legacy
// date-time, resolutions, recognition and its error messages.
#include <gtest/gtest.h>

#include "hansim/codec/apdu/data_notification.hpp"
#include "hansim/codec/axdr/codec.hpp"
#include "hansim/meter/identity.hpp"
#include "hansim/meter/nve_list1.hpp"
#include "hansim/meter/nve_list2.hpp"
#include "hansim/meter/push1.hpp"
#include "hansim/meter/push_list.hpp"

using namespace hansim;
using namespace hansim::meter;

namespace {

snapshot sample(wiring wires) {
    snapshot s;
    s.wires = wires;
    s.identity.serial = 12345678;
    s.identity.gs1_id = gs1_meter_id(12345678);
    s.identity.meter_type = "6861111BN242101040";
    s.identity.meter_number = 87654321;
    s.clock.year = 2024;
    s.clock.month = 7;
    s.clock.day = 1;
    s.clock.day_of_week = 1;
    s.clock.hour = 12;
    s.clock.minute = 0;
    s.clock.second = 5;
    s.clock.clock_status = codec::cosem_date_time::status_daylight_saving;
    s.active_import_w = 2000;
    s.active_export_w = 0;
    s.reactive_import_var = 30;
    s.reactive_export_var = 0;
    s.power_factor = 0.99;
    s.energy.active_import_mwh = 5'000'123'456;
    s.energy.active_export_mwh = 17'000;
    s.energy.reactive_import_mvarh = 42'000'000;
    s.energy.reactive_export_mvarh = 1'000;
    for (std::size_t i = 0; i < 3; ++i) {
        auto& p = s.phases[i];
        p.voltage_v = 229.87 + static_cast<double>(i);
        p.current_a = 8.7654 + static_cast<double>(i);
        p.active_import_w = 600 + 10.0 * static_cast<double>(i);
        p.power_factor = 0.99;
        p.energy.active_import_mwh = 1'700'000'000 + 5'000'000 * static_cast<std::int64_t>(i);
    }
    return s;
}

codec::apdu::data_notification parse(const codec::bytes& apdu) {
    return codec::apdu::data_notification::from_bytes(apdu).value();
}

}  // namespace

TEST(push_list_tables, element_counts) {
    auto elements = [](std::span<const list_row> rows) {
        unsigned n = 0;
        for (const auto& r : rows) n += r.element_count();
        return n;
    };
    EXPECT_EQ(elements(nve_list1_rows(list_layout::three_phase)), 25U);
    EXPECT_EQ(elements(nve_list1_rows(list_layout::single_phase)), 25U);
    EXPECT_EQ(elements(nve_list1_rows(list_layout::single_phase_compact)), 11U);
    EXPECT_EQ(elements(nve_list2_rows(list_layout::three_phase)), 35U);
    EXPECT_EQ(elements(nve_list2_rows(list_layout::single_phase)), 35U);
    EXPECT_EQ(elements(nve_list2_rows(list_layout::single_phase_compact)), 15U);
    EXPECT_EQ(elements(push1_rows(list_layout::three_phase)), 65U);
    EXPECT_EQ(elements(push1_rows(list_layout::single_phase)), 37U);
    EXPECT_EQ(elements(push1_rows(list_layout::single_phase_compact)), 37U);
}

TEST(push_list_build, body_is_a_structure_of_the_table_size) {
    const auto s = sample(wiring::three_phase_4wire);
    EXPECT_EQ(build_nve_list1_body(s, {}).children().size(), 25U);
    EXPECT_EQ(build_nve_list2_body(s, {}).children().size(), 35U);
    EXPECT_EQ(build_push1_body(s, {}).children().size(), 65U);
    EXPECT_EQ(build_list_apdu(list_kind::push1, s, {}), build_push1_apdu(s, {}));
    EXPECT_EQ(build_list_apdu(list_kind::nve_list2, s, {}), build_nve_list2_apdu(s, {}));
}

TEST(push_list_build, compact_single_phase_list1_and_list2) {
    list_options o;
    o.single_phase = single_phase_form::compact;
    const auto s = sample(wiring::single_phase);

    const auto list1 = build_nve_list1_apdu(s, o);
    // 0F, LIIAP, 0C + 12, then `02 0B`: version, GS1, type, P14, IL1, UL1.
    ASSERT_GE(list1.size(), 20U);
    EXPECT_EQ(list1[18], 0x02);
    EXPECT_EQ(list1[19], 0x0B);
    const auto body1 = build_nve_list1_body(s, o);
    ASSERT_EQ(body1.children().size(), 11U);
    EXPECT_EQ(body1.children()[5].as_bytes(), (codec::bytes{1, 1, 1, 7, 0, 255}));
    EXPECT_EQ(body1.children()[6].as_unsigned(), 2000U);
    EXPECT_EQ(body1.children()[7].as_bytes(), (codec::bytes{1, 1, 31, 7, 0, 255}));
    EXPECT_EQ(body1.children()[8].as_unsigned(), 877U);  // 8.7654 A -> 877 × 0.01 A
    EXPECT_EQ(body1.children()[9].as_bytes(), (codec::bytes{1, 1, 32, 7, 0, 255}));
    EXPECT_EQ(body1.children()[10].as_unsigned(), 230U);

    const auto body2 = build_nve_list2_body(s, o);
    ASSERT_EQ(body2.children().size(), 15U);
    EXPECT_EQ(body2.children()[12].as_bytes(), s.clock.to_bytes());
    EXPECT_EQ(body2.children()[13].as_bytes(), (codec::bytes{1, 1, 1, 8, 0, 255}));
    EXPECT_EQ(body2.children()[14].as_unsigned(), 500'012U);  // floor(5 000 123 456 mWh / 10 Wh)

    for (const auto& apdu : {list1, build_nve_list2_apdu(s, o)}) {
        const auto d = read_kamstrup_list(parse(apdu), {});
        ASSERT_TRUE(d);
        EXPECT_EQ(d->layout, list_layout::single_phase_compact);
        EXPECT_EQ(d->options.single_phase, single_phase_form::compact);
        EXPECT_EQ(build_list_apdu(d->kind, d->values, d->options), apdu);
    }
}

TEST(push_list_build, compact_option_does_not_change_push1_or_three_phase) {
    list_options compact;
    compact.single_phase = single_phase_form::compact;
    EXPECT_EQ(build_push1_apdu(sample(wiring::single_phase), compact), build_push1_apdu(sample(wiring::single_phase), {}));
    EXPECT_EQ(build_nve_list1_apdu(sample(wiring::three_phase_4wire), compact),
              build_nve_list1_apdu(sample(wiring::three_phase_4wire), {}));
}

TEST(push_list_build, legacy_date_time_inserts_09) {
    const auto s = sample(wiring::three_phase_4wire);
    list_options legacy;
    legacy.date_time = date_time_form::legacy_09;
    const auto standard_apdu = build_nve_list2_apdu(s, {});
    const auto legacy_apdu = build_nve_list2_apdu(s, legacy);
    ASSERT_EQ(legacy_apdu.size(), standard_apdu.size() + 1);
    EXPECT_EQ(legacy_apdu[5], 0x09);
    EXPECT_EQ(legacy_apdu[6], 0x0C);
    EXPECT_EQ(standard_apdu[5], 0x0C);
    const auto d = read_kamstrup_list(parse(legacy_apdu), {});
    ASSERT_TRUE(d);
    EXPECT_EQ(d->date_time_encoding, codec::apdu::date_time_encoding::legacy_09);
    EXPECT_EQ(d->options.date_time, date_time_form::legacy_09);
    EXPECT_EQ(build_list_apdu(d->kind, d->values, d->options), legacy_apdu);
}

TEST(push_list_build, resolutions_follow_options) {
    const auto s = sample(wiring::three_phase_4wire);
    list_options fine;
    fine.energy = energy_resolution::one_wh;
    fine.current = current_resolution::milli_ampere;
    fine.voltage = voltage_resolution::centi_volt;
    fine.power_multiplier = 10;
    const auto body = build_push1_body(s, fine);
    const auto& e = body.children();
    EXPECT_EQ(e[2].as_unsigned(), 5'000'123U);        // A14 floor(mWh / 1000)
    EXPECT_EQ(e[4].as_unsigned(), 17U);               // A23
    EXPECT_EQ(e[12].as_unsigned(), 20'000U);          // P14 × 10
    EXPECT_EQ(e[22].as_unsigned(), 22'987U);          // UL1 229.87 V in 0.01 V
    EXPECT_EQ(e[22].type(), codec::axdr::data_type::long_unsigned);
    EXPECT_EQ(e[28].as_unsigned(), 8'765U);           // IL1 8.7654 A in mA
    EXPECT_EQ(e[46].as_unsigned(), 99U);              // PF total

    const auto apdu = build_push1_apdu(s, fine);
    const auto d = read_kamstrup_list(parse(apdu), fine);
    ASSERT_TRUE(d);
    EXPECT_DOUBLE_EQ(d->values.phases[0].voltage_v, 229.87);
    EXPECT_DOUBLE_EQ(d->values.phases[0].current_a, 8.765);
    EXPECT_DOUBLE_EQ(d->values.active_import_w, 2000);
    EXPECT_EQ(d->values.energy.active_import_mwh, 5'000'123'000);
    EXPECT_EQ(d->values.identity.meter_number, 87654321U);
    EXPECT_EQ(build_list_apdu(d->kind, d->values, d->options), apdu);
}

TEST(push_list_read, every_list_and_layout_round_trips) {
    for (auto wires : {wiring::three_phase_4wire, wiring::three_phase_3wire, wiring::single_phase}) {
        for (auto kind : {list_kind::nve_list1, list_kind::nve_list2, list_kind::push1}) {
            auto s = sample(wires);
            if (wires == wiring::three_phase_3wire) s.identity.meter_type = "6841121BN243101040";
            if (wires == wiring::three_phase_4wire) s.identity.meter_type = "6841131BN243101040";
            const auto apdu = build_list_apdu(kind, s, {});
            const auto d = read_kamstrup_list(parse(apdu), {});
            ASSERT_TRUE(d) << list_name(kind);
            EXPECT_EQ(d->kind, kind);
            EXPECT_EQ(build_list_apdu(d->kind, d->values, d->options), apdu) << list_name(kind);
            EXPECT_EQ(d->values.clock, s.clock);
            EXPECT_TRUE(d->values.daylight_saving);
            if (kind != list_kind::push1) {
                EXPECT_EQ(d->values.wires, wires);
                EXPECT_EQ(d->values.identity.serial, 12345678U);
                EXPECT_EQ(d->values.identity.system_title,
                          (std::array<std::uint8_t, 8>{'K', 'A', 'M', 'E', 0x00, 0xBC, 0x61, 0x4E}));
            }
        }
    }
}

TEST(push_list_read, names) {
    EXPECT_EQ(list_name(list_kind::nve_list1), "list1");
    EXPECT_EQ(list_name(list_kind::nve_list2), "list2");
    EXPECT_EQ(list_name(list_kind::push1), "push1");
    for (auto kind : {list_kind::nve_list1, list_kind::nve_list2, list_kind::push1})
        EXPECT_EQ(parse_list_name(list_name(kind)), kind);
    EXPECT_FALSE(parse_list_name("p1"));
    EXPECT_FALSE(parse_list_name("List1"));
}

TEST(push_list_read, unknown_element_count_is_explained) {
    auto n = parse(build_nve_list1_apdu(sample(wiring::three_phase_4wire), {}));
    auto elements = n.body.children();
    elements.pop_back();
    elements.pop_back();
    n.body = codec::axdr::data::structure(elements);
    const auto r = match_kamstrup_list(n, {});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("23 elements"), std::string::npos) << r.error().message;
    EXPECT_FALSE(read_kamstrup_list(n, {}));
}

TEST(push_list_read, wrong_obis_is_not_recognised) {
    auto n = parse(build_nve_list1_apdu(sample(wiring::three_phase_4wire), {}));
    auto elements = n.body.children();
    elements[5] = codec::axdr::data::octet_string({1, 1, 1, 7, 0, 254});
    n.body = codec::axdr::data::structure(elements);
    const auto r = match_kamstrup_list(n, {});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("OBIS"), std::string::npos) << r.error().message;
}

TEST(push_list_read, wrong_value_type_names_element_and_obis) {
    auto n = parse(build_nve_list1_apdu(sample(wiring::three_phase_4wire), {}));
    auto elements = n.body.children();
    elements[14] = codec::axdr::data::long_unsigned(5);  // IL1 value, must be double-long-unsigned
    n.body = codec::axdr::data::structure(elements);
    const auto r = match_kamstrup_list(n, {});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().offset, 14U);
    EXPECT_NE(r.error().message.find("element 14 (1-1:31.7.0.255)"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("expected double-long-unsigned, got long-unsigned"), std::string::npos)
        << r.error().message;
}

TEST(push_list_read, non_flat_body_is_rejected_with_reason) {
    codec::apdu::data_notification n;
    n.date_time = sample(wiring::single_phase).clock;
    n.body = codec::axdr::data::double_long_unsigned(7);
    const auto r = match_kamstrup_list(n, {});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("not a flat Kamstrup body"), std::string::npos) << r.error().message;
}

TEST(push_list_read, clock_object_must_be_twelve_bytes) {
    auto n = parse(build_nve_list2_apdu(sample(wiring::three_phase_4wire), {}));
    auto elements = n.body.children();
    elements[26] = codec::axdr::data::octet_string({7, 0xE8, 1});
    n.body = codec::axdr::data::structure(elements);
    const auto r = match_kamstrup_list(n, {});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().offset, 26U);
    EXPECT_NE(r.error().message.find("12-byte date-time"), std::string::npos) << r.error().message;
}

TEST(push_list_read, absent_header_date_time_is_reported_and_body_clock_used) {
    const auto s = sample(wiring::three_phase_4wire);
    auto n = parse(build_nve_list2_apdu(s, {}));
    n.dt_encoding = codec::apdu::date_time_encoding::absent;
    n.date_time.reset();
    const auto d = read_kamstrup_list(n, {});
    ASSERT_TRUE(d);
    EXPECT_EQ(d->date_time_encoding, codec::apdu::date_time_encoding::absent);
    EXPECT_EQ(d->values.clock, s.clock);

    // List 1 has no clock object: without the header date-time there is no time at all.
    auto n1 = parse(build_nve_list1_apdu(s, {}));
    n1.dt_encoding = codec::apdu::date_time_encoding::absent;
    n1.date_time.reset();
    const auto r = match_kamstrup_list(n1, {});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("no date-time"), std::string::npos) << r.error().message;
}

TEST(push_list_read, body_clock_wins_over_a_differing_header) {
    const auto s = sample(wiring::three_phase_4wire);
    auto n = parse(build_push1_apdu(s, {}));
    n.date_time->second = 0;  // header says :00, the clock object :05
    const auto d = read_kamstrup_list(n, {});
    ASSERT_TRUE(d);
    EXPECT_EQ(d->values.clock.second, 5);
}

// The frame builders write the APDU directly; it must be the very bytes of the A-XDR tree
// path (make_list_notification + build_list_body + to_bytes) for every table and option.
TEST(push_list_build, direct_writer_equals_the_tree_encoding_for_every_table_and_option) {
    int compared = 0;
    for (auto wires : {wiring::three_phase_4wire, wiring::three_phase_3wire, wiring::single_phase})
        for (auto layout : {list_layout::three_phase, list_layout::single_phase, list_layout::single_phase_compact})
            for (auto kind : {list_kind::nve_list1, list_kind::nve_list2, list_kind::push1})
                for (auto form : {date_time_form::standard, date_time_form::legacy_09})
                    for (auto energy : {energy_resolution::ten_wh, energy_resolution::one_wh}) {
                        const auto s = sample(wires);
                        list_options options;
                        options.date_time = form;
                        options.energy = energy;
                        options.current = current_resolution::milli_ampere;
                        const auto rows = list_rows(kind, layout);
                        const auto tree = make_list_notification(build_list_body(rows, s, options), s, options).to_bytes();
                        codec::bytes direct{0xAA};  // appends after what is already there
                        append_list_apdu(direct, rows, s, options);
                        ASSERT_EQ(direct.front(), 0xAA);
                        ASSERT_EQ(codec::bytes(direct.begin() + 1, direct.end()), tree)
                            << list_name(kind) << " layout " << static_cast<int>(layout);
                        ++compared;
                    }
    EXPECT_EQ(compared, 3 * 3 * 3 * 2 * 2);
}

// The direct writer has a short form (every length in one byte, written through a pointer)
// and a general one; a list version, GS1 id or meter type of 128 bytes or more takes the
// general one. Both are the tree's bytes.
TEST(push_list_build, long_texts_take_the_general_writer_and_give_the_tree_bytes) {
    for (std::size_t length : {std::size_t{127}, std::size_t{128}, std::size_t{300}}) {
        for (auto kind : {list_kind::nve_list1, list_kind::nve_list2, list_kind::push1}) {
            auto s = sample(wiring::three_phase_4wire);
            s.identity.meter_type = std::string(length, 'T');
            s.identity.list_version = std::string(length / 2, 'V');
            const list_options options;
            const auto rows = list_rows(kind, list_layout::three_phase);
            const auto tree = make_list_notification(build_list_body(rows, s, options), s, options).to_bytes();
            codec::bytes direct;
            append_list_apdu(direct, rows, s, options);
            ASSERT_EQ(direct, tree) << list_name(kind) << " " << length;
        }
    }
}
