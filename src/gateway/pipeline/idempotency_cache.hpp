#pragma once
// Idempotency-Key support: the first complete answer to (consumer group, key) is kept for 24 h and
// replayed byte for byte to repeats, which are never forwarded nor charged again; a repeat while
// the first is still running is told so (409).
//
// In-process, one cache per gateway process shared by its worker threads. Workers otherwise share
// no lock; this cache takes one (per shard) only for requests that carry the header, which keeps
// the common path lock-free at the cost of a short mutex hold on those. With several gateway
// replicas behind a load balancer a repeat can land on another process and run again: dedupe
// across replicas needs the keys recorded by the API (issue 4).
#include <array>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace kt::gateway {

struct RecordedResponse {
  int status = 200;
  std::string content_type;
  std::string body;        // the whole body; for a stream, every SSE byte the client received
  std::string request_id;  // the request that produced it
  size_t bytes() const { return body.size() + content_type.size() + request_id.size(); }
};

class IdempotencyCache {
 public:
  struct Limits {
    size_t max_entries = 10'000;
    size_t max_bytes = 64u << 20;
    std::chrono::seconds ttl{24 * 3600};
  };
  enum class Outcome {
    started,    // the caller owns the key now: complete() or abandon() it
    in_flight,  // another request with this key is running
    replay,     // `response` is the first answer
    mismatch,   // the key was used with a different request body
  };
  struct BeginResult {
    Outcome outcome;
    std::shared_ptr<const RecordedResponse> response;
  };

  explicit IdempotencyCache(Limits limits);
  IdempotencyCache() : IdempotencyCache(Limits{}) {}

  // `fingerprint` identifies the request body; `now_s` is unix seconds (injected for tests).
  BeginResult begin(const std::string& key, uint64_t fingerprint, int64_t now_s);
  // Keeps the answer for replays. An answer larger than a shard's byte budget is not kept (the key
  // is released instead, so a repeat runs again).
  void complete(const std::string& key, RecordedResponse response, int64_t now_s);
  // Forgets a started key without an answer (refused, failed, or not worth replaying).
  void abandon(const std::string& key);

  size_t size() const;

 private:
  static constexpr size_t kShards = 16;
  struct Entry {
    uint64_t fingerprint = 0;
    int64_t stored_at = 0;
    std::shared_ptr<const RecordedResponse> response;  // null while in flight
    std::list<std::string>::iterator lru;              // completed entries only
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, Entry> entries;
    std::list<std::string> lru;  // completed keys, most recently used first
    size_t bytes = 0;
  };
  Shard& shard_of(const std::string& key);
  void erase_locked(Shard& s, std::unordered_map<std::string, Entry>::iterator it);
  void evict_locked(Shard& s);

  Limits limits_;
  size_t max_entries_per_shard_, max_bytes_per_shard_;
  std::array<Shard, kShards> shards_;
};

// 64-bit FNV-1a of the request body: tells a reused key from a repeat (not a security boundary).
uint64_t body_fingerprint(std::string_view body);

// The cache key: consumer group and client key, separated by a byte neither can contain.
std::string idempotency_cache_key(std::string_view group, std::string_view client_key);

}  // namespace kt::gateway
