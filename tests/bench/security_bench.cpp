// Ciphering cost per push next to raw OpenSSL EVP AES-128-GCM on the same number of bytes
// (the reference: what the hardware and OpenSSL can do, measured in the same run).
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include "hansim/security/glo_cipher.hpp"
#include "test_data.hpp"

using namespace hansim;

namespace {
security::security_keys keys() {
    security::security_keys k;
    for (std::size_t i = 0; i < 16; ++i) {
        k.encryption_key[i] = static_cast<std::uint8_t>(i);
        k.authentication_key[i] = static_cast<std::uint8_t>(0xD0 + i);
    }
    return k;
}

codec::bytes push1_apdu() {
    const auto frame = test::read_hex(test::data_dir() / "vectors" / "push1_3ph.hex");
    return codec::bytes(frame.begin() + 11, frame.end() - 3);
}

void reference_openssl_aes128_gcm(benchmark::State& state) {
    const auto plain = push1_apdu();
    const auto k = keys();
    unsigned char iv[12] = {'K', 'A', 'M', 'E', 0, 0xBC, 0x61, 0x4E, 0, 0, 0, 1};
    codec::bytes out(plain.size() + 16);
    // Key schedule once, the IV per frame (as hansim's cached contexts do).
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), nullptr, k.encryption_key.data(), iv);
    for (auto _ : state) {
        int len = 0;
        EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, iv);
        EVP_EncryptUpdate(ctx, nullptr, &len, k.authentication_key.data(), 16);
        EVP_EncryptUpdate(ctx, out.data(), &len, plain.data(), static_cast<int>(plain.size()));
        EVP_EncryptFinal_ex(ctx, out.data() + len, &len);
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, out.data() + plain.size());
        benchmark::DoNotOptimize(out.data());
    }
    EVP_CIPHER_CTX_free(ctx);
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * plain.size()));
}
BENCHMARK(reference_openssl_aes128_gcm);

void glo_protect_push1(benchmark::State& state) {
    const auto plain = push1_apdu();
    const auto k = keys();
    const security::system_title title{'K', 'A', 'M', 'E', 0, 0xBC, 0x61, 0x4E};
    std::uint32_t ic = 0;
    for (auto _ : state) {
        auto out = security::glo_protect(plain, k, title, ++ic, 0x30);
        benchmark::DoNotOptimize(out);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * plain.size()));
}
BENCHMARK(glo_protect_push1);

void glo_unprotect_push1(benchmark::State& state) {
    const auto k = keys();
    const security::system_title title{'K', 'A', 'M', 'E', 0, 0xBC, 0x61, 0x4E};
    const auto sealed = security::glo_protect(push1_apdu(), k, title, 7, 0x30);
    for (auto _ : state) {
        auto out = security::glo_unprotect(sealed, k);
        benchmark::DoNotOptimize(out);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * sealed.size()));
}
BENCHMARK(glo_unprotect_push1);
}  // namespace
