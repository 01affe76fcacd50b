#include "hansim/meter/identity.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "test_data.hpp"

using namespace hansim::meter;

TEST(identity, gs1_example_from_protocols) {
    EXPECT_EQ(gs1_meter_id(12345678), "5706567123456784");
    EXPECT_EQ(gs1_check_digit("570656712345678"), '4');
    EXPECT_EQ(gs1_meter_id(42), "5706567000000420");
    EXPECT_TRUE(gs1_id_valid(gs1_meter_id(42)));
    EXPECT_THROW(gs1_meter_id(100'000'000), std::invalid_argument);
    EXPECT_THROW(gs1_check_digit("12a4"), std::invalid_argument);
}

TEST(identity, every_meter_id_in_the_captures_verifies) {
    // The GS1 ids in SOURCES.md and every id found as ASCII inside the captured frames.
    std::set<std::string> ids{"5706567274389702", "5706567271533207", "5706567277656672",
                              "5706567326590407", "5706567331323526", "5706567282299475"};
    const std::regex gs1("5706567[0-9]{9}");
    for (const auto& folder : {"reference-frames", "vectors"}) {
        for (const auto& path : hansim::test::files_ending(folder, ".hex")) {
            const auto raw = hansim::test::read_hex(path);
            const std::string text(raw.begin(), raw.end());
            for (std::sregex_iterator it(text.begin(), text.end(), gs1), end; it != end; ++it) ids.insert(it->str());
        }
    }
    ASSERT_GE(ids.size(), 6u);
    for (const auto& id : ids) {
        SCOPED_TRACE(id);
        EXPECT_TRUE(gs1_id_valid(id));
        const auto serial = serial_from_gs1_id(id);
        ASSERT_TRUE(serial.has_value());
        EXPECT_EQ(gs1_meter_id(*serial), id);
    }
    std::string broken = "5706567274389703";
    EXPECT_FALSE(gs1_id_valid(broken));
    EXPECT_FALSE(serial_from_gs1_id(broken).has_value());
}

TEST(identity, system_title_is_kame_and_serial_big_endian) {
    const std::array<std::uint8_t, 8> expected{0x4B, 0x41, 0x4D, 0x45, 0x01, 0xB5, 0x02, 0xD3};
    EXPECT_EQ(kamstrup_system_title(28639955), expected);
    // The Danish encrypted capture: system title KAME 01 A4 DC 52, meter serial 27581522.
    const auto frame = hansim::test::read_hex(hansim::test::data_dir() / "reference-frames" /
                                              "kamstrup_dk_3p_dlmspush_encrypted_gpk_20200107T144720.hex");
    const auto title = kamstrup_system_title(27581522);
    const std::string haystack(frame.begin(), frame.end());
    EXPECT_NE(haystack.find(std::string(title.begin(), title.end())), std::string::npos);
}

TEST(identity, meter_types_match_the_real_examples) {
    EXPECT_EQ(kamstrup_meter_type(wiring::three_phase_4wire, false, country::norway), "6841131BN243101040");
    EXPECT_EQ(kamstrup_meter_type(wiring::three_phase_3wire, false, country::norway), "6841121BN243101040");
    EXPECT_EQ(kamstrup_meter_type(wiring::single_phase, false, country::norway), "6861111BN242101040");
    EXPECT_EQ(kamstrup_meter_type(wiring::three_phase_4wire, false, country::switzerland), "6841131BN240101063");
    EXPECT_EQ(kamstrup_meter_type(wiring::three_phase_4wire, false, country::denmark), "6841138BN243101010");
    EXPECT_EQ(kamstrup_meter_type(wiring::three_phase_4wire, false, country::sweden), "6841138BN245101090");
    EXPECT_EQ(kamstrup_meter_type(wiring::three_phase_4wire, true, country::denmark).substr(0, 3), "685");
    for (auto c : {country::norway, country::sweden, country::denmark, country::switzerland})
        EXPECT_EQ(kamstrup_meter_type(wiring::three_phase_4wire, true, c).size(), 18u);
    EXPECT_THROW(kamstrup_meter_type(wiring::single_phase, true, country::norway), std::invalid_argument);
}

TEST(identity, make_identity_fills_every_field) {
    const auto id = make_identity(12345678, "6841131BN243101040", 87654321);
    EXPECT_EQ(id.serial, 12345678u);
    EXPECT_EQ(id.gs1_id, "5706567123456784");
    EXPECT_EQ(id.meter_number, 87654321u);
    EXPECT_EQ(id.system_title, kamstrup_system_title(12345678));
    EXPECT_EQ(id.list_version, "Kamstrup_V0001");
}
