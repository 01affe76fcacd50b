// Codec throughput: deframing, APDU decoding and P1 parsing of real-size frames, with
// memcpy of the same bytes as the floor reference; building frames, with OpenSSL's
// AES-128-GCM of the same size as the reference for ciphered frames.
#include <benchmark/benchmark.h>

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>

#include "hansim/codec/apdu/data_notification.hpp"
#include "hansim/codec/hdlc/stream_decoder.hpp"
#include "hansim/codec/crc.hpp"
#include "hansim/codec/p1/parser.hpp"
#include "hansim/meter/meter_model.hpp"
#include "hansim/meter/meter_source.hpp"
#include "hansim/meter/profile.hpp"
#include "hansim/meter/push1.hpp"
#include "test_data.hpp"

using namespace hansim;

namespace {
codec::bytes list1() { return test::read_hex(test::data_dir() / "vectors" / "nve_list1_3ph.hex"); }
codec::bytes push1() { return test::read_hex(test::data_dir() / "vectors" / "push1_3ph.hex"); }

void reference_memcpy(benchmark::State& state) {
    const auto frame = push1();
    codec::bytes out(frame.size());
    for (auto _ : state) {
        std::memcpy(out.data(), frame.data(), frame.size());
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * frame.size()));
}
BENCHMARK(reference_memcpy);

void hdlc_deframe(benchmark::State& state, codec::bytes frame) {
    codec::hdlc::stream_decoder decoder;
    for (auto _ : state) {
        decoder.feed(frame);
        auto event = decoder.next();
        benchmark::DoNotOptimize(event);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * frame.size()));
}
BENCHMARK_CAPTURE(hdlc_deframe, list1_228B, list1());
BENCHMARK_CAPTURE(hdlc_deframe, push1_461B, push1());

void apdu_decode(benchmark::State& state) {
    const auto frame = push1();
    const codec::byte_view apdu = codec::byte_view(frame).subspan(11, frame.size() - 14);
    for (auto _ : state) {
        auto n = codec::apdu::data_notification::from_bytes(apdu);
        benchmark::DoNotOptimize(n);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * apdu.size()));
}
BENCHMARK(apdu_decode);

void p1_parse(benchmark::State& state) {
    const auto text = test::read_text(test::data_dir() / "vectors" / "p1_kam5_example.txt");
    const codec::bytes telegram(text.begin(), text.end());
    for (auto _ : state) {
        auto t = codec::p1::parse_telegram(telegram);
        benchmark::DoNotOptimize(t);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * telegram.size()));
}
BENCHMARK(p1_parse);

// ---- building frames ------------------------------------------------------------------------
// One snapshot of the model, then only the encoding: APDU, framing (HDLC FCS/HCS or the P1
// CRC) and, for the Danish push 1, AES-128-GCM ciphering. Targets (issue 12): list 1 plain
// >= 2 M/s, ciphered push 1 >= 1 M/s, P1 >= 1 M/s on one core. The limit for the ciphered
// frame is reference_openssl_aes128_gcm_push1: one raw EVP AES-128-GCM seal of the same
// number of plaintext bytes, measured in the same run.

struct built_case {
    meter::meter_config config;
    meter::snapshot values;
    security::security_keys keys;
};

built_case prepare(const char* profile) {
    built_case c{meter::profile_config(profile), {}, {}};
    for (std::size_t i = 0; i < 16; ++i) {
        c.keys.encryption_key[i] = static_cast<std::uint8_t>(i);
        c.keys.authentication_key[i] = static_cast<std::uint8_t>(0xD0 + i);
    }
    meter::meter_model model(c.config);
    c.values = model.take_snapshot(c.config.start + std::chrono::seconds(10));
    return c;
}

void build_frame(benchmark::State& state, const char* profile, meter::push_kind kind) {
    const built_case c = prepare(profile);
    std::uint32_t ic = 0;
    std::size_t bytes = 0;
    for (auto _ : state) {
        auto wire = meter::build_push_wire(kind, c.values, c.config, &c.keys, ++ic);
        bytes += wire.size();
        benchmark::DoNotOptimize(wire);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK_CAPTURE(build_frame, list1_plain_no_3p, "kamstrup-no-3p", meter::push_kind::list1);
BENCHMARK_CAPTURE(build_frame, push1_ciphered_dk_3p, "kamstrup-dk-3p", meter::push_kind::push1);
BENCHMARK_CAPTURE(build_frame, p1_telegram, "kamstrup-p1", meter::push_kind::p1);

void reference_openssl_aes128_gcm_push1(benchmark::State& state) {
    const built_case c = prepare("kamstrup-dk-3p");
    const codec::bytes plain = meter::build_push1_apdu(c.values, c.config.list);
    unsigned char iv[12] = {'K', 'A', 'M', 'E', 0, 0xBC, 0x61, 0x4E, 0, 0, 0, 1};
    codec::bytes out(plain.size() + 16);
    std::array<std::uint8_t, 17> aad{0x30};  // security control + authentication key, as suite 0
    std::copy(c.keys.authentication_key.begin(), c.keys.authentication_key.end(), aad.begin() + 1);
    // The key schedule once, then only the IV per frame: the fastest way OpenSSL offers, and
    // what hansim's own cached contexts do, so the limit is not flattered by set-up cost.
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), nullptr, c.keys.encryption_key.data(), iv);
    for (auto _ : state) {
        int len = 0;
        ++iv[11];
        EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, iv);
        EVP_EncryptUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size()));
        EVP_EncryptUpdate(ctx, out.data(), &len, plain.data(), static_cast<int>(plain.size()));
        EVP_EncryptFinal_ex(ctx, out.data() + len, &len);
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 12, out.data() + plain.size());
        benchmark::DoNotOptimize(out.data());
    }
    EVP_CIPHER_CTX_free(ctx);
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * plain.size()));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.counters["plaintext_bytes"] = static_cast<double>(plain.size());
}
BENCHMARK(reference_openssl_aes128_gcm_push1);

void crc16_x25_228B(benchmark::State& state) {
    const auto frame = list1();
    for (auto _ : state) {
        auto crc = codec::crc16_x25(codec::byte_view(frame).subspan(1, frame.size() - 4));
        benchmark::DoNotOptimize(crc);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * (frame.size() - 4)));
}
BENCHMARK(crc16_x25_228B);
}  // namespace
