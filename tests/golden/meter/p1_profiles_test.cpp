// P1 profiles: every real P1 capture (and the worked example) is parsed, its values put
// into a snapshot, and the matching profile must build the identical bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "hansim/codec/p1/parser.hpp"
#include "hansim/meter/p1_profile.hpp"
#include "hansim/meter/p1_telegram.hpp"
#include "test_data.hpp"

using namespace hansim;
using namespace hansim::meter;
namespace p1 = hansim::codec::p1;

namespace {

std::int64_t pow10(int n) {
    std::int64_t v = 1;
    while (n-- > 0) v *= 10;
    return v;
}

/// Exact value in 10^-`decimals` units, from a number with any decimals.
std::int64_t in_units(const p1::number& n, int decimals) {
    return decimals >= n.decimals ? n.scaled() * pow10(decimals - n.decimals) : n.scaled() / pow10(n.decimals - decimals);
}

/// Puts every line of a Swedish-list telegram into a snapshot, by what the OBIS code means
/// (independent of the profile tables). Fails the test on a line it does not know.
snapshot snapshot_from(const p1::telegram& t) {
    snapshot s;
    for (const auto& line : t.lines) {
        const auto code = line.parsed_obis();
        if (!code) {
            ADD_FAILURE() << "malformed OBIS " << line.obis;
            continue;
        }
        const unsigned c = code->groups[2];
        if (line.obis == "0-0:1.0.0") {
            const auto* ts = line.timestamp_at(0);
            EXPECT_NE(ts, nullptr);
            if (!ts) continue;
            s.clock.year = static_cast<std::uint16_t>(ts->full_year());
            s.clock.month = ts->month;
            s.clock.day = ts->day;
            s.clock.hour = ts->hour;
            s.clock.minute = ts->minute;
            s.clock.second = ts->second;
            s.daylight_saving = ts->daylight_saving;
            continue;
        }
        const auto* n = line.number_at(0);
        EXPECT_NE(n, nullptr) << line.obis;
        if (!n) continue;
        const double units = n->value();
        if (code->groups[3] == 8) {  // energy registers, kWh -> mWh
            const auto mwh = in_units(*n, 6);
            switch (c) {
                case 1: s.energy.active_import_mwh = mwh; break;
                case 2: s.energy.active_export_mwh = mwh; break;
                case 3: s.energy.reactive_import_mvarh = mwh; break;
                case 4: s.energy.reactive_export_mvarh = mwh; break;
                default: ADD_FAILURE() << "unknown register " << line.obis;
            }
            continue;
        }
        const double watts = static_cast<double>(in_units(*n, 3));  // kW -> W, exact
        if (c >= 1 && c <= 4) {
            double* totals[] = {&s.active_import_w, &s.active_export_w, &s.reactive_import_var, &s.reactive_export_var};
            *totals[c - 1] = watts;
        } else if (c >= 21 && c <= 72 && (c - 21) % 20 <= 3) {
            auto& ph = s.phases[(c - 21) / 20];
            double* parts[] = {&ph.active_import_w, &ph.active_export_w, &ph.reactive_import_var, &ph.reactive_export_var};
            *parts[(c - 21) % 20] = watts;
        } else if (c == 32 || c == 52 || c == 72) {
            s.phases[(c - 32) / 20].voltage_v = units;
        } else if (c == 31 || c == 51 || c == 71) {
            s.phases[(c - 31) / 20].current_a = units;
        } else {
            ADD_FAILURE() << "unknown line " << line.obis;
        }
    }
    return s;
}

std::string profile_for(const std::string& file) {
    if (file.find("KAM5") != std::string::npos || file.find("kam5") != std::string::npos) return "kamstrup-p1";
    if (file.find("LGF5E360") != std::string::npos) return "landisgyr-e360";
    if (file.find("ELL5") != std::string::npos) return "sagemcom-t211";
    if (file.find("KFM5") != std::string::npos) return "kaifa-ma304h4e";
    return {};
}

p1::telegram_frame parse_file(const std::filesystem::path& path) {
    const auto text = test::read_text(path);
    auto r = p1::parse_telegram(codec::bytes(text.begin(), text.end()));
    if (auto* e = std::get_if<p1::parse_error>(&r)) throw std::runtime_error(path.string() + ": " + e->message);
    return std::get<p1::telegram_frame>(r);
}

snapshot typical_three_phase() {
    snapshot s;
    s.clock.year = 2024;
    s.clock.month = 1;
    s.clock.day = 15;
    s.clock.hour = 13;
    s.clock.minute = 45;
    s.clock.second = 20;
    s.energy.active_import_mwh = 123456789999;  // rounds down to 123456.789 kWh
    s.active_import_w = 1234.4;
    for (auto& ph : s.phases) {
        ph.voltage_v = 230.04;
        ph.current_a = 1.86;
        ph.active_import_w = 411.5;
    }
    return s;
}

}  // namespace

