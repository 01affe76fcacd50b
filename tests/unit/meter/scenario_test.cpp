#include "hansim/scenario/scenario.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "hansim/meter/meter_model.hpp"
#include "hansim/meter/meter_source.hpp"
#include "hansim/scenario/prepared_meter.hpp"
#include "test_data.hpp"

using namespace hansim;
using namespace hansim::scenario;
using namespace std::chrono;

namespace {
std::filesystem::path scenarios_dir() {
    return hansim::test::data_dir().parent_path().parent_path() / "scenarios";
}

// The error message for `text`, or "" when it loads.
std::string error_of(const std::string& text) {
    try {
        load_scenario_text(text, "scenario.yaml");
    } catch (const scenario_error& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST(scenario, embedded_default_equals_the_file) {
    std::ifstream in(scenarios_dir() / "default.yaml", std::ios::binary);
    ASSERT_TRUE(in) << scenarios_dir();
    std::ostringstream text;
    text << in.rdbuf();
    EXPECT_EQ(default_scenario_text(), text.str());
    const auto s = default_scenario();
    ASSERT_EQ(s.meters.size(), 1u);
    const auto& m = s.meters[0].config;
    EXPECT_EQ(m.profile, "kamstrup-no-3p");
    EXPECT_EQ(s.meters[0].port, "pty:/tmp/ttyHAN0");
    EXPECT_EQ(m.wires, meter::wiring::three_phase_4wire);
    EXPECT_EQ(m.country, meter::country::norway);
    EXPECT_FALSE(s.start.has_value());  // "now"
    EXPECT_THROW(s.configs(), std::invalid_argument);
    EXPECT_EQ(s.configs(utc_ms{sys_days{year{2024} / 1 / 1}}).size(), 1u);
}

TEST(scenario, every_example_loads_and_runs) {
    for (const auto& entry : std::filesystem::directory_iterator(scenarios_dir())) {
        if (entry.path().extension() != ".yaml") continue;
        SCOPED_TRACE(entry.path().string());
        const auto s = load_scenario(entry.path());
        const auto configs = s.configs(utc_ms{sys_days{year{2024} / 5 / 1}});
        ASSERT_FALSE(configs.empty());
        for (meter_spec spec : configs) {
            spec.files.invocation_counter_file.clear();  // state: the run plan's to place, not a test's
            // The example keys shipped beside the scenarios, its events' key files and settings.
            auto meter = prepare_meter(spec);
            const auto frame = meter.source->next();
            EXPECT_FALSE(frame.wire.empty());
            EXPECT_EQ(frame.meter, spec.config.name);
        }
    }
}

TEST(scenario, overrides_events_and_seeds) {
    const auto s = load_scenario_text(R"(start: 2024-01-15T12:00:00Z
seed: 5
meters:
  - name: a
    profile: kamstrup-se-3p
    serial: 87654321
    country: se
    lists: [list1]
    jitter: uniform:0:500
    energy_resolution: 10
    load: { shape: constant, base: 1000, power_factor: 1, noise: 0, voltage_spread: 0 }
    initial_energy: { active_import_wh: 1234.5 }
    events:
      - { at: "+30m", power: -2000 }
      - { at: 2024-01-15T12:10:00Z, power: 3000 }
  - name: b
    seed: 99
    phases:
      - { current: 10, power_factor: 0.9 }
)",
                                      "inline.yaml");
    ASSERT_EQ(s.meters.size(), 2u);
    const auto configs = s.configs();
    const auto& a = configs[0].config;
    EXPECT_EQ(a.start, utc_ms{sys_days{year{2024} / 1 / 15} + 12h});
    EXPECT_EQ(a.serial, 87654321u);
    EXPECT_EQ(a.lists, std::vector<meter::push_kind>{meter::push_kind::list1});
    EXPECT_EQ(a.jitter.distribution, meter::jitter_distribution::uniform);
    EXPECT_EQ(a.jitter.max, 500ms);
    EXPECT_EQ(a.list.energy, meter::energy_resolution::ten_wh);
    EXPECT_EQ(a.initial_energy.active_import_mwh, 1'234'500);
    // The legacy power steps are load events of the timeline.
    ASSERT_EQ(a.events.size(), 2u);
    EXPECT_EQ(a.events[0].text, "load=constant:-2000@+30m");
    EXPECT_EQ(a.events[0].after_start, 30min);
    EXPECT_EQ(a.events[1].text, "load=constant:3000@2024-01-15T12:10:00Z");
    EXPECT_EQ(a.events[1].load.from_w, 3000);
    EXPECT_NE(a.seed, configs[1].config.seed);
    EXPECT_EQ(configs[1].config.seed, 99u);
    EXPECT_EQ(configs[1].config.profile, "kamstrup-no-3p");
    ASSERT_TRUE(configs[1].config.fixed_phases[0].has_value());
    EXPECT_EQ(*configs[1].config.fixed_phases[0]->current_a, 10);

    meter::meter_model model(a);
    EXPECT_NEAR(model.take_snapshot(a.start + 5min).active_import_w, 1000, 1e-9);
    EXPECT_NEAR(model.take_snapshot(a.start + 15min).active_import_w, 3000, 1e-9);
    EXPECT_NEAR(model.take_snapshot(a.start + 45min).active_export_w, 2000, 1e-9);
}

TEST(scenario, errors_name_file_line_and_field) {
    EXPECT_EQ(error_of("start: 2024-01-15T12:00:00Z\nmeters:\n  - name: a\n    serial: abc\n"),
              "scenario.yaml:4: meters[0].serial: expected 1 to 8 digits, got 'abc'");
    EXPECT_EQ(error_of("meters:\n  - name: a\n  - name: b\n    profile: kamstrup-xx\n")
                  .rfind("scenario.yaml:4: meters[1].profile: unknown meter profile 'kamstrup-xx'", 0),
              0u);
    EXPECT_EQ(error_of("meters:\n  - name: a\n    colour: red\n").rfind("scenario.yaml:3: meters[0].colour: unknown key", 0),
              0u);
    EXPECT_EQ(error_of("meters:\n  - name: a\n    load:\n      power_factor: 1.5\n"),
              "scenario.yaml:4: meters[0].load: load profile: power_factor must be within 0..1");
    EXPECT_EQ(error_of("meters:\n  - name: a\n    jitter: {distribution: uniform, max: soon}\n"),
              "scenario.yaml:3: meters[0].jitter.max: expected a duration like 90s, 1h30m, 2d or 500ms, got 'soon'");
    EXPECT_EQ(error_of("meters:\n  - name: a\n    phases:\n      - { current: 1, active_power: 5000 }\n")
                  .rfind("scenario.yaml:4: meters[0].phases[0]: phase setpoint: active power exceeds", 0),
              0u);
    EXPECT_EQ(error_of("meters:\n  - name: a\n  - name: a\n"),
              "scenario.yaml:3: meters[1].name: 'a' is used by another meter");
    EXPECT_EQ(error_of("start: yesterday\nmeters:\n  - name: a\n"),
              "scenario.yaml:1: start: expected an ISO 8601 time like 2024-01-15T12:00:00Z, got 'yesterday'");
    EXPECT_EQ(error_of("meters:\n  - name: a\n    lists: [p1]\n"),
              "scenario.yaml:2: meters[0].p1_profile: a meter pushing P1 telegrams needs a P1 profile");
    EXPECT_EQ(error_of("meters: [\n").rfind("scenario.yaml:", 0), 0u);
    EXPECT_EQ(error_of("seed: 1\n"), "scenario.yaml:1: meters: missing: a scenario needs at least one meter");
    EXPECT_EQ(error_of("meters:\n  - serial: 1\n"), "scenario.yaml:2: meters[0].name: missing: every meter needs a name");
    try {
        load_scenario("/nonexistent/x.yaml");
        FAIL();
    } catch (const scenario_error& e) {
        EXPECT_EQ(e.file(), "/nonexistent/x.yaml");
    }
}

TEST(scenario, durations_and_times) {
    EXPECT_EQ(parse_duration("90s"), 90s);
    EXPECT_EQ(parse_duration("1h30m"), 90min);
    EXPECT_EQ(parse_duration("2d"), 48h);
    EXPECT_EQ(parse_duration("500ms"), 500ms);
    EXPECT_EQ(parse_duration("-30s"), -30s);
    EXPECT_EQ(parse_duration("15"), 15s);
    EXPECT_THROW(parse_duration("1x"), std::invalid_argument);
    EXPECT_THROW(parse_duration(""), std::invalid_argument);
    // These overflowed a 64-bit millisecond count (UB, found by fuzz_value_parsers).
    EXPECT_THROW(parse_duration("999999999999d"), std::invalid_argument);
    EXPECT_THROW(parse_duration("900000000000h900000000000h"), std::invalid_argument);
    EXPECT_EQ(parse_duration("100000d"), days(100000));  // max_duration_days
    EXPECT_THROW(parse_duration("100000d1ms"), std::invalid_argument);
    const utc_ms t = parse_utc_time("2024-01-15T13:00:00+01:00");
    EXPECT_EQ(t, utc_ms{sys_days{year{2024} / 1 / 15} + 12h});
    EXPECT_EQ(parse_utc_time("2024-01-15T12:00Z"), t);
    EXPECT_EQ(parse_utc_time("2024-01-15 12:00:00.250"), t + 250ms);
    EXPECT_EQ(format_utc_time(t + 250ms), "2024-01-15T12:00:00.250Z");
    EXPECT_EQ(format_utc_time(t), "2024-01-15T12:00:00Z");
    EXPECT_THROW(parse_utc_time("2024-02-30T00:00:00Z"), std::invalid_argument);
    // Signs and blanks inside the fixed-width fields were read as numbers (fuzz_value_parsers).
    EXPECT_THROW(parse_utc_time("2024-01-15T-1:00Z"), std::invalid_argument);
    EXPECT_THROW(parse_utc_time(" 2024-01-15T12:00Z"), std::invalid_argument);
    EXPECT_THROW(parse_utc_time("2024-1-15T12:00:00Z"), std::invalid_argument);
    EXPECT_THROW(parse_utc_time("+024-01-15T12:00Z"), std::invalid_argument);
}

// The meter model is given no port and no file: those are the meter_spec's, set through the
// same settings table.
TEST(meter_spec, port_and_files_are_the_specs_not_the_meters) {
    using namespace hansim::scenario;
    EXPECT_EQ(profile_spec("kamstrup-no-3p").port, "pty:/tmp/ttyHAN0");
    EXPECT_EQ(profile_spec("kamstrup-p1").port, "pty:/tmp/ttyP1");
    meter_spec spec = profile_spec("kamstrup-dk-3p");
    apply_meter_setting(spec, "port", "tcp:127.0.0.1:7000");
    apply_meter_setting(spec, "key_file", "keys.txt");
    apply_meter_setting(spec, "invocation_counter_file", "dk.ic");
    apply_meter_setting(spec, "serial", "27581522");
    EXPECT_EQ(spec.port, "tcp:127.0.0.1:7000");
    EXPECT_EQ(spec.files.key_file, "keys.txt");
    EXPECT_EQ(spec.files.invocation_counter_file, "dk.ic");
    EXPECT_EQ(spec.config.serial, 27581522u);
    hansim::meter::meter_config bare = spec.config;
    EXPECT_THROW(apply_meter_setting(bare, "port", "pty:/tmp/x"), std::invalid_argument);
    EXPECT_THROW(apply_meter_setting(bare, "key_file", "k"), std::invalid_argument);
}

TEST(scenario, files_are_relative_to_the_scenario_file) {
    const auto dir = std::filesystem::temp_directory_path() / ("hansim-pipeline-scenario-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "sub");
    {
        std::ofstream out(dir / "sub" / "s.yaml");
        out << "start: 2024-01-01T00:00:00Z\nmeters:\n  - name: a\n    key_file: keys.txt\n"
               "    invocation_counter_file: /abs/a.ic\n";
    }
    const auto loaded = hansim::scenario::load_scenario(dir / "sub" / "s.yaml");
    EXPECT_EQ(loaded.meters[0].files.key_file, (dir / "sub" / "keys.txt").string());
    EXPECT_EQ(loaded.meters[0].files.invocation_counter_file, "/abs/a.ic");
    EXPECT_EQ(loaded.configs()[0].files.key_file, (dir / "sub" / "keys.txt").string());
    std::filesystem::remove_all(dir);
}

TEST(scenario, initial_energy_and_its_phase_split_are_settings) {
    const auto s = load_scenario_text(R"(start: 2024-01-15T12:00:00Z
meters:
  - { name: a, profile: kamstrup-dk-3p, initial_energy: "3000:0:30", initial_phase_split: equal }
  - name: b
    profile: kamstrup-dk-3p
    initial_phase_energy: [ { active_import_wh: 5 } ]
    initial_energy: { active_import_wh: 7 }
)",
                                      "inline.yaml");
    const auto configs = s.configs();
    const auto& a = configs[0].config;
    EXPECT_EQ(a.initial_energy, (meter::energy_registers{3'000'000, 0, 30'000, 1'074'560'000}));
    EXPECT_EQ(meter::initial_phase_energy_of(a)[1].active_import_mwh, 1'000'000);
    const auto& b = configs[1].config;  // given phases stay as written, whatever the key order
    ASSERT_TRUE(b.initial_phase_energy.has_value());
    EXPECT_EQ((*b.initial_phase_energy)[0].active_import_mwh, 5'000);
    EXPECT_EQ(b.initial_energy.active_import_mwh, 7'000);

    meter_spec spec = configs[1];
    apply_meter_setting(spec, "initial_phase_split", "1:0:3");  // an option over the scenario
    EXPECT_FALSE(spec.config.initial_phase_energy.has_value());
    EXPECT_EQ(meter::initial_phase_energy_of(spec.config)[2].active_import_mwh, 7'000);  // below 10 Wh: to L3
    EXPECT_EQ(meter::initial_phase_energy_of(spec.config)[0].active_import_mwh, 0);
    for (const char* bad : {"1:2", "-1:1:1", "0:0:0", "x"})
        EXPECT_THROW(apply_meter_setting(spec, "initial_phase_split", bad), std::invalid_argument) << bad;
    for (const char* bad : {"1:2:3:4:5", "-5", "abc"})
        EXPECT_THROW(apply_meter_setting(spec, "initial_energy", bad), std::invalid_argument) << bad;
    EXPECT_THROW(load_scenario_text(R"(start: 2024-01-15T12:00:00Z
meters:
  - name: c
    initial_phase_split: equal
    initial_phase_energy: [ { active_import_wh: 5 } ]
)", "both.yaml"), scenario_error);
}
