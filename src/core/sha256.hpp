// SHA-256 digests as the OCI image spec writes them: "sha256:" + 64 hex digits.
//
// Every blob of an image (layer, config, manifest) is named by the digest of
// its bytes, so the same content is stored once and a changed byte is caught.
#pragma once

#include <nettle/sha2.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace kubik {

/// An incremental SHA-256 (nettle's): feed bytes with update(), read the
/// result once with digest().
class Sha256 {
public:
    Sha256();
    /// Adds `size` bytes at `data` to what is hashed.
    void update(const void* data, std::size_t size);
    /// Adds `data` to what is hashed.
    void update(std::string_view data) { update(data.data(), data.size()); }
    /// "sha256:" + 64 lowercase hex digits of everything fed so far. Call once.
    std::string digest();

private:
    sha256_ctx ctx_;
};

/// "sha256:…" of `data`.
std::string sha256_digest(std::string_view data);

/// Whether `text` is "sha256:" followed by exactly 64 lowercase hex digits.
bool is_sha256_digest(std::string_view text);

/// The 64 hex digits of a digest ("sha256:abc…" → "abc…"); throws kubik::Error
/// when `digest` is not a sha256 digest.
std::string digest_hex(std::string_view digest);

} // namespace kubik
