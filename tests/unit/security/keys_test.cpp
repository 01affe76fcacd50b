#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "hansim/security/keys.hpp"

using namespace hansim;
using namespace hansim::security;
namespace fs = std::filesystem;

namespace {

constexpr const char* ek_hex = "000102030405060708090A0B0C0D0E0F";
constexpr const char* ak_hex = "d0d1d2d3d4d5d6d7d8d9dadbdcdddedf";

/// A private temporary directory removed at the end of the test.
class key_file_test : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("hansim_keys_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    fs::path write(const std::string& text, fs::perms perms = fs::perms::owner_read | fs::perms::owner_write) {
        const auto path = dir_ / "keys.txt";
        std::ofstream(path) << text;
        fs::permissions(path, perms);
        return path;
    }

    /// The message of the runtime_error load_key_file throws for `text`.
    std::string error_for(const std::string& text) {
        const auto path = write(text);
        try {
            (void)load_key_file(path);
        } catch (const std::runtime_error& e) {
            return e.what();
        }
        ADD_FAILURE() << "no error for:\n" << text;
        return {};
    }

    fs::path dir_;
};

}  // namespace

TEST_F(key_file_test, reads_both_keys_with_comments_blank_lines_and_spaces) {
    const auto path = write(std::string("# meter 12345678\n\n  encryption_key = ") + ek_hex +
                            "  # GPK60\nauthentication_key=" + ak_hex + "\r\n");
    const auto loaded = load_key_file(path);
    EXPECT_EQ(codec::to_hex(loaded.keys.encryption_key), ek_hex);
    EXPECT_EQ(codec::to_hex(loaded.keys.authentication_key), "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF");
    EXPECT_TRUE(loaded.warnings.empty());
}

TEST_F(key_file_test, short_key_names_file_line_key_and_digit_count) {
    const auto message = error_for(std::string("# keys\n\nencryption_key=") + std::string(ek_hex).substr(0, 30) + "\n");
    EXPECT_EQ(message, "key file " + (dir_ / "keys.txt").string() +
                           " line 3: encryption_key must be 32 hex digits (16 bytes), got 30");
}

TEST_F(key_file_test, non_hex_digit_names_its_position_but_not_the_key_text) {
    std::string bad = ak_hex;
    bad[5] = 'x';
    const auto message = error_for(std::string("encryption_key=") + ek_hex + "\nauthentication_key=" + bad + "\n");
    EXPECT_NE(message.find("line 2: authentication_key"), std::string::npos) << message;
    EXPECT_NE(message.find("character 6"), std::string::npos) << message;
    EXPECT_EQ(message.find("d0d1d2"), std::string::npos) << "key text leaked: " << message;
    EXPECT_EQ(message.find(ek_hex), std::string::npos) << "key text leaked: " << message;
}

TEST_F(key_file_test, missing_unknown_duplicate_and_malformed_lines) {
    EXPECT_NE(error_for(std::string("encryption_key=") + ek_hex + "\n").find("authentication_key missing"),
              std::string::npos);
    EXPECT_NE(error_for(std::string("authentication_key=") + ak_hex + "\n").find("encryption_key missing"),
              std::string::npos);
    const auto unknown = error_for(std::string("encryption_key=") + ek_hex + "\nauth_key=" + ak_hex + "\n");
    EXPECT_NE(unknown.find("line 2: unknown key 'auth_key'"), std::string::npos) << unknown;
    EXPECT_EQ(unknown.find("d0d1"), std::string::npos) << unknown;
    // A key pasted in place of the name (found by fuzz_key_file) is not echoed either.
    const auto pasted = error_for(std::string("encryption_key=") + ek_hex + "\n" + ak_hex + "=x\n");
    EXPECT_NE(pasted.find("line 2: unknown key name (not shown"), std::string::npos) << pasted;
    EXPECT_EQ(pasted.find("d0d1"), std::string::npos) << pasted;
    const auto twice = error_for(std::string("encryption_key=") + ek_hex + "\nencryption_key=" + ek_hex + "\n");
    EXPECT_NE(twice.find("line 2: encryption_key given twice"), std::string::npos) << twice;
    const auto no_equals = error_for(std::string(ek_hex) + "\n");
    EXPECT_NE(no_equals.find("line 1: expected name=value"), std::string::npos) << no_equals;
    EXPECT_EQ(no_equals.find(ek_hex), std::string::npos) << no_equals;
}

