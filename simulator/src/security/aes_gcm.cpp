#include "hansim/security/aes_gcm.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <climits>
#include <memory>
#include <stdexcept>
#include <string>

namespace hansim::security {
namespace {

struct cipher_ctx_deleter {
    void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using cipher_ctx = std::unique_ptr<EVP_CIPHER_CTX, cipher_ctx_deleter>;

void check(int ok, const char* step) {
    if (ok != 1) throw std::runtime_error(std::string("AES-128-GCM: OpenSSL ") + step + " failed");
}

int checked_length(std::size_t n, const char* what) {
    if (n > static_cast<std::size_t>(INT_MAX)) throw std::invalid_argument(std::string("AES-128-GCM: ") + what + " too long");
    return static_cast<int>(n);
}

// Setting a key up (OpenSSL's cipher fetch, the AES key schedule, GCM's hash table) costs
// more than sealing a whole frame. Each thread keeps a few contexts set up for one key and
// direction each and, per call, only starts them again with the new IV, which resets the GCM
// state (counter, hash, lengths, tag) as a fresh context would have it.
struct keyed_ctx {
    aes_key key{};
    int encrypt = -1;
    cipher_ctx ctx;
    keyed_ctx() = default;
    keyed_ctx(const keyed_ctx&) = delete;
    keyed_ctx& operator=(const keyed_ctx&) = delete;
    ~keyed_ctx() { OPENSSL_cleanse(key.data(), key.size()); }
};

constexpr std::size_t cached_keys = 4;  // a few meters' keys, both directions, per thread

EVP_CIPHER_CTX* keyed(const aes_key& key, int encrypt) {
    thread_local std::array<keyed_ctx, cached_keys> cache;
    thread_local std::size_t next_slot = 0;
    for (auto& c : cache)
        if (c.ctx && c.encrypt == encrypt && c.key == key) return c.ctx.get();
    keyed_ctx& slot = cache[next_slot];
    next_slot = (next_slot + 1) % cached_keys;
    slot.ctx.reset();
    slot.encrypt = -1;
    cipher_ctx ctx(EVP_CIPHER_CTX_new());
    if (!ctx) throw std::runtime_error("AES-128-GCM: OpenSSL could not allocate a cipher context");
    check(EVP_CipherInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, nullptr, nullptr, encrypt), "cipher init");
    check(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(gcm_iv{}.size()), nullptr),
          "set IV length");
    check(EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, key.data(), nullptr, encrypt), "key setup");
    slot.key = key;
    slot.encrypt = encrypt;
    slot.ctx = std::move(ctx);
    return slot.ctx.get();
}

/// A context set up for `encrypt` (1) or decrypt (0) with the key, started with a 12-byte IV.
EVP_CIPHER_CTX* start(const aes_key& key, const gcm_iv& iv, int encrypt) {
    EVP_CIPHER_CTX* ctx = keyed(key, encrypt);
    check(EVP_CipherInit_ex2(ctx, nullptr, nullptr, iv.data(), encrypt, nullptr), "IV setup");
    return ctx;
}

void add_aad(EVP_CIPHER_CTX* ctx, codec::byte_view aad) {
    if (aad.empty()) return;
    int unused = 0;
    check(EVP_CipherUpdate(ctx, nullptr, &unused, aad.data(), checked_length(aad.size(), "AAD")), "AAD update");
}

codec::bytes transform(EVP_CIPHER_CTX* ctx, codec::byte_view in) {
    codec::bytes out(in.size());
    if (in.empty()) return out;
    int written = 0;
    check(EVP_CipherUpdate(ctx, out.data(), &written, in.data(), checked_length(in.size(), "data")), "data update");
    if (static_cast<std::size_t>(written) != in.size()) throw std::runtime_error("AES-128-GCM: OpenSSL returned a short block");
    return out;
}

}  // namespace

gcm_iv make_gcm_iv(const std::array<std::uint8_t, 8>& system_title, std::uint32_t invocation_counter) {
    gcm_iv iv{};
    for (std::size_t i = 0; i < system_title.size(); ++i) iv[i] = system_title[i];
    for (std::size_t i = 0; i < 4; ++i) iv[8 + i] = static_cast<std::uint8_t>(invocation_counter >> (8 * (3 - i)));
    return iv;
}

gcm_sealed aes128_gcm_seal(const aes_key& key, const gcm_iv& iv, codec::byte_view aad, codec::byte_view plaintext) {
    EVP_CIPHER_CTX* ctx = start(key, iv, 1);
    add_aad(ctx, aad);
    gcm_sealed sealed;
    sealed.ciphertext = transform(ctx, plaintext);
    int tail = 0;
    unsigned char none[16];
    check(EVP_EncryptFinal_ex(ctx, none, &tail), "finalise");
    check(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(sealed.tag.size()), sealed.tag.data()),
          "get tag");
    return sealed;
}

std::optional<codec::bytes> aes128_gcm_open(const aes_key& key, const gcm_iv& iv, codec::byte_view aad,
                                            codec::byte_view ciphertext, codec::byte_view tag) {
    if (tag.size() < 4 || tag.size() > 16)
        throw std::invalid_argument("AES-128-GCM: tag must be 4..16 bytes, got " + std::to_string(tag.size()));
    EVP_CIPHER_CTX* ctx = start(key, iv, 0);
    add_aad(ctx, aad);
    codec::bytes plaintext = transform(ctx, ciphertext);
    // OpenSSL compares only the bytes it is given, which is how a truncated tag is checked.
    codec::bytes expected(tag.begin(), tag.end());
    check(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, static_cast<int>(expected.size()), expected.data()),
          "set tag");
    int tail = 0;
    unsigned char none[16];
    if (EVP_DecryptFinal_ex(ctx, none, &tail) != 1) return std::nullopt;
    return plaintext;
}

codec::bytes aes128_gcm_keystream_xor(const aes_key& key, const gcm_iv& iv, codec::byte_view data) {
    // GCM's encryption direction is CTR from IV||00000002; without finalising, no tag exists
    // and the same call decrypts.
    EVP_CIPHER_CTX* ctx = start(key, iv, 1);
    return transform(ctx, data);
}

}  // namespace hansim::security
