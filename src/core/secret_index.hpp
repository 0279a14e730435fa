#pragma once
// An immutable view of hashed secrets (API tokens, API-managed consumer keys), looked up without
// a lock and without a store call: keyed by the hash's first 8 bytes, then the whole hash is
// compared in constant time. Holders swap whole views (std::atomic<std::shared_ptr<const ...>>);
// each secret's last use lives in a counter that moves from view to view, so no use is lost in a
// swap, and is written back to the store coarsely (by whoever reloads the view), never per request.
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/ids.hpp"
#include "core/secrets.hpp"

namespace kt {

template <class Info>
class SecretIndex {
 public:
  struct Row {
    std::string id;
    SecretHash hash;
    Info info;
    std::optional<int64_t> last_used_at;  // what the store has
  };

  SecretIndex() = default;
  // `previous`: the view this one replaces (or null); the uses it saw carry over.
  SecretIndex(std::vector<Row> rows, const SecretIndex* previous) {
    for (auto& r : rows) {
      std::shared_ptr<Usage> usage;
      if (previous)
        if (auto it = previous->usage_by_id_.find(r.id); it != previous->usage_by_id_.end()) usage = it->second;
      if (!usage) usage = std::make_shared<Usage>();
      if (usage->written == 0 && r.last_used_at) usage->written = *r.last_used_at;
      usage_by_id_.emplace(r.id, usage);
      by_hash_.emplace(bucket_of(r.hash), Entry{r.hash, std::move(r.info), std::move(usage)});
    }
  }

  // Any thread: the info of the secret whose SHA-256 is `h`, recording its use at `now`.
  std::optional<Info> find(const SecretHash& h, int64_t now) const {
    auto [it, end] = by_hash_.equal_range(bucket_of(h));
    for (; it != end; ++it) {
      if (!constant_time_equal(bytes(it->second.hash), bytes(h))) continue;
      if (it->second.usage->last_used.load(std::memory_order_relaxed) < now)
        it->second.usage->last_used.store(now, std::memory_order_relaxed);
      return it->second.info;
    }
    return std::nullopt;
  }

  size_t size() const { return by_hash_.size(); }
  std::vector<std::string> ids() const {
    std::vector<std::string> out;
    for (const auto& [id, u] : usage_by_id_) out.push_back(id);
    return out;
  }

  // One thread at a time (the reloader): uses not yet written back, and noting them written.
  std::vector<SecretUse> unwritten_uses() const {
    std::vector<SecretUse> out;
    for (const auto& [id, u] : usage_by_id_)
      if (int64_t t = u->last_used.load(std::memory_order_relaxed); t > u->written) out.push_back({id, t});
    return out;
  }
  void mark_written(const std::vector<SecretUse>& uses) const {
    for (const auto& use : uses)
      if (auto it = usage_by_id_.find(use.id); it != usage_by_id_.end())
        it->second->written = std::max(it->second->written, use.last_used_at);
  }

 private:
  struct Usage {
    std::atomic<int64_t> last_used{0};  // unix seconds; written by request threads
    int64_t written = 0;                // what the store has (the reloader only)
  };
  struct Entry {
    SecretHash hash;
    Info info;
    std::shared_ptr<Usage> usage;
  };
  static uint64_t bucket_of(const SecretHash& h) {
    uint64_t v;
    std::memcpy(&v, h.data(), sizeof v);
    return v;
  }
  static std::string_view bytes(const SecretHash& h) { return {reinterpret_cast<const char*>(h.data()), h.size()}; }

  std::unordered_multimap<uint64_t, Entry> by_hash_;
  std::unordered_map<std::string, std::shared_ptr<Usage>> usage_by_id_;
};

}  // namespace kt
