#include "core/sha256.hpp"

#include "core/error.hpp"

#include <array>

namespace kubik {

namespace {

constexpr std::string_view kPrefix = "sha256:";

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

} // namespace

Sha256::Sha256() { sha256_init(&ctx_); }

void Sha256::update(const void* data, std::size_t size) {
    sha256_update(&ctx_, size, static_cast<const std::uint8_t*>(data));
}

std::string Sha256::digest() {
    std::array<std::uint8_t, SHA256_DIGEST_SIZE> raw{};
    sha256_digest(&ctx_, raw.size(), raw.data());
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(kPrefix);
    out.reserve(kPrefix.size() + 2 * raw.size());
    for (std::uint8_t b : raw) {
        out.push_back(kHex[b >> 4]);
        out.push_back(kHex[b & 0xf]);
    }
    return out;
}

std::string sha256_digest(std::string_view data) {
    Sha256 hash;
    hash.update(data);
    return hash.digest();
}

bool is_sha256_digest(std::string_view text) {
    if (text.size() != kPrefix.size() + 64 || !text.starts_with(kPrefix)) return false;
    for (char c : text.substr(kPrefix.size()))
        if (!is_lower_hex(c)) return false;
    return true;
}

std::string digest_hex(std::string_view digest) {
    if (!is_sha256_digest(digest))
        throw Error("\"" + std::string(digest) + "\" is not a sha256 digest (sha256: and 64 hex digits)");
    return std::string(digest.substr(kPrefix.size()));
}

} // namespace kubik
