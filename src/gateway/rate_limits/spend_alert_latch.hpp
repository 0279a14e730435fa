#pragma once
// The spend-rate breaker alerts once per episode: the first refusal of a (group, bound) alerts,
// later ones do not until a whole window has passed without a refusal. Shared by the process's
// workers; touched only when a request is refused for spend rate, never on an admitted one.
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace kt::gateway {

class SpendAlertLatch {
 public:
  // True when this refusal starts an episode (the caller alerts).
  bool first_refusal(const std::string& key, int64_t now_ms, int64_t window_ms) {
    std::lock_guard lock(mu_);
    auto [it, fresh] = last_.try_emplace(key, now_ms);
    bool starts = fresh || now_ms - it->second > window_ms;
    it->second = now_ms;
    return starts;
  }

 private:
  std::mutex mu_;
  std::map<std::string, int64_t> last_;
};

}  // namespace kt::gateway
