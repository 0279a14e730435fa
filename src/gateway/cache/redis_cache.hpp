#pragma once
// backend: redis (docs/traffic.md "Response cache"): every worker of every gateway pointing at the
// same Redis shares the answers. Keys are the memory backend's (team, route, SHA-256 of the
// canonical body) written kt:cache:<team>:<route>:<hex> (redis_cache_key); values are cached_answer_codec.hpp frames with the
// TTL as PX. A lookup waits at most 50 ms; when Redis is slow or down the request is a bypass.
#include <memory>

#include "gateway/cache/cache_store.hpp"
#include "gateway/cache/redis_link.hpp"

namespace kt::gateway {

inline constexpr std::string_view kRedisCachePrefix = "kt:cache:";

// kt:cache:<team, %XX-escaped>:<route>:<hex SHA-256> for a response_cache_key.
std::string redis_cache_key(const std::string& key);

class RedisCacheStore final : public CacheStore {
 public:
  RedisCacheStore(boost::asio::any_io_executor ex, const config::RedisUrl& url, int64_t ttl_s);
  boost::asio::awaitable<CacheLookup> find(const std::string& key, int64_t now_s, std::optional<int64_t> max_age) override;
  void put(const std::string& key, CachedAnswer answer) override;

 private:
  std::shared_ptr<RedisLink> link_;
  int64_t ttl_s_;
};

}  // namespace kt::gateway
