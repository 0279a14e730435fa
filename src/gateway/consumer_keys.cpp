#include "gateway/consumer_keys.hpp"

#include <openssl/rand.h>

#include <stdexcept>

#include "core/ids.hpp"

namespace kt::gateway {

ConsumerKeys::ConsumerKeys(const std::vector<config::ConsumerGroup>& groups) {
  // Two keys of the config with the same 64-bit hash (odds 2^-64 a pair) would shadow one
  // another: draw another secret.
  for (int attempt = 0; attempt < 8; ++attempt) {
    if (RAND_bytes(secret_.data(), static_cast<int>(secret_.size())) != 1)
      throw std::runtime_error("OpenSSL cannot provide random bytes for the consumer key table");
    by_hash_.clear();
    bool collided = false;
    for (const auto& g : groups) {
      auto [it, fresh] = by_hash_.emplace(siphash24(secret_, g.api_key), &g);
      collided |= !fresh && it->second->api_key != g.api_key;  // the same key twice: the first group keeps it
    }
    if (!collided) return;
  }
  throw std::runtime_error("consumer key table: hash collisions persist");
}

const config::ConsumerGroup* ConsumerKeys::find(std::string_view key) const {
  if (by_hash_.empty()) return nullptr;
  auto it = by_hash_.find(siphash24(secret_, key));
  if (it == by_hash_.end() || !constant_time_equal(it->second->api_key, key)) return nullptr;
  return it->second;
}

}  // namespace kt::gateway
