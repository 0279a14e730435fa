#include "gateway/pipeline/idempotency_cache.hpp"

#include <algorithm>
#include <functional>

namespace kt::gateway {

IdempotencyCache::IdempotencyCache(Limits limits)
    : limits_(limits),
      max_entries_per_shard_(std::max<size_t>(1, limits.max_entries / kShards)),
      max_bytes_per_shard_(std::max<size_t>(1, limits.max_bytes / kShards)) {}

IdempotencyCache::Shard& IdempotencyCache::shard_of(const std::string& key) {
  return shards_[std::hash<std::string>{}(key) % kShards];
}

void IdempotencyCache::erase_locked(Shard& s, std::unordered_map<std::string, Entry>::iterator it) {
  if (it->second.response) {
    s.bytes -= it->second.response->bytes() + it->first.size();
    s.lru.erase(it->second.lru);
  }
  s.entries.erase(it);
}

void IdempotencyCache::evict_locked(Shard& s) {
  // Least recently used completed answers go first; keys in flight are never evicted.
  while (!s.lru.empty() && (s.entries.size() > max_entries_per_shard_ || s.bytes > max_bytes_per_shard_))
    erase_locked(s, s.entries.find(s.lru.back()));
}

IdempotencyCache::BeginResult IdempotencyCache::begin(const std::string& key, uint64_t fingerprint, int64_t now_s) {
  Shard& s = shard_of(key);
  std::lock_guard lock(s.mu);
  auto it = s.entries.find(key);
  if (it != s.entries.end() && it->second.response && now_s - it->second.stored_at >= limits_.ttl.count()) {
    erase_locked(s, it);
    it = s.entries.end();
  }
  if (it == s.entries.end()) {
    Entry e;
    e.fingerprint = fingerprint;
    e.stored_at = now_s;
    s.entries.emplace(key, std::move(e));
    evict_locked(s);
    return {Outcome::started, nullptr};
  }
  Entry& e = it->second;
  if (e.fingerprint != fingerprint) return {Outcome::mismatch, nullptr};
  if (!e.response) return {Outcome::in_flight, nullptr};
  s.lru.splice(s.lru.begin(), s.lru, e.lru);
  return {Outcome::replay, e.response};
}

void IdempotencyCache::complete(const std::string& key, RecordedResponse response, int64_t now_s) {
  Shard& s = shard_of(key);
  std::lock_guard lock(s.mu);
  auto it = s.entries.find(key);
  if (it == s.entries.end() || it->second.response) return;
  size_t bytes = response.bytes() + key.size();
  if (bytes > max_bytes_per_shard_) {
    s.entries.erase(it);
    return;
  }
  it->second.response = std::make_shared<const RecordedResponse>(std::move(response));
  it->second.stored_at = now_s;
  s.lru.push_front(key);
  it->second.lru = s.lru.begin();
  s.bytes += bytes;
  evict_locked(s);
}

void IdempotencyCache::abandon(const std::string& key) {
  Shard& s = shard_of(key);
  std::lock_guard lock(s.mu);
  auto it = s.entries.find(key);
  if (it != s.entries.end() && !it->second.response) s.entries.erase(it);
}

size_t IdempotencyCache::size() const {
  size_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard lock(s.mu);
    n += s.entries.size();
  }
  return n;
}

uint64_t body_fingerprint(std::string_view body) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : body) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string idempotency_cache_key(std::string_view group, std::string_view client_key) {
  std::string k(group);
  k += '\0';
  k += client_key;
  return k;
}

}  // namespace kt::gateway
