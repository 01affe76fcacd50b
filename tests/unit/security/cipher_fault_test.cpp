// Every ciphering fault is generated and then recognised by the decoder side: glo_unprotect
// (authentication failure / malformed with offset) or counter_monitor (stuck / backwards / jump).
#include <gtest/gtest.h>

#include "hansim/security/cipher_fault.hpp"
#include "hansim/security/counter_monitor.hpp"

using namespace hansim;
using namespace hansim::security;

namespace {

const security_keys keys{parse_key_hex("000102030405060708090A0B0C0D0E0F", "ek"),
                         parse_key_hex("D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF", "ak")};
const system_title title{0x4B, 0x41, 0x4D, 0x45, 0x00, 0xBC, 0x61, 0x4E};
const codec::bytes apdu = codec::from_hex("0F000000000C07E8010F010D2D14FF800000020209060101010700FF0600000000");

fault_request request(std::uint8_t sc, std::uint32_t ic, std::optional<std::uint32_t> previous) {
    fault_request r;
    r.plaintext_apdu = apdu;
    r.keys = keys;
    r.title = title;
    r.invocation_counter = ic;
    r.security_control = sc;
    r.previous_counter = previous;
    return r;
}

/// What the reader side makes of a frame: the unprotect error kind, or the monitor's verdict.
struct verdict {
    std::optional<unprotect_error_kind> error;
    std::size_t offset = 0;
    counter_anomaly anomaly = counter_anomaly::none;
};

/// Feeds a monitor two good frames (ICs 99 and 100), then `wire`.
verdict read(const codec::bytes& wire) {
    counter_monitor monitor;
    for (std::uint32_t ic : {99u, 100u}) {
        const auto good = glo_unprotect(glo_protect(apdu, keys, title, ic, 0x30), keys);
        EXPECT_TRUE(good.ok());
        monitor.observe(good->title, good->invocation_counter);
    }
    const auto opened = glo_unprotect(wire, keys);
    if (!opened) return {opened.error().kind, opened.error().offset, counter_anomaly::none};
    return {std::nullopt, 0, monitor.observe(opened->title, opened->invocation_counter).anomaly};
}

}  // namespace

TEST(cipher_fault, names_round_trip_and_unknown_is_explained) {
    EXPECT_EQ(all_cipher_faults().size(), 10u);
    for (const auto fault : all_cipher_faults()) EXPECT_EQ(parse_cipher_fault(to_string(fault)), fault);
    try {
        (void)parse_cipher_fault("bad_tag");
        FAIL() << "no exception";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("'bad_tag'"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("corrupted_tag"), std::string::npos);
    }
}

TEST(cipher_fault, each_fault_is_recognised_by_the_reader_sc_0x30) {
    struct expectation {
        cipher_fault fault;
        std::optional<unprotect_error_kind> error;
        std::size_t offset;
        counter_anomaly anomaly;
        std::uint32_t ic_on_wire;
    };
    using k = unprotect_error_kind;
    const expectation table[] = {
        {cipher_fault::wrong_encryption_key, k::authentication_failed, 51, counter_anomaly::none, 101},
        {cipher_fault::wrong_authentication_key, k::authentication_failed, 51, counter_anomaly::none, 101},
        {cipher_fault::corrupted_tag, k::authentication_failed, 51, counter_anomaly::none, 101},
        {cipher_fault::counter_stuck, std::nullopt, 0, counter_anomaly::stuck, 100},
        {cipher_fault::counter_backwards, std::nullopt, 0, counter_anomaly::backwards, 99},
        {cipher_fault::counter_jump, std::nullopt, 0, counter_anomaly::jump, 1101},
        {cipher_fault::empty_system_title, k::malformed, 1, counter_anomaly::none, 101},
        {cipher_fault::foreign_system_title, k::authentication_failed, 51, counter_anomaly::none, 101},
        {cipher_fault::sc_mismatch, k::authentication_failed, 51, counter_anomaly::none, 101},
        {cipher_fault::length_off_by_one, k::malformed, 10, counter_anomaly::none, 101},
    };
    ASSERT_EQ(std::size(table), all_cipher_faults().size());
    for (const auto& e : table) {
        SCOPED_TRACE(std::string(to_string(e.fault)));
        const auto faulty = protect_with_fault(e.fault, request(0x30, 101, 100));
        EXPECT_EQ(faulty.invocation_counter, e.ic_on_wire);
        EXPECT_EQ(faulty.description.rfind(std::string(to_string(e.fault)) + ": ", 0), 0u) << faulty.description;
        EXPECT_NE(faulty.apdu, glo_protect(apdu, keys, title, 101, 0x30));
        const auto v = read(faulty.apdu);
        EXPECT_EQ(v.error, e.error);
        if (e.error) {
            EXPECT_EQ(v.offset, e.offset);
        }
        EXPECT_EQ(v.anomaly, e.anomaly);
    }
}

