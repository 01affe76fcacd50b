// Live control of a running meter (scenario/live_control.hpp, meter/live_source.hpp): events
// and faults given as text while the source runs, checked in the ground truth and through the
// wire decoder; bad input refused with a message and the meter unchanged.
#include "hansim/scenario/live_control.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "hansim/meter/live_source.hpp"
#include "hansim/meter/wire_decoder.hpp"
#include "hansim/scenario/prepared_meter.hpp"

using namespace hansim;
using namespace std::chrono;
using report::json;
using report::member;
using meter::utc_ms;

namespace {

const utc_ms start{sys_days{year{2024} / 1 / 15} + 12h};

struct temp_dir {
    std::filesystem::path path;
    temp_dir() {
        char pattern[] = "/tmp/hansim-live-test-XXXXXX";
        path = ::mkdtemp(pattern);
    }
    ~temp_dir() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
    std::string key_file(const std::string& name, const std::string& ek, const std::string& ak) const {
        const auto file = path / name;
        std::ofstream(file) << "encryption_key=" << ek << "\nauthentication_key=" << ak << "\n";
        std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
        return file.string();
    }
};

const std::string ek1 = "000102030405060708090A0B0C0D0E0F", ak1 = "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF";
const std::string ek2 = "101112131415161718191A1B1C1D1E1F", ak2 = "E0E1E2E3E4E5E6E7E8E9EAEBECEDEEEF";

/// A prepared meter with live control and its controller, as a runner holds them.
struct live_fixture {
    scenario::prepared_meter meter;
    scenario::live_meter control;

    static scenario::prepared_meter prepare(const std::string& profile, const std::string& key_file, bool live) {
        scenario::meter_spec spec = scenario::profile_spec(profile);
        spec.config.start = start;
        spec.config.jitter = {};
        spec.port = "file:/dev/null";
        spec.files.key_file = key_file;
        scenario::meter_setup_options options;
        options.live_control = live;
        return scenario::prepare_meter(spec, options);
    }
    explicit live_fixture(const std::string& profile = "kamstrup-no-3p", const std::string& key_file = "",
                          std::optional<utc_ms> end = std::nullopt)
        : meter(prepare(profile, key_file, true)), control(meter.config, "file:/dev/null", end) {}