TEST_F(key_file_test, missing_file_is_named) {
    try {
        (void)load_key_file(dir_ / "absent.txt");
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find((dir_ / "absent.txt").string()), std::string::npos) << e.what();
    }
}

TEST_F(key_file_test, group_or_world_readable_file_loads_with_a_warning) {
    const auto text = std::string("encryption_key=") + ek_hex + "\nauthentication_key=" + ak_hex + "\n";
    using fs::perms;
    for (auto extra : {perms::group_read, perms::others_read}) {
        const auto path = write(text, perms::owner_read | perms::owner_write | extra);
        const auto loaded = load_key_file(path);
        ASSERT_EQ(loaded.warnings.size(), 1u);
        EXPECT_NE(loaded.warnings[0].find(path.string()), std::string::npos);
        EXPECT_NE(loaded.warnings[0].find("readable by group or others"), std::string::npos);
        EXPECT_EQ(codec::to_hex(loaded.keys.encryption_key), ek_hex);
    }
}

namespace {
/// Sets or clears an environment variable for the lifetime of the object.
class scoped_env {
public:
    scoped_env(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        if (value) ::setenv(name, value, 1);
        else ::unsetenv(name);
    }
    ~scoped_env() {
        if (old_) ::setenv(name_, old_->c_str(), 1);
        else ::unsetenv(name_);
    }
    scoped_env(const scoped_env&) = delete;
    scoped_env& operator=(const scoped_env&) = delete;

private:
    const char* name_;
    std::optional<std::string> old_;
};
}  // namespace

TEST(keys_from_environment, both_unset_is_no_keys) {
    scoped_env e("HANSIM_ENCRYPTION_KEY", nullptr), a("HANSIM_AUTHENTICATION_KEY", nullptr);
    EXPECT_FALSE(keys_from_environment().has_value());
}

TEST(keys_from_environment, both_set) {
    scoped_env e("HANSIM_ENCRYPTION_KEY", ek_hex), a("HANSIM_AUTHENTICATION_KEY", ak_hex);
    const auto keys = keys_from_environment();
    ASSERT_TRUE(keys.has_value());
    EXPECT_EQ(codec::to_hex(keys->encryption_key), ek_hex);
    EXPECT_EQ(codec::to_hex(keys->authentication_key), "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF");
}

TEST(keys_from_environment, one_missing_or_malformed_names_the_variable_only) {
    {
        scoped_env e("HANSIM_ENCRYPTION_KEY", ek_hex), a("HANSIM_AUTHENTICATION_KEY", nullptr);
        try {
            (void)keys_from_environment();
            FAIL() << "no exception";
        } catch (const std::runtime_error& err) {
            EXPECT_NE(std::string(err.what()).find("HANSIM_AUTHENTICATION_KEY is not set"), std::string::npos);
            EXPECT_EQ(std::string(err.what()).find(ek_hex), std::string::npos);
        }
    }
    {
        scoped_env e("HANSIM_ENCRYPTION_KEY", "0001"), a("HANSIM_AUTHENTICATION_KEY", ak_hex);
        try {
            (void)keys_from_environment();
            FAIL() << "no exception";
        } catch (const std::runtime_error& err) {
            EXPECT_EQ(std::string(err.what()),
                      "environment variable HANSIM_ENCRYPTION_KEY must be 32 hex digits (16 bytes), got 4");
        }
    }
}

// A key pasted where the key-file path belongs must not be echoed back.
TEST(key_file, a_key_given_as_the_path_is_not_echoed) {
    for (const std::string pasted : {"000102030405060708090A0B0C0D0E0F", "/home/me/d0d1d2d3d4d5d6d7d8d9dadbdcdddedf",
                                     "encryption_key=000102030405060708090a0b0c0d0e0f"}) {
        try {
            (void)hansim::security::load_key_file(pasted);
            ADD_FAILURE() << "loaded";
        } catch (const std::runtime_error& e) {
            const std::string what = e.what();
            EXPECT_EQ(what.find("0405060708"), std::string::npos) << what;
            EXPECT_EQ(what.find("d4d5d6d7"), std::string::npos) << what;
            EXPECT_NE(what.find("32 hex digits, not shown"), std::string::npos) << what;
            EXPECT_NE(what.find("never a key itself"), std::string::npos) << what;
        }
    }
    // An ordinary path is shown as given.
    try {
        (void)hansim::security::load_key_file("/nonexistent/keys-2024.txt");
        ADD_FAILURE() << "loaded";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()), "key file /nonexistent/keys-2024.txt: cannot open (file not found)");
    }
}
