#pragma once
// The claim on an Idempotency-Key (phase 5 in phases.hpp, phase_idempotency.cpp).
#include <optional>
#include <string>

#include "gateway/pipeline/attempt_writer.hpp"
#include "gateway/pipeline/idempotency_cache.hpp"

namespace kt::gateway {

// Owns a started Idempotency-Key: forgets it on every path that does not complete it.
class IdempotencyClaim {
 public:
  IdempotencyClaim() = default;
  IdempotencyClaim(const IdempotencyClaim&) = delete;
  IdempotencyClaim& operator=(const IdempotencyClaim&) = delete;
  ~IdempotencyClaim();
  void own(IdempotencyCache* cache, std::string key) {
    cache_ = cache;
    key_ = std::move(key);
  }
  bool active() const { return cache_ != nullptr; }
  void complete(RecordedResponse r);

 private:
  IdempotencyCache* cache_ = nullptr;
  std::string key_;
};

}  // namespace kt::gateway