    meter::push_frame next() { return meter.source->next(); }
    scenario::live_result event(const std::string& text, utc_ms now) {
        return control.apply({scenario::live_kind::event, text}, *meter.source, now);
    }
    scenario::live_result fault(const std::string& text, utc_ms now) {
        return control.apply({scenario::live_kind::fault, text}, *meter.source, now);
    }
    // As a runner does with a push built but not sent when a change comes.
    void take_back() { meter.source->live()->rewind(); }
};

std::vector<json> decode(const codec::bytes& wire, const std::string& ek = "", const std::string& ak = "") {
    meter::wire_decoder_options options;
    if (!ek.empty()) {
        security::security_keys keys;
        const auto e = codec::from_hex(ek), a = codec::from_hex(ak);
        std::copy(e.begin(), e.end(), keys.encryption_key.begin());
        std::copy(a.begin(), a.end(), keys.authentication_key.begin());
        options.keys = keys;
    }
    meter::wire_decoder decoder(options);
    decoder.feed(wire);
    auto records = decoder.drain();
    for (auto& r : decoder.finish()) records.push_back(std::move(r));
    return records;
}

double active_import(const codec::bytes& wire) {
    const auto records = decode(wire);
    EXPECT_EQ(records.size(), 1u);
    const json* values = member(records.at(0), "values");
    EXPECT_NE(values, nullptr) << records.at(0).dump();
    return member(*values, "1-1:1.7.0.255")->get<double>();
}

std::string live_error_of(const std::function<void()>& call) {
    try {
        call();
    } catch (const scenario::live_error& e) {
        return e.what();
    }
    return "(no error)";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST(live_control, a_load_change_shows_in_the_next_frame_that_was_not_yet_sent) {
    live_fixture m;
    const auto first = m.next();  // 12:00:00, sent
    EXPECT_TRUE(first.events.empty());
    const auto pending = m.next();  // 12:00:05 list 2 (built ahead, not sent)
    m.take_back();
    const auto result = m.event("load=3kW", start + 3s);
    EXPECT_EQ(result.applied, "load=3kW@2024-01-15T12:00:03Z");
    EXPECT_EQ(result.at, start + 3s);
    const auto rebuilt = m.next();
    EXPECT_EQ(rebuilt.sequence, pending.sequence);
    EXPECT_EQ(rebuilt.events, std::vector<std::string>{"load=3kW@2024-01-15T12:00:03Z"});
    const auto list1 = m.next();  // 12:00:10
    EXPECT_EQ(list1.list, "list1");
    EXPECT_DOUBLE_EQ(active_import(list1.wire), 3000.0);  // through the decoder
}

TEST(live_control, taking_a_push_back_without_a_change_builds_the_same_bytes) {
    live_fixture m;
    live_fixture reference;
    for (int i = 0; i < 20; ++i) {
        m.next();
        m.take_back();
        const auto again = m.next();
        const auto expected = reference.next();
        EXPECT_EQ(again.wire, expected.wire) << i;
        EXPECT_EQ(again.sequence, expected.sequence);
    }
}

TEST(live_control, per_phase_power_voltage_and_power_factor) {
    live_fixture m;
    m.next();
    m.event("load=phases:1000:2000:500", start + 1s);
    m.event("voltage=240", start + 1s);
    m.event("power_factor=0.8@+1s", start + 1s);
    m.next();  // list 2 at 12:00:05
    const auto f = m.next();
    EXPECT_EQ(f.events.size(), 3u);
    EXPECT_NEAR(f.values.phases[0].active_import_w, 1000, 1e-6);
    EXPECT_NEAR(f.values.phases[1].active_import_w, 2000, 1e-6);
    EXPECT_NEAR(f.values.phases[2].active_import_w, 500, 1e-6);
    EXPECT_NEAR(f.values.phases[0].voltage_v, 240, 2);  // the profile's spread around the level
    EXPECT_NEAR(f.values.power_factor, 0.8, 1e-3);
    EXPECT_DOUBLE_EQ(active_import(f.wire), 3500.0);
}

TEST(live_control, an_outage_silences_the_meter_for_its_duration) {
    live_fixture m;
    m.next();
    const auto result = m.event("outage@+20s/1m", start + 1s);
    EXPECT_EQ(result.applied, "outage@2024-01-15T12:00:21Z/1m");
    std::vector<utc_ms> triggers;
    for (int i = 0; i < 6; ++i) triggers.push_back(m.next().trigger_utc);
    // 12:00:05 (list 2), 12:00:10, 12:00:20; off 12:00:21..12:01:21; 12:01:30 on
    EXPECT_EQ(triggers[2], start + 20s);
    EXPECT_EQ(triggers[3], start + 90s);
}

TEST(live_control, a_clock_jump_shows_in_the_decoded_date_time) {
    live_fixture m;
    m.next();
    m.event("clock_jump=+1h", start + 2s);
    m.next();  // a list 2 slot of the old clock was 12:00:05: now the meter is past it
    const auto f = m.next();
    EXPECT_EQ(f.values.utc, f.trigger_utc + 1h);
    const auto records = decode(f.wire);
    ASSERT_EQ(records.size(), 1u);
    const std::string expected = "2024-01-15T14:00:";  // CET: 13:00 UTC + 1 h jump
    EXPECT_TRUE(contains(records[0].dump(), expected)) << records[0].dump();
}

TEST(live_control, a_key_change_ciphers_with_the_new_keys_from_the_next_frame_on) {
    temp_dir dir;
    const auto keys1 = dir.key_file("k1.txt", ek1, ak1);
    const auto keys2 = dir.key_file("k2.txt", ek2, ak2);
    live_fixture m("kamstrup-dk-3p", keys1);
    const auto before = m.next();
    EXPECT_EQ(member(decode(before.wire, ek1, ak1).at(0), "error"), nullptr);
    m.next();
    m.take_back();
    m.event("key_change=" + keys2, start + 1s);
    const auto after = m.next();
    EXPECT_EQ(after.events.size(), 1u);
    const auto with_new = decode(after.wire, ek2, ak2).at(0);
    EXPECT_EQ(member(with_new, "error"), nullptr) << with_new.dump();
    const auto with_old = decode(after.wire, ek1, ak1).at(0);
    EXPECT_EQ(member(with_old, "error_kind")->get<std::string>(), "authentication_failed") << with_old.dump();
}

TEST(live_control, security_switches_with_the_meters_key_file) {
    temp_dir dir;
    const auto keys1 = dir.key_file("k1.txt", ek1, ak1);
    live_fixture m("kamstrup-no-3p", keys1);
    EXPECT_FALSE(m.next().invocation_counter);
    m.event("security=encrypt+authenticate", start + 1s);
    const auto f = m.next();
    ASSERT_TRUE(f.invocation_counter);
    const auto records = decode(f.wire, ek1, ak1);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(member(records[0], "error"), nullptr) << records[0].dump();
    EXPECT_EQ(member(records[0], "decrypted")->dump(), "true");

    live_fixture plain("kamstrup-no-3p");  // no keys anywhere: refused, meter unchanged
    plain.next();
    const auto message = live_error_of([&] { plain.event("security=encrypt", start + 1s); });
    EXPECT_TRUE(contains(message, "needs keys")) << message;
    EXPECT_FALSE(plain.next().invocation_counter);
}

TEST(live_control, data_request_lists_and_firmware) {
    live_fixture p1("kamstrup-p1");
    p1.next();
    p1.event("data_request=off@now/30s", start + 1s);
    const auto after = p1.next();
    EXPECT_GE(after.trigger_utc, start + 31s);  // released 12:00:01..12:00:31: three telegrams not asked for
    EXPECT_LT(after.trigger_utc, start + 41s + 10s);
    EXPECT_EQ(after.silenced_before, 3u);

    live_fixture han;
    han.next();
    han.event("lists=list1", start + 1s);
    han.event("firmware=energy_resolution=1wh", start + 1s);
    for (int i = 0; i < 400; ++i) EXPECT_EQ(han.next().list, "list1") << i;
    EXPECT_EQ(han.control.config().events.size(), 2u);
}

TEST(live_control, a_fault_marks_exactly_the_next_push) {
    live_fixture m;
    m.next();
    const auto result = m.fault("bad_fcs", start + 1s);
    EXPECT_EQ(result.applied, "bad_fcs@1");
    const auto broken = m.next();
    EXPECT_EQ(broken.fault, "bad_fcs");
    EXPECT_EQ(broken.fault_rule, "bad_fcs@1");
    const auto records = decode(broken.wire);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(member(records[0], "error_kind")->get<std::string>(), "bad_fcs");
    for (int i = 0; i < 10; ++i) EXPECT_EQ(m.next().fault, "") << i;
}

TEST(live_control, fault_selections_next_k_ranges_and_time_from_now) {
    live_fixture m;
    m.next();
    m.next();
    m.take_back();  // push 1 comes again: @next is push 1
    EXPECT_EQ(m.fault("truncated:at=40@next:2", start + 1s).applied, "truncated:at=40@1-2");
    EXPECT_EQ(m.fault("garbage@5,bad_hcs@time:+1m", start + 1s).applied,
              "garbage:kind=0:bytes=20@5,bad_hcs@time:2024-01-15T12:01:01Z");
    std::vector<std::string> faults;
    for (int i = 0; i < 10; ++i) faults.push_back(m.next().fault);
    // pushes 1..10: 1,2 truncated; 5 garbage; the first push at or after 12:01:01 (12:01:10 = push 8) bad_hcs
    EXPECT_EQ(faults, (std::vector<std::string>{"truncated", "truncated", "", "", "garbage", "", "", "bad_hcs", "", ""}));
}

TEST(live_control, a_ciphering_fault_on_the_next_push) {
    temp_dir dir;
    live_fixture m("kamstrup-dk-3p", dir.key_file("k1.txt", ek1, ak1));
    m.next();
    m.fault("corrupted_tag@next", start + 1s);
    const auto f = m.next();
    EXPECT_EQ(f.fault, "corrupted_tag");
    EXPECT_EQ(member(decode(f.wire, ek1, ak1).at(0), "error_kind")->get<std::string>(), "authentication_failed");
    EXPECT_EQ(m.next().fault, "");
}

TEST(live_control, bad_input_is_refused_with_a_message_and_changes_nothing) {
    live_fixture m("kamstrup-no-3p", "", start + 1h);
    live_fixture reference;
    m.next();
    reference.next();
    const utc_ms now = start + 5s;
    auto event_error = [&](const std::string& text) { return live_error_of([&] { m.event(text, now); }); };
    auto fault_error = [&](const std::string& text) { return live_error_of([&] { m.fault(text, now); }); };
    EXPECT_EQ(event_error("lod=3kW"),
              "event 'lod=3kW': kind: unknown event kind 'lod' (known: load, appliance, noise, voltage, power_factor, "
              "outage, port_cut, data_request, clock_set, clock_jump, clock_drift, clock_rule, key_change, "
              "counter_reset, security, lists, list2_delay, p1_period, firmware)");
    EXPECT_TRUE(contains(event_error("load=lots"), "event 'load=lots': load: expected")) << event_error("load=lots");
    EXPECT_TRUE(contains(event_error("outage"), "needs a duration")) << event_error("outage");
    EXPECT_TRUE(contains(event_error("load=1000@-5s"), "is before the meter's time now (2024-01-15T12:00:05Z)"));
    EXPECT_TRUE(contains(event_error("load=1000@2024-01-15T11:00:00Z"), "is before the meter's time now"));
    EXPECT_TRUE(contains(event_error("load=1000@+2h"), "is after the end of the run (2024-01-15T13:00:00Z)"));
    EXPECT_TRUE(contains(event_error("load=1000@soon"), "expected now, +DURATION"));
    EXPECT_TRUE(contains(event_error("key_change=/nonexistent/keys.txt"), "/nonexistent/keys.txt"));
    EXPECT_TRUE(contains(event_error(""), "expected KIND[=ARGS][@WHEN[/FOR]]"));
    m.event("outage@+1m/10m", now);
    EXPECT_TRUE(contains(event_error("outage@+5m/10m"), "overlap")) << event_error("outage@+5m/10m");

    EXPECT_EQ(fault_error("bad_fsc@next").rfind("fault 'bad_fsc@next': unknown fault 'bad_fsc'", 0), 0u)
        << fault_error("bad_fsc@next");
    EXPECT_TRUE(contains(fault_error("truncated:at=9999"), "at=9999 is out of range")) << fault_error("truncated:at=9999");
    EXPECT_TRUE(contains(fault_error("bad_fcs@0"), "push 0 was already built; the next push is 1"));
    EXPECT_TRUE(contains(fault_error("p1_cut@next"), "P1 fault")) << fault_error("p1_cut@next");
    EXPECT_TRUE(contains(fault_error("wrong_parity@next"), "serial")) << fault_error("wrong_parity@next");
    EXPECT_TRUE(contains(fault_error("corrupted_tag@next"), "security")) << fault_error("corrupted_tag@next");
    EXPECT_TRUE(contains(fault_error("bad_fcs@next:0"), "next:K")) << fault_error("bad_fcs@next:0");
    EXPECT_TRUE(contains(fault_error("bad_fcs,,bad_hcs"), "empty rule"));

    // Only the outage applied: the frames before it are the reference's.
    for (int i = 0; i < 6; ++i) EXPECT_EQ(m.next().wire, reference.next().wire) << i;

    auto without = live_fixture::prepare("kamstrup-no-3p", "", false);
    scenario::live_meter control(without.config, "file:/dev/null");
    const auto message = live_error_of([&] { control.apply({scenario::live_kind::event, "load=1"}, *without.source, now); });
    EXPECT_TRUE(contains(message, "without live control")) << message;
}
