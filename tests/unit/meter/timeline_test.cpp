// The timeline: the spec grammar, its errors, and what the model and the push source do with
// each event (the bytes are checked through the wire decoder; pytest checks them again with
// `hansim decode` and the independent decoder).
#include "hansim/meter/timeline.hpp"

#include <gtest/gtest.h>

#include "hansim/meter/meter_model.hpp"
#include "hansim/meter/meter_source.hpp"
#include "hansim/meter/profile.hpp"
#include "hansim/meter/wire_decoder.hpp"
#include "hansim/scenario/event_spec.hpp"
#include "hansim/scenario/scenario.hpp"

using namespace hansim;
using namespace hansim::meter;
using namespace std::chrono;

namespace {

const utc_ms start{sys_days{year{2024} / 1 / 15} + 12h};

meter_config with_events(std::vector<std::string> specs, const std::string& profile = "kamstrup-no-3p") {
    meter_config c = profile_config(profile);
    c.start = start;
    c.jitter = {};
    for (const auto& s : specs) c.events.push_back(scenario::parse_event_spec(s));
    scenario::resolve_event_settings(c);
    return c;
}

std::vector<push_frame> frames_until(meter_config c, utc_ms end, const security::security_keys* keys = nullptr) {
    auto source = make_push_source(c, keys, nullptr);
    std::vector<push_frame> out;
    for (;;) {
        push_frame f = source->next();
        if (f.trigger_utc >= end) break;
        out.push_back(std::move(f));
    }
    return out;
}

std::string spec_error(const std::string& text) {
    try {
        scenario::parse_event_spec(text);
    } catch (const scenario::event_spec_error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(timeline, one_table_of_kinds) {
    for (const auto& row : event_kinds()) {
        EXPECT_EQ(find_event_kind(row.name), &row);
        EXPECT_FALSE(row.description.empty()) << row.name;
        EXPECT_NE(scenario::event_help().find(std::string(row.name)), std::string::npos);
    }
    EXPECT_EQ(find_event_kind("meteor"), nullptr);
}

TEST(timeline, spec_text_parses_into_events) {
    auto e = scenario::parse_event_spec("appliance=ev_charger:7400@+17h30m");
    EXPECT_EQ(e.kind, event_kind::appliance);
    EXPECT_EQ(e.name, "ev_charger");
    EXPECT_EQ(e.value, 7400);
    EXPECT_EQ(e.after_start, 17h + 30min);
    EXPECT_EQ(e.text, "appliance=ev_charger:7400@+17h30m");

    e = scenario::parse_event_spec("outage@2024-01-15T14:00:00Z/20m");
    EXPECT_EQ(e.kind, event_kind::outage);
    EXPECT_EQ(e.at, start + 2h);
    EXPECT_EQ(e.lasts, 20min);

    e = scenario::parse_event_spec("clock_set=2024-01-15T13:00:00Z@+1h");
    EXPECT_EQ(e.clock_time, start + 1h);
    e = scenario::parse_event_spec("clock_jump=-2m@+1h");
    EXPECT_EQ(e.amount, -2min);
    e = scenario::parse_event_spec("load=ramp:0:-4000:2h@+1h");
    EXPECT_EQ(e.load.type, load_source_type::ramp);
    EXPECT_EQ(e.load.to_w, -4000);
    e = scenario::parse_event_spec("firmware=date_time_form=legacy_09,energy_resolution=1wh@+30m");
    ASSERT_EQ(e.settings.size(), 2u);
    EXPECT_EQ(e.settings[0].first, "date_time_form");
}

TEST(timeline, spec_errors_name_the_field_and_what_was_expected) {
    EXPECT_EQ(spec_error("meteor@+1h").rfind("kind: unknown event kind 'meteor' (known: load, appliance", 0), 0u);
    EXPECT_EQ(spec_error("outage@+1h"), "for: missing: outage needs a duration (e.g. 20m)");
    EXPECT_EQ(spec_error("outage@soon/5m"),
              "at: expected +DURATION after the start or an ISO 8601 time, got 'soon'");
    EXPECT_EQ(spec_error("voltage=lots@+1h"), "voltage: expected a voltage in V, got 'lots'");
    EXPECT_EQ(spec_error("security=maybe@+1h"),
              "security: expected none | encrypt | authenticate | encrypt+authenticate, got 'maybe'");
    EXPECT_EQ(spec_error("appliance=7400@+1h"), "appliance: expected NAME:W, got '7400'");
    EXPECT_EQ(spec_error("clock_jump=5m@+1h"),
              "clock_jump: expected a signed duration, e.g. -2m (back) or +1h (forward), got '5m'");
    EXPECT_EQ(spec_error("clock_jump=-2m@-1h"), "at: the time is before the start of the run, got '-1h'");
    EXPECT_EQ(spec_error("load=constant:1"), "at: expected KIND[=ARGS]@WHEN[/FOR], e.g. outage@+2h/20m, got 'load=constant:1'");
}

TEST(timeline, overlapping_outages_are_an_error) {
    auto c = with_events({"outage@+1h/30m", "outage@+1h20m/5m"});
    try {
        meter_model model(c);
        FAIL() << "no error";
    } catch (const std::invalid_argument& e) {
        EXPECT_EQ(std::string(e.what()), "events[1] 'outage@+1h20m/5m': overlaps the outage 'outage@+1h/30m'");
    }
    auto end = with_events({"clock_jump=+1m@+2h"});
    EXPECT_THROW(scenario::check_events(end, start + 1h), std::invalid_argument);
    EXPECT_NO_THROW(scenario::check_events(end, start + 3h));
    EXPECT_THROW(scenario::check_events(c, std::nullopt), std::invalid_argument);
}

TEST(timeline, csv_errors_name_file_line_and_column) {
    auto error = [](const std::string& text) {
        try {
            scenario::parse_load_csv(text, "house.csv");
        } catch (const scenario::scenario_error& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    EXPECT_EQ(error("time,p1,p2,p3\n0s,100,100,100\n# note\n1m,100,abc,100\n"),
              "house.csv:4: p2: expected a number, got 'abc'");
    EXPECT_EQ(error("time,p1,pf1\n0s,100,1.5\n"), "house.csv:2: pf1: expected a power factor 0 < PF <= 1, got '1.5'");
    EXPECT_EQ(error("time,p1\n5s,100\n"), "house.csv:2: time: the first row must be at time 0");
    EXPECT_EQ(error("time,p1\n0s,100\n0s,100\n"), "house.csv:3: time: expected times in increasing order");
    EXPECT_EQ(error("time,watts\n"),
              "house.csv:1: watts: unknown column (expected time, p1..p3, q1..q3 or pf1..pf3, u1..u3)");
    EXPECT_EQ(error("time,p1\n0s,1,2\n"), "house.csv:2: row: expected 2 values, got 3");
    const auto series = scenario::parse_load_csv("time,p1,p2,p3,u1,u2,u3\n0,1000,0,0,230,230,230\n10m,3000,0,0,220,230,230\n", "x.csv");
    ASSERT_EQ(series.rows.size(), 2u);
    EXPECT_EQ(series.rows[1].offset, 10min);
}

TEST(timeline, outage_leaves_its_frames_out_and_energy_flat) {
    const auto plain = frames_until(with_events({}), start + 2h);
    const auto cut = frames_until(with_events({"outage@+30m/20m", "load=constant:3600@+0s"}), start + 2h);
    // 20 minutes of list 1 (120 frames) are missing, nothing else.
    ASSERT_EQ(plain.size() - cut.size(), 120u);
    const push_frame* before = nullptr;
    const push_frame* after = nullptr;
    for (const auto& f : cut) {
        EXPECT_FALSE(f.trigger_utc >= start + 30min && f.trigger_utc < start + 50min);
        if (f.list == "list1" && f.trigger_utc < start + 30min) before = &f;
        if (f.list == "list1" && f.trigger_utc >= start + 50min && !after) after = &f;
    }
    ASSERT_TRUE(before && after);
    EXPECT_EQ(after->trigger_utc, start + 50min);
    // 3.6 kW: exactly 1 Wh per second of power, none during the outage.
    meter_model model(with_events({"outage@+30m/20m", "load=constant:3600@+0s"}));
    model.advance_to(start + 30min);
    const auto at_cut = model.total_energy();
    model.advance_to(start + 50min);
    EXPECT_EQ(model.total_energy(), at_cut);
    model.advance_to(start + 51min);
    EXPECT_EQ(model.total_energy().active_import_mwh - at_cut.active_import_mwh, 60'000);
    EXPECT_EQ(at_cut.active_import_mwh - model.config().initial_energy.active_import_mwh, 1'800'000);
    // The first frame after the outage says it is in force no more; a frame in force says so.
    EXPECT_TRUE(after->events == std::vector<std::string>{"load=constant:3600@+0s"});
    // It carries the outage with its exact times (it had no frame of its own); the first frame
    // carries the load event of the start; every other frame carries no change.
    EXPECT_EQ(after->timeline, (std::vector<timeline_change>{{"outage@+30m/20m", "outage", start + 30min, start + 50min}}));
    EXPECT_EQ(cut.front().timeline, (std::vector<timeline_change>{{"load=constant:3600@+0s", "load", start, std::nullopt}}));
    std::size_t carrying = 0;
    for (const auto& f : cut) carrying += f.timeline.empty() ? 0 : 1;
    EXPECT_EQ(carrying, 2u);
}

TEST(timeline, port_cut_counts_the_silenced_frames_and_the_meter_counts_on) {
    security::security_keys keys{};
    for (std::size_t i = 0; i < 16; ++i) keys.encryption_key[i] = static_cast<std::uint8_t>(i), keys.authentication_key[i] = static_cast<std::uint8_t>(0xD0 + i);
    auto c = with_events({"port_cut@+1m/1m"}, "kamstrup-dk-3p");
    const auto frames = frames_until(c, start + 5min, &keys);
    ASSERT_EQ(frames.size(), 24u);  // 30 pushes, 6 silenced
    EXPECT_EQ(frames[6].trigger_utc, start + 2min);
    EXPECT_EQ(frames[6].silenced_before, 6u);
    EXPECT_EQ(*frames[6].invocation_counter, *frames[5].invocation_counter + 7);
    EXPECT_EQ(frames[6].sequence, 12u);
}

TEST(timeline, clock_jump_back_repeats_slots_and_shows_in_the_decoded_clock) {
    auto c = with_events({"clock_jump=-1m@+2m"});
    const auto frames = frames_until(c, start + 4min);
    // 12:00:00..12:01:50 list 1 (12) + list 2 at 12:00:05; then the meter shows 12:01:00 again
    // at true 12:02 and sends list 1 for its 12:01:00..12:02:50 (12).
    ASSERT_EQ(frames.size(), 25u);
    EXPECT_EQ(frames[13].trigger_utc, start + 2min);
    EXPECT_EQ(frames[13].values.utc, start + 1min);
    EXPECT_EQ(frames[13].events, std::vector<std::string>{"clock_jump=-1m@+2m"});
    wire_decoder decoder;
    decoder.feed(frames[13].wire);
    const auto records = decoder.drain();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_NE(records[0].dump().find("2024-01-15T13:01:00"), std::string::npos) << records[0].dump();
}

TEST(timeline, the_model_follows_clock_rule_events_from_its_physics_part_alone) {
    // The model gets only physics_config; a clock_rule event carries its rule itself.
    auto c = with_events({"clock_rule=local_dst@+1h"}, "kamstrup-no-3p");
    c.start = utc_ms{sys_days{year{2024} / 6 / 1} + 10h};
    meter_model model(static_cast<const physics_config&>(c));
    EXPECT_EQ(model.clock_rule_at(c.start), clock_rule::cet_fixed);
    EXPECT_EQ(model.clock_rule_at(c.start + 1h), clock_rule::local_dst);
    EXPECT_EQ(model.take_snapshot(c.start + 30min).clock.hour, 11);  // CET: UTC+1
    EXPECT_EQ(model.take_snapshot(c.start + 90min).clock.hour, 13);  // CEST: UTC+2
}

// The model integrates runs of steps whose power cannot change in one product. Over a long
// period with events of every kind that touches power, one model advanced in large irregular
// jumps must hold the very registers of one advanced a single step at a time (the
// step-by-step integration), at every check and at the end.
TEST(timeline_model, long_jumps_equal_the_step_by_step_integration_with_events) {
    struct variant {
        std::vector<std::string> events;
        load_shape shape;
        double noise;
    };
    const std::vector<variant> variants{
        {{"outage@+3h/20m", "load=constant:3600@+5h", "appliance=ev_charger:7400@+17h30m", "load=ramp:0:-4000:2h@+1d",
          "load=daily_curve:300:2000@+2d", "load=profile@+2d12h", "voltage=240@+2d1h", "outage@+2d2h/90s", "clock_jump=-2m@+2d3h",
          "load=constant:-1500@+3d"},
         load_shape::constant, 0.05},
        {{"outage@+30m/20m", "appliance=heater:2000@+2h"}, load_shape::constant, 0.0},
        {{"outage@+30m/20m"}, load_shape::daily_curve, 0.05},
    };
    for (const auto& v : variants) {
        meter_config c = with_events(v.events);
        c.load.shape = v.shape;
        c.load.noise = v.noise;
        c.start = start + 1500ms;  // off the step grid
        meter_model jumps(c);
        meter_model steps(c);
        const utc_ms end = c.start + days(5);
        utc_ms t = c.start;
        std::int64_t i = 0;
        int checks = 0;
        while (t < end) {
            t = std::min(end, t + milliseconds(1000 * (1 + (i * 7919) % 9973) + i % 997));  // up to ~3 h
            ++i;
            while (steps.now() < t) {  // one integration step (or the part of it up to t) per call
                const auto step = c.integration_step;
                const utc_ms next{(steps.now().time_since_epoch() / step + 1) * step};
                steps.advance_to(std::min(next, t));
            }
            jumps.advance_to(t);
            ASSERT_EQ(jumps.total_energy(), steps.total_energy()) << v.events.front() << " at " << i;
            for (std::size_t p = 0; p < 3; ++p) ASSERT_EQ(jumps.phase_energy(p), steps.phase_energy(p));
            ++checks;
        }
        EXPECT_GT(checks, 50);
        EXPECT_GT(jumps.total_energy().active_import_mwh, c.initial_energy.active_import_mwh + 10'000);
    }
}

// A run of steps within one minute is integrated from one context with each step's time of
// day (meter_model::integrate_by_time_of_day). Against single steps again, where the wall
// clock is least regular: across both DST changes, with a meter clock off by odd
// milliseconds, a drifting clock, clock jumps and sets, steps that do not divide a minute,
// single-phase meters, fixed phases beside the profile, load steps and solar export.
TEST(timeline_model, runs_by_time_of_day_equal_the_step_by_step_integration) {
    struct variant {
        const char* name;
        std::vector<std::string> events;
        load_shape shape;
        clock_rule rule;
        milliseconds clock_offset;
        milliseconds step;
        utc_ms begin;
        const char* profile;
        bool fixed_l2;
        bool load_steps;
    };
    const utc_ms spring{sys_days{year{2024} / 3 / 31} + 1h - 7min};  // CET -> CEST at 01:00 UTC
    const utc_ms autumn{sys_days{year{2024} / 10 / 27} + 1h - 7min};  // CEST -> CET at 01:00 UTC
    const std::vector<variant> variants{
        {"spring dst", {}, load_shape::daily_curve, clock_rule::local_dst, 0ms, 1000ms, spring, "kamstrup-no-3p", false, false},
        {"autumn dst, odd offset", {}, load_shape::solar, clock_rule::local_dst, 1234ms, 1000ms, autumn, "kamstrup-no-3p", false, false},
        {"spring dst, offset back", {}, load_shape::daily_curve, clock_rule::local_dst, -59'999ms, 1000ms, spring, "kamstrup-no-1p", false, false},
        {"7 s steps", {"appliance=kettle:2000@+3m"}, load_shape::daily_curve, clock_rule::cet_fixed, 500ms, 7000ms, start + 1234ms, "kamstrup-no-3p", false, true},
        {"250 ms steps", {"noise=0.2@+2m", "power_factor=0.8:capacitive@+4m"}, load_shape::solar, clock_rule::utc, 0ms, 250ms, start, "kamstrup-no-3p", true, false},
        {"drift and jumps", {"clock_drift=150@+90s", "clock_jump=-45s@+10m", "clock_set=2024-01-15T18:00:00Z@+20m", "clock_drift=0@+30m"},
         load_shape::daily_curve, clock_rule::local_dst, 0ms, 1000ms, start, "kamstrup-no-3p", false, false},
        {"shape and voltage events", {"load=solar:200:3000:6000@+5m", "voltage=245@+7m", "outage@+9m/95s", "load=profile@+12m"},
         load_shape::daily_curve, clock_rule::cet_fixed, 0ms, 1000ms, start + 500ms, "kamstrup-no-3p-it", false, true},
    };
    for (const auto& v : variants) {
        SCOPED_TRACE(v.name);
        meter_config c = with_events(v.events, v.profile);
        c.load.shape = v.shape;
        c.load.solar_peak_w = 5000;
        c.clock = v.rule;
        c.clock_offset = v.clock_offset;
        c.integration_step = v.step;
        c.start = v.begin;
        if (v.fixed_l2) {
            phase_setpoint l2;
            l2.active_power_w = -800, l2.power_factor = 0.95;
            c.fixed_phases = {std::nullopt, l2, std::nullopt};
        }
        if (v.load_steps) {
            c.load.steps = {{c.start + 150s + 300ms, 4200, false}, {c.start + 8min, 0, true}, {c.start + 16min + 1ms, -900, false}};
        }
        meter_model jumps(c);
        meter_model steps(c);
        const utc_ms end = c.start + 40min;
        utc_ms t = c.start;
        std::int64_t i = 0;
        while (t < end) {
            t = std::min(end, t + milliseconds(1 + (i * 7919) % 150'000));  // 1 ms to 2.5 min
            ++i;
            while (steps.now() < t) {
                const utc_ms next{(steps.now().time_since_epoch() / c.integration_step + 1) * c.integration_step};
                steps.advance_to(std::min(next, t));
            }
            jumps.advance_to(t);
            ASSERT_EQ(jumps.total_energy(), steps.total_energy()) << "at " << i;
            for (std::size_t p = 0; p < 3; ++p) ASSERT_EQ(jumps.phase_energy(p), steps.phase_energy(p));
        }
        EXPECT_GT(i, 30);
        EXPECT_GT(jumps.total_energy().active_import_mwh + jumps.total_energy().active_export_mwh,
                  c.initial_energy.active_import_mwh + c.initial_energy.active_export_mwh + 50'000);
    }
}
