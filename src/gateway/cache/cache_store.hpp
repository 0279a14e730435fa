#pragma once
// Where a worker's response cache keeps answers (docs/traffic.md "Response cache"): its own memory
// (backend: memory) or a Redis server shared by every worker of every gateway (backend: redis).
// Keys, the answer, freshness and Cache-Control are the same for both (cache/phase_cache.cpp,
// cache/cached_answer_codec.hpp); only where the bytes live differs.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <optional>
#include <string>

#include "config/gateway_config.hpp"
#include "gateway/cache/response_cache.hpp"

namespace kt::gateway {

struct CacheLookup {
  enum class Outcome { hit, miss, unavailable } outcome = Outcome::miss;
  std::optional<CachedAnswer> answer;  // set on a hit
};

class CacheStore {
 public:
  virtual ~CacheStore() = default;
  // Never waits longer than the backend's deadline; `unavailable` when the store could not say.
  virtual boost::asio::awaitable<CacheLookup> find(const std::string& key, int64_t now_s, std::optional<int64_t> max_age) = 0;
  // Called after the client has its answer; never waits (a store that cannot keep it drops it).
  virtual void put(const std::string& key, CachedAnswer answer) = 0;
};

// Null unless cache.enabled.
std::unique_ptr<CacheStore> make_cache_store(boost::asio::io_context& ioc, const config::ResponseCacheConfig& c);

}  // namespace kt::gateway
