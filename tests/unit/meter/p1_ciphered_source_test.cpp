#include <gtest/gtest.h>

#include "hansim/faults/catalogue.hpp"
#include "hansim/meter/meter_config.hpp"
#include "hansim/meter/meter_source.hpp"
#include "hansim/meter/p1_profile.hpp"
#include "hansim/meter/p1_telegram.hpp"
#include "hansim/meter/profile.hpp"
#include "hansim/security/p1_cipher.hpp"

using namespace hansim;

namespace {
security::security_keys test_keys() {
    security::security_keys keys;
    for (std::size_t i = 0; i < 16; ++i) {
        keys.encryption_key[i] = static_cast<std::uint8_t>(i);
        keys.authentication_key[i] = static_cast<std::uint8_t>(0xD0 + i);
    }
    return keys;
}
}  // namespace

TEST(p1_ciphered_source, luxembourg_wrapper_carries_the_profile_telegram) {
    auto config = meter::profile_config("kamstrup-p1");
    config.security = security::security_policy::encrypt_authenticate;
    const auto keys = test_keys();
    auto source = meter::make_push_source(config, &keys, nullptr);
    const auto* profile = meter::find_p1_profile(config.p1_profile);
    ASSERT_NE(profile, nullptr);
    std::optional<std::uint32_t> previous;
    for (int i = 0; i < 3; ++i) {
        const auto frame = source->next();
        ASSERT_EQ(frame.wire.front(), 0xDB);
        auto opened = security::p1_unprotect(frame.wire, keys.encryption_key);  // fixed public AK
        ASSERT_TRUE(opened) << opened.error().message;
        EXPECT_EQ(opened->telegram, meter::build_p1_telegram(frame.values, *profile));
        EXPECT_EQ(opened->title, frame.values.identity.system_title);
        ASSERT_TRUE(frame.invocation_counter);
        EXPECT_EQ(opened->invocation_counter, *frame.invocation_counter);
        if (previous) {
            EXPECT_EQ(*frame.invocation_counter, *previous + 1);
        }
        previous = frame.invocation_counter;
        // the key file's AK does not open it: the fixed AK was used
        EXPECT_FALSE(security::p1_unprotect(frame.wire, keys.encryption_key, keys.authentication_key));
    }
}

TEST(p1_ciphered_source, authentication_key_from_the_key_file_when_asked) {
    auto config = meter::profile_config("sagemcom-t211");
    config.security = security::security_policy::encrypt_authenticate;
    config.p1_fixed_authentication_key = false;
    const auto keys = test_keys();
    const auto frame = meter::make_push_source(config, &keys, nullptr)->next();
    EXPECT_TRUE(security::p1_unprotect(frame.wire, keys.encryption_key, keys.authentication_key));
    EXPECT_FALSE(security::p1_unprotect(frame.wire, keys.encryption_key));
}

TEST(p1_ciphered_source, only_encrypt_authenticate_and_no_faults) {
    auto config = meter::profile_config("kamstrup-p1");
    config.security = security::security_policy::encrypt;
    EXPECT_THROW(meter::validate(config), std::invalid_argument);
    config.security = security::security_policy::encrypt_authenticate;
    config.faults = faults::parse_fault_plan("corrupted_tag@2");
    EXPECT_THROW(meter::validate(config), std::invalid_argument);
}
