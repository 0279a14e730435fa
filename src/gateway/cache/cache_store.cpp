#include "gateway/cache/cache_store.hpp"

#include "gateway/cache/redis_cache.hpp"

namespace kt::gateway {
namespace {

// One per worker, without a lock (response_cache.hpp says what that costs).
class MemoryCacheStore final : public CacheStore {
 public:
  MemoryCacheStore(size_t max_entries, int64_t ttl_s) : cache_(max_entries, ttl_s) {}
  boost::asio::awaitable<CacheLookup> find(const std::string& key, int64_t now_s, std::optional<int64_t> max_age) override {
    const CachedAnswer* a = cache_.find(key, now_s, max_age);
    if (!a) co_return CacheLookup{};
    co_return CacheLookup{CacheLookup::Outcome::hit, *a};
  }
  void put(const std::string& key, CachedAnswer answer) override { cache_.put(key, std::move(answer)); }

 private:
  ResponseCache cache_;
};

}  // namespace

std::unique_ptr<CacheStore> make_cache_store(boost::asio::io_context& ioc, const config::ResponseCacheConfig& c) {
  if (!c.enabled) return nullptr;
  if (c.backend == "redis" && c.redis) return std::make_unique<RedisCacheStore>(ioc.get_executor(), *c.redis, c.ttl_seconds);
  return std::make_unique<MemoryCacheStore>(size_t(c.max_entries), c.ttl_seconds);
}

}  // namespace kt::gateway
