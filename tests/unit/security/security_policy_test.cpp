#include <gtest/gtest.h>

#include "hansim/security/security_policy.hpp"

using namespace hansim::security;

TEST(security_policy, names_round_trip) {
    for (auto p : {security_policy::none, security_policy::encrypt, security_policy::authenticate,
                   security_policy::encrypt_authenticate})
        EXPECT_EQ(parse_security_policy(to_string(p)), p);
    EXPECT_EQ(to_string(security_policy::encrypt_authenticate), "encrypt+authenticate");
}

TEST(security_policy, unknown_name_lists_the_choices) {
    try {
        (void)parse_security_policy("aes");
        FAIL() << "no exception";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("'aes'"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("encrypt+authenticate"), std::string::npos);
    }
}

TEST(security_policy, security_control_bytes) {
    EXPECT_EQ(security_control_for(security_policy::encrypt_authenticate), 0x30);
    EXPECT_EQ(security_control_for(security_policy::encrypt), 0x20);
    EXPECT_EQ(security_control_for(security_policy::authenticate), 0x10);
    EXPECT_THROW((void)security_control_for(security_policy::none), std::invalid_argument);
}

TEST(security_policy, only_suite_0_unicast_uncompressed_is_understood) {
    EXPECT_EQ(policy_from_security_control(0x30), security_policy::encrypt_authenticate);
    EXPECT_EQ(policy_from_security_control(0x20), security_policy::encrypt);
    EXPECT_EQ(policy_from_security_control(0x10), security_policy::authenticate);
    EXPECT_FALSE(policy_from_security_control(0x00));
    EXPECT_FALSE(policy_from_security_control(0x31));  // suite 1
    EXPECT_FALSE(policy_from_security_control(0x70));  // broadcast key
    EXPECT_FALSE(policy_from_security_control(0xB0));  // compression
}
