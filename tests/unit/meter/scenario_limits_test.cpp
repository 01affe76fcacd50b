// Scenario input that used to be accepted silently or exhaust memory: repeated keys, alias
// bombs, huge files, a folder given as the scenario.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "hansim/scenario/scenario.hpp"

using namespace hansim::scenario;

namespace {

std::string error_of(const std::string& text) {
    try {
        load_scenario_text(text, "s.yaml");
    } catch (const scenario_error& e) {
        return e.what();
    }
    return "";
}

std::filesystem::path temp_path(const std::string& name) {
    return std::filesystem::temp_directory_path() / ("hansim_fixes_" + std::to_string(::getpid()) + "_" + name);
}

}  // namespace

TEST(scenario_limits, a_key_given_twice_names_file_line_and_key) {
    EXPECT_EQ(error_of("seed: 1\nmeters:\n  - name: a\n    serial: 1\n    serial: 2\n"),
              "s.yaml:5: meters[0].serial: duplicate key (first given on line 4)");
    EXPECT_EQ(error_of("seed: 1\nseed: 2\nmeters:\n  - name: a\n"), "s.yaml:2: seed: duplicate key (first given on line 1)");
    EXPECT_EQ(error_of("meters:\n  - name: a\n    jitter: {distribution: uniform, max: 1s, max: 2s}\n"),
              "s.yaml:3: meters[0].jitter.max: duplicate key (first given on line 3)");
    // The same key in different mappings is fine.
    EXPECT_EQ(error_of("meters:\n  - name: a\n    serial: 1\n  - name: b\n    serial: 2\n"), "");
}

TEST(scenario_limits, aliases_that_expand_to_a_huge_tree_are_refused) {
    std::string text = "x0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n";
    for (int i = 1; i <= 8; ++i)
        text += "x" + std::to_string(i) + ": &a" + std::to_string(i) + " [*a" + std::to_string(i - 1) + ", *a" +
                std::to_string(i - 1) + ", *a" + std::to_string(i - 1) + ", *a" + std::to_string(i - 1) + ", *a" +
                std::to_string(i - 1) + ", *a" + std::to_string(i - 1) + ", *a" + std::to_string(i - 1) + ", *a" +
                std::to_string(i - 1) + ", *a" + std::to_string(i - 1) + ", *a" + std::to_string(i - 1) + "]\n";
    text += "meters:\n  - name: a\n";
    EXPECT_NE(error_of(text).find("YAML nodes (aliases expanding?)"), std::string::npos) << error_of(text);
}

TEST(scenario_limits, text_over_the_limit_is_refused_before_parsing) {
    std::string text = "meters:\n  - name: a\n";
    text += "# " + std::string(max_scenario_bytes, 'x') + "\n";
    const auto error = error_of(text);
    EXPECT_EQ(error.rfind("s.yaml: the scenario is " + std::to_string(text.size()) + " bytes; at most 1048576", 0), 0u)
        << error;
}

TEST(scenario_limits, a_huge_file_is_refused_without_reading_it_whole) {
    const auto path = temp_path("huge.yaml");
    {
        std::ofstream out(path, std::ios::binary);
        out << "meters:\n  - name: a\n";
        const std::string comment = "# " + std::string(1000, 'x') + "\n";
        for (int i = 0; i < 50'000; ++i) out << comment;  // ~50 MB
    }
    const auto size = std::filesystem::file_size(path);
    try {
        load_scenario(path);
        ADD_FAILURE() << "a 50 MB scenario was accepted";
    } catch (const scenario_error& e) {
        EXPECT_EQ(std::string(e.what()).rfind(path.string() + ": the scenario is " + std::to_string(size) + " bytes", 0),
                  0u)
            << e.what();
    }
    std::filesystem::remove(path);
}

TEST(scenario_limits, a_folder_is_not_a_scenario) {
    const auto dir = temp_path("dir.yaml");
    std::filesystem::create_directories(dir);
    try {
        load_scenario(dir);
        ADD_FAILURE() << "a folder was read as a scenario";
    } catch (const scenario_error& e) {
        EXPECT_EQ(std::string(e.what()), dir.string() + ": is a folder, not a scenario file");
    }
    std::filesystem::remove(dir);
}
