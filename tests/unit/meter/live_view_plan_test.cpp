// The live view in the run plan (run_plan.hpp rule 7): --http / --http-control, or a
// scenario's http / http_control, checked before anything opens.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "hansim/scenario/run_plan.hpp"
#include "hansim/scenario/scenario.hpp"

using namespace hansim;
using namespace hansim::scenario;

namespace {

const utc_ms now{std::chrono::sys_days{std::chrono::year{2024} / 3 / 1}};

std::string message(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "no error";
}

struct scenario_file {
    explicit scenario_file(const std::string& text) {
        path = std::filesystem::temp_directory_path() / ("hansim-live-plan-" + std::to_string(::getpid()) + ".yaml");
        std::ofstream(path) << text;
    }
    ~scenario_file() { std::filesystem::remove(path); }
    std::filesystem::path path;
};

const std::string meters = "meters:\n  - name: m\n    port: file:/tmp/x.bin\n";

}  // namespace

TEST(listen_spec, address_defaults_to_loopback_and_must_be_an_ip) {
    EXPECT_EQ(parse_listen_spec("8080").address, "127.0.0.1");
    EXPECT_EQ(parse_listen_spec("8080").port, 8080);
    EXPECT_EQ(parse_listen_spec("0").port, 0);
    EXPECT_EQ(parse_listen_spec("0.0.0.0:80").address, "0.0.0.0");
    EXPECT_EQ(parse_listen_spec("[::1]:8080").address, "::1");
    EXPECT_EQ(parse_listen_spec("::1:8080").address, "::1");
    EXPECT_NE(message([] { parse_listen_spec("70000"); }).find("PORT 0..65535"), std::string::npos);
    EXPECT_NE(message([] { parse_listen_spec("8080x"); }).find("PORT 0..65535"), std::string::npos);
    EXPECT_NE(message([] { parse_listen_spec(""); }).find("PORT 0..65535"), std::string::npos);
    EXPECT_NE(message([] { parse_listen_spec("localhost:8080"); }).find("'localhost' is not an IP address"), std::string::npos);
    EXPECT_NE(message([] { parse_listen_spec(":8080"); }).find("empty address"), std::string::npos);
    EXPECT_THROW(parse_listen_spec(std::string("1.2.3.4\0x:1", 11)), std::invalid_argument);  // no C string tricks
}

TEST(live_view_plan, from_the_command_line) {
    run_request request;
    request.meters.push_back({"kamstrup-no-3p", {}, {}});
    EXPECT_FALSE(make_run_plan(request, {}, now).live);
    request.http = "127.0.0.1:0";
    auto plan = make_run_plan(request, {}, now);
    ASSERT_TRUE(plan.live);
    EXPECT_EQ(plan.live->listen.port, 0);
    EXPECT_FALSE(plan.live->control);
    request.http_control = true;
    EXPECT_TRUE(make_run_plan(request, {}, now).live->control);
    request.http = "nowhere:1";
    EXPECT_EQ(message([&] { make_run_plan(request, {}, now); }).rfind("--http: 'nowhere:1'", 0), 0u);
    request.http.reset();
    EXPECT_EQ(message([&] { make_run_plan(request, {}, now); }), "--http-control needs --http [ADDR:]PORT");
}

TEST(live_view_plan, from_a_scenario_and_the_command_line_wins) {
    const scenario_file file("http: 8080\nhttp_control: true\n" + meters);
    run_request request;
    request.scenario_file = file.path;
    auto plan = make_run_plan(request, {}, now);
    ASSERT_TRUE(plan.live);
    EXPECT_EQ(plan.live->listen.address, "127.0.0.1");
    EXPECT_EQ(plan.live->listen.port, 8080);
    EXPECT_TRUE(plan.live->control);
    request.http = "[::1]:9090";
    plan = make_run_plan(request, {}, now);
    EXPECT_EQ(plan.live->listen.address, "::1");
    EXPECT_EQ(plan.live->listen.port, 9090);
    EXPECT_TRUE(plan.live->control);  // the scenario's controls stay on
}

TEST(live_view_plan, bad_scenario_settings_name_file_line_and_field) {
    const auto error = [](const std::string& text) { return message([&] { load_scenario_text(text, "s.yaml"); }); };
    EXPECT_EQ(error("seed: 1\nhttp: localhost:80\n" + meters).rfind("s.yaml:2: http: 'localhost:80'", 0), 0u);
    EXPECT_EQ(error("http_control: maybe\n" + meters).rfind("s.yaml:1: http_control: expected true or false", 0), 0u);
    const scenario_file file("http_control: true\n" + meters);
    run_request request;
    request.scenario_file = file.path;
    EXPECT_NE(message([&] { make_run_plan(request, {}, now); }).find("http_control needs http: [ADDR:]PORT"),
              std::string::npos);
    request.http = "0";  // given on the command line instead: fine
    EXPECT_TRUE(make_run_plan(request, {}, now).live->control);
}