TEST(p1_profiles, built_in_names) {
    std::vector<std::string> names;
    for (const auto& p : p1_profiles()) names.push_back(p.name);
    EXPECT_EQ(names, (std::vector<std::string>{"kamstrup-p1", "sagemcom-t211", "landisgyr-e360", "kaifa-ma304h4e",
                                               "kaifa-cl109", "itron-a300", "sanxing-sx631"}));
    for (const auto& p : p1_profiles()) {
        EXPECT_EQ(find_p1_profile(p.name), &p);
        EXPECT_EQ(p.interval, std::chrono::seconds{10}) << p.name;
        EXPECT_FALSE(p.description.empty()) << p.name;
        if (!p.ident_confirmed) {
            EXPECT_NE(p.description.find("override"), std::string::npos) << p.name;
        }
    }
    EXPECT_EQ(find_p1_profile("no-such-meter"), nullptr);
    EXPECT_FALSE(find_p1_profile("itron-a300")->ident_confirmed);
    EXPECT_FALSE(find_p1_profile("kaifa-cl109")->ident_confirmed);
    EXPECT_FALSE(find_p1_profile("sanxing-sx631")->ident_confirmed);
    EXPECT_TRUE(find_p1_profile("kamstrup-p1")->ident_confirmed);
    EXPECT_EQ(find_p1_profile("kamstrup-p1")->ident, "KAM5");
    EXPECT_EQ(find_p1_profile("landisgyr-e360")->ident, "LGF5E360");
    EXPECT_EQ(find_p1_profile("sagemcom-t211")->ident, "ELL5\\253833635_A");
    EXPECT_EQ(find_p1_profile("kaifa-ma304h4e")->ident, "KFM5KAIFA-METER");
}

TEST(p1_profiles, every_capture_is_reproduced_byte_for_byte) {
    std::vector<std::filesystem::path> files;
    for (const auto& p : test::files_ending("reference-frames", ".txt"))
        if (p.filename().string().rfind("p1_", 0) == 0 && p.filename().string().find("ANONYMIZED") == std::string::npos)
            files.push_back(p);
    files.push_back(test::data_dir() / "vectors" / "p1_kam5_example.txt");
    ASSERT_EQ(files.size(), 11u);
    std::set<std::string> used;
    for (const auto& path : files) {
        const auto name = path.filename().string();
        SCOPED_TRACE(name);
        const auto frame = parse_file(path);
        ASSERT_TRUE(frame.issues.empty());
        const auto* base = find_p1_profile(profile_for(name));
        ASSERT_NE(base, nullptr);
        used.insert(base->name);
        auto profile = *base;
        profile.ident = frame.content.ident;  // e.g. the Sagemcom serial part is per meter
        EXPECT_EQ(profile.ident, base->ident);  // …but all captures match the defaults
        const auto s = snapshot_from(frame.content);
        const auto built = build_p1_telegram(s, profile);
        EXPECT_EQ(built, std::string(frame.raw.begin(), frame.raw.end()));
    }
    EXPECT_EQ(used.size(), 4u);
}

TEST(p1_profiles, kamstrup_example_from_protocols_md_values) {
    snapshot s = typical_three_phase();
    s.daylight_saving = true;
    const auto text = build_p1_telegram(s, *find_p1_profile("kamstrup-p1"));
    EXPECT_EQ(text.rfind("/KAM5\r\n\r\n0-0:1.0.0(240115134520S)\r\n1-0:1.8.0(00123456.789*kWh)\r\n", 0), 0u) << text;
    EXPECT_NE(text.find("1-0:1.7.0(0001.234*kW)\r\n"), std::string::npos);
    EXPECT_NE(text.find("1-0:41.7.0(0000.412*kW)\r\n"), std::string::npos);  // 411.5 W rounds to nearest
    EXPECT_NE(text.find("1-0:52.7.0(230.0*V)\r\n"), std::string::npos);
    EXPECT_NE(text.find("1-0:71.7.0(001.9*A)\r\n"), std::string::npos);
    const auto parsed = p1::parse_telegram(codec::bytes(text.begin(), text.end()));
    const auto& f = std::get<p1::telegram_frame>(parsed);
    EXPECT_TRUE(f.issues.empty());
    EXPECT_EQ(f.content.lines.size(), 27u);
    EXPECT_EQ(text.size(), 700u);
}

TEST(p1_profiles, single_phase_leaves_out_l2_and_l3) {
    snapshot s = typical_three_phase();
    s.wires = wiring::single_phase;
    const auto model = build_p1_telegram_model(s, *find_p1_profile("kamstrup-p1"));
    EXPECT_EQ(model.lines.size(), 15u);
    for (const auto* gone : {"1-0:41.7.0", "1-0:62.7.0", "1-0:52.7.0", "1-0:71.7.0"}) EXPECT_EQ(model.find(gone), nullptr) << gone;
    EXPECT_NE(model.find("1-0:32.7.0"), nullptr);
    EXPECT_NE(model.find("1-0:21.7.0"), nullptr);
}

