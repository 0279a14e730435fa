#pragma once
// The response cache's store (docs/traffic.md "Response cache"): exact answers by key, bounded by a TTL and
// a number of entries (least recently used go first).
//
// One per worker thread, without a lock: the house rule keeps locks off the hot path, and every
// cacheable request would take one. The price is the hit rate: a repeat is a hit only on the
// worker that stored the first answer (its connection's thread), so with W workers a question can
// miss up to W times before every worker has it, and max_entries bounds each worker (memory: up to
// W x max_entries answers). A process-wide cache would trade that for a mutex per request.
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/money.hpp"

namespace kt::gateway {

struct CachedAnswer {
  int status = 200;
  std::string content_type;
  std::string body;  // the whole body; for a stream every SSE byte the client received
  bool stream = false;
  Money cost;              // what the first answer cost: a hit's cost_saved
  std::string request_id;  // the request that produced it
  int64_t stored_at = 0;   // unix seconds
};

class ResponseCache {
 public:
  ResponseCache(size_t max_entries, int64_t ttl_seconds) : max_entries_(max_entries ? max_entries : 1), ttl_(ttl_seconds) {}

  // The entry under `key` stored less than ttl seconds ago and, when max_age is given, at most
  // max_age seconds ago (Cache-Control: max-age). An expired entry is dropped.
  const CachedAnswer* find(const std::string& key, int64_t now_s, std::optional<int64_t> max_age = std::nullopt);
  // Keeps (or replaces) the answer under `key`, evicting the least recently used past max_entries.
  void put(const std::string& key, CachedAnswer answer);
  size_t size() const { return entries_.size(); }

 private:
  struct Slot {
    std::string key;
    CachedAnswer answer;
  };
  size_t max_entries_;
  int64_t ttl_;
  std::list<Slot> lru_;  // most recently used first
  std::unordered_map<std::string, std::list<Slot>::iterator> entries_;
};

// The canonical form of a request body for the cache key: objects with their keys sorted, numbers
// and strings as parsed, no whitespace, and the top-level `user` left out (who asks does not change
// the answer). Every other field is kept: anything the upstream reads may change the answer.
// nullopt when the body is not JSON.
std::optional<std::string> canonical_request(std::string_view body);

// The key: the team (a cache never crosses teams), the route, and SHA-256 of the canonical body.
std::string response_cache_key(std::string_view team, std::string_view route, std::string_view canonical);

}  // namespace kt::gateway
