#pragma once
// Secrets shown once and kept only as their SHA-256: API tokens (kt_tok_) and API-managed
// consumer keys (kt_ck_). A secret is its prefix + 64 hex digits (256 random bits); the store and
// every in-memory view keep the hash, never the secret.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kt {

using SecretHash = std::array<unsigned char, 32>;
SecretHash sha256(std::string_view data);
std::string to_hex(const unsigned char* data, size_t size);
inline std::string hex_of(const SecretHash& h) { return to_hex(h.data(), h.size()); }
// 64 lowercase hex digits back to a hash; nullopt for anything else.
std::optional<SecretHash> hash_from_hex(std::string_view hex);

// When a secret was last used (unix seconds), as one process saw it.
struct SecretUse {
  std::string id;
  int64_t last_used_at = 0;
};

struct MintedSecret {
  std::string secret;  // shown once
  std::string prefix;  // its first characters (the prefix and 8 hex digits), for people
  std::string hash;    // hex SHA-256 of the secret
};
// Throws std::runtime_error when the system's random source fails.
MintedSecret mint_secret(std::string_view prefix);

}  // namespace kt