TEST(p1_profiles, unit_spellings_and_order_per_vendor) {
    const auto s = typical_three_phase();
    const auto t211 = build_p1_telegram(s, *find_p1_profile("sagemcom-t211"));
    EXPECT_EQ(t211.rfind("/ELL5\\253833635_A\r\n", 0), 0u);
    EXPECT_NE(t211.find("1-0:3.8.0(00000000.000*kvarh)"), std::string::npos);
    EXPECT_NE(t211.find("1-0:64.7.0(0000.000*kvar)"), std::string::npos);
    const auto e360 = build_p1_telegram(s, *find_p1_profile("landisgyr-e360"));
    EXPECT_LT(e360.find("1-0:22.7.0"), e360.find("1-0:41.7.0"));
    const auto kam = build_p1_telegram(s, *find_p1_profile("kamstrup-p1"));
    EXPECT_GT(kam.find("1-0:22.7.0"), kam.find("1-0:61.7.0"));
    auto itron = *find_p1_profile("itron-a300");
    itron.ident = "ABC5 configured";
    EXPECT_EQ(build_p1_telegram(s, itron).rfind("/ABC5 configured\r\n\r\n", 0), 0u);
}

TEST(p1_profiles, sanxing_lines_match_the_anonymized_sample_structure) {
    // Values from the tasmota sample (its CRC is broken by the anonymization, so only the
    // individual lines can be compared).
    snapshot s;
    s.clock.year = 2021;
    s.clock.month = 3;
    s.clock.day = 1;
    s.clock.hour = 12;
    s.clock.minute = 0;
    s.clock.second = 0;
    s.energy.active_import_mwh = 258072500;  // 15.8.0 is the sum of the unrounded registers
    s.energy.active_export_mwh = 48367500;
    s.energy.reactive_import_mvarh = 3513000;
    s.energy.reactive_export_mvarh = 156910000;
    const double volts[] = {233.0, 230.6, 228.7}, amps[] = {2.2, 1.6, 1.4}, pf[] = {0.615, 0.746, 0.937};
    for (int i = 0; i < 3; ++i) {
        s.phases[i].voltage_v = volts[i];
        s.phases[i].current_a = amps[i];
        s.phases[i].power_factor = pf[i];
    }
    s.power_factor = 0.758;
    s.active_export_w = 854;
    s.reactive_export_var = 735;

    const auto text = build_p1_telegram(s, *find_p1_profile("sanxing-sx631"));
    const auto parsed = p1::parse_telegram(codec::bytes(text.begin(), text.end()));
    const auto& f = std::get<p1::telegram_frame>(parsed);
    EXPECT_TRUE(f.issues.empty());
    EXPECT_EQ(f.content.lines.size(), 28u);

    const auto sample = test::read_text(test::data_dir() / "reference-frames" /
                                        "p1_sanxing-sx631-s34u18_tasmota-docs_ANONYMIZED_badcrc.txt");
    std::size_t compared = 0;
    for (std::size_t at = text.find("\r\n\r\n") + 4; text[at] != '!';) {
        const auto end = text.find("\r\n", at);
        const auto line = text.substr(at, end - at);
        at = end + 2;
        if (line.rfind("0-0:1.0.0(", 0) == 0) continue;  // the sample's date is anonymized
        EXPECT_NE(sample.find("\r\n" + line + "\r\n"), std::string::npos) << line;
        ++compared;
    }
    EXPECT_EQ(compared, 27u);
}

TEST(p1_profiles, reactive_quadrants_follow_the_active_direction) {
    snapshot s = typical_three_phase();
    s.reactive_import_var = 200;
    s.reactive_export_var = 0;
    const auto model = build_p1_telegram_model(s, *find_p1_profile("sanxing-sx631"));
    EXPECT_EQ(model.number_of("1-0:5.7.0")->scaled(), 200);
    EXPECT_EQ(model.number_of("1-0:6.7.0")->scaled(), 0);
    s.active_export_w = 5000;
    const auto exporting = build_p1_telegram_model(s, *find_p1_profile("sanxing-sx631"));
    EXPECT_EQ(exporting.number_of("1-0:5.7.0")->scaled(), 0);
    EXPECT_EQ(exporting.number_of("1-0:6.7.0")->scaled(), 200);
}

TEST(p1_profiles, invalid_clock_is_refused) {
    snapshot s = typical_three_phase();
    s.clock.month = 0xFF;
    EXPECT_THROW(build_p1_telegram(s, *find_p1_profile("kamstrup-p1")), std::invalid_argument);
}