TEST(cipher_fault, authenticated_only_frames_are_recognised_too) {
    for (const auto fault : {cipher_fault::wrong_encryption_key, cipher_fault::wrong_authentication_key,
                             cipher_fault::corrupted_tag, cipher_fault::foreign_system_title,
                             cipher_fault::sc_mismatch}) {
        SCOPED_TRACE(std::string(to_string(fault)));
        const auto faulty = protect_with_fault(fault, request(0x10, 101, 100));
        const auto opened = glo_unprotect(faulty.apdu, keys);
        ASSERT_FALSE(opened.ok());
        EXPECT_EQ(opened.error().kind, unprotect_error_kind::authentication_failed);
    }
}

TEST(cipher_fault, encrypt_only_limits) {
    // No tag: these faults cannot apply.
    EXPECT_THROW((void)protect_with_fault(cipher_fault::corrupted_tag, request(0x20, 101, 100)), std::invalid_argument);
    EXPECT_THROW((void)protect_with_fault(cipher_fault::wrong_authentication_key, request(0x20, 101, 100)),
                 std::invalid_argument);
    // sc_mismatch relabels 0x20 as 0x30, so the last 12 ciphertext bytes are taken as a tag.
    const auto relabelled = protect_with_fault(cipher_fault::sc_mismatch, request(0x20, 101, 100));
    const auto opened = glo_unprotect(relabelled.apdu, keys);
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.error().kind, unprotect_error_kind::authentication_failed);
    // A wrong key only yields different plaintext: the APDU parser has to notice.
    const auto garbage = glo_unprotect(protect_with_fault(cipher_fault::wrong_encryption_key, request(0x20, 101, 100)).apdu, keys);
    ASSERT_TRUE(garbage.ok());
    EXPECT_NE(garbage->apdu, apdu);
}

TEST(cipher_fault, counter_faults_need_history) {
    EXPECT_THROW((void)protect_with_fault(cipher_fault::counter_stuck, request(0x30, 1, std::nullopt)),
                 std::invalid_argument);
    EXPECT_THROW((void)protect_with_fault(cipher_fault::counter_backwards, request(0x30, 1, std::nullopt)),
                 std::invalid_argument);
    EXPECT_THROW((void)protect_with_fault(cipher_fault::counter_backwards, request(0x30, 1, 0)), std::invalid_argument);
    EXPECT_THROW((void)protect_with_fault(cipher_fault::counter_jump, request(0x30, 0xFFFFFF00u, 0xFFFFFEFFu)),
                 std::invalid_argument);
    // A jump needs no history; a stuck counter repeats whatever the previous frame carried,
    // even a faulty one.
    EXPECT_EQ(protect_with_fault(cipher_fault::counter_jump, request(0x30, 5, std::nullopt)).invocation_counter, 1005u);
    auto custom = request(0x30, 5, 4);
    custom.counter_jump = 7;
    EXPECT_EQ(protect_with_fault(cipher_fault::counter_jump, custom).invocation_counter, 12u);
    EXPECT_EQ(protect_with_fault(cipher_fault::counter_stuck, request(0x30, 6, 1005)).invocation_counter, 1005u);
}

TEST(cipher_fault, counter_faulty_frames_still_authenticate) {
    for (const auto fault : {cipher_fault::counter_stuck, cipher_fault::counter_backwards, cipher_fault::counter_jump}) {
        const auto faulty = protect_with_fault(fault, request(0x30, 101, 100));
        const auto opened = glo_unprotect(faulty.apdu, keys);
        ASSERT_TRUE(opened.ok()) << to_string(fault);
        EXPECT_EQ(opened->apdu, apdu);
        EXPECT_EQ(opened->invocation_counter, faulty.invocation_counter);
    }
}

TEST(counter_monitor, classifies_per_system_title) {
    counter_monitor monitor(10);
    system_title other = title;
    other[7] ^= 1;
    EXPECT_EQ(monitor.observe(title, 100).anomaly, counter_anomaly::first_seen);
    EXPECT_EQ(monitor.observe(title, 101).anomaly, counter_anomaly::none);
    EXPECT_EQ(monitor.observe(other, 5).anomaly, counter_anomaly::first_seen);
    EXPECT_EQ(monitor.observe(title, 111).anomaly, counter_anomaly::none);  // 10 frames missed: allowed
    const auto stuck = monitor.observe(title, 111);
    EXPECT_EQ(stuck.anomaly, counter_anomaly::stuck);
    EXPECT_EQ(stuck.message, "invocation counter of system title 4B414D4500BC614E stuck at 0x0000006F");
    const auto back = monitor.observe(title, 110);
    EXPECT_EQ(back.anomaly, counter_anomaly::backwards);
    EXPECT_EQ(back.previous, 111u);
    EXPECT_EQ(back.message,
              "invocation counter of system title 4B414D4500BC614E went backwards: 0x0000006E after 0x0000006F");
    EXPECT_EQ(monitor.observe(title, 121).anomaly, counter_anomaly::jump);
    EXPECT_EQ(monitor.observe(title, 122).anomaly, counter_anomaly::none);
    EXPECT_EQ(monitor.observe(other, 6).anomaly, counter_anomaly::none);
    EXPECT_EQ(monitor.last(title), 122u);
    EXPECT_EQ(monitor.last(system_title{}), std::nullopt);
    EXPECT_EQ(to_string(counter_anomaly::backwards), "backwards");
}
