#pragma once
// The consumer keys of the config, looked up in time that does not depend on the presented key's
// content: the map is keyed by SipHash-2-4 of the key under a random per-process secret, so its
// bucket choice and comparisons only ever see values an attacker cannot steer toward a real
// key; the matching entry's key is then compared in constant time. Keys are never logged.
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/gateway_config.hpp"
#include "core/siphash.hpp"

namespace kt::gateway {

class ConsumerKeys {
 public:
  ConsumerKeys() = default;
  explicit ConsumerKeys(const std::vector<config::ConsumerGroup>& groups);
  // The group whose api_key is `key`, or null.
  const config::ConsumerGroup* find(std::string_view key) const;
  size_t size() const { return by_hash_.size(); }

 private:
  struct AlreadyHashed {
    size_t operator()(uint64_t h) const noexcept { return static_cast<size_t>(h); }
  };
  SipKey secret_{};
  std::unordered_map<uint64_t, const config::ConsumerGroup*, AlreadyHashed> by_hash_;
};

}  // namespace kt::gateway
