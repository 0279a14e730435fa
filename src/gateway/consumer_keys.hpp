#pragma once
// The consumer keys of the config, looked up in time that does not depend on the presented key's
// content: the key is hashed (SHA-256 under a random per-process salt) and the digest looked up,
// so the map's hashing and comparisons only ever see digests an attacker cannot steer toward a
// real key; the matching entry's key is then compared in constant time. Keys are never logged.
#include <array>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/gateway_config.hpp"

namespace kt::gateway {

class ConsumerKeys {
 public:
  ConsumerKeys();
  explicit ConsumerKeys(const std::vector<config::ConsumerGroup>& groups);
  // The group whose api_key is `key`, or null.
  const config::ConsumerGroup* find(std::string_view key) const;
  size_t size() const { return by_digest_.size(); }

 private:
  using Digest = std::array<unsigned char, 32>;
  struct DigestHash {
    size_t operator()(const Digest& d) const noexcept;
  };
  Digest digest(std::string_view key) const;

  std::array<unsigned char, 32> salt_{};
  std::shared_ptr<void> sha256_;  // the fetched EVP_MD, freed with it
  std::unordered_map<Digest, const config::ConsumerGroup*, DigestHash> by_digest_;
};

}  // namespace kt::gateway
