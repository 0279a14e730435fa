#pragma once
// The plan of a request's attempts after the first (pipeline.cpp runs them): the primary target's
// retries, then each fallback in order with its own retries. A fallback's own fallbacks are not
// followed: the chain is what the primary lists, so it cannot loop.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "gateway/gateway_shared.hpp"
#include "gateway/worker.hpp"

namespace kt::gateway {

// An attempt after the first.
struct AttemptStep {
  size_t target;
  std::string model;
  int retry = 0;  // 0: first try on this target; n: its n-th retry (backs off first)
  int backoff_ms = 0;
};

class AttemptPlan {
 public:
  AttemptPlan(const GatewayShared& shared, std::string client_model);
  // Whether any target retries or falls back (else no failure is held back, no body copied).
  bool may_retry() const { return may_retry_; }
  // Whether the attempt about to be made may be followed by another if it fails.
  bool more_may_follow() const { return may_retry_ && (!planned_ || next_ < steps_.size()); }
  // The step after a failed attempt; the first failure plans from the target it was made on
  // (nullptr: it reached none, nothing follows). nullopt: no step is left.
  std::optional<AttemptStep> next(const providers::ResolvedTarget* failed);
  const std::string& client_model() const { return client_model_; }

 private:
  const GatewayShared& shared_;
  std::string client_model_;
  bool may_retry_;
  bool planned_ = false;
  std::vector<AttemptStep> steps_;
  size_t next_ = 0;
};

// How long a step waits first: a retry backs off exponentially (capped at 60 s), a fallback not.
std::chrono::milliseconds backoff_of(const AttemptStep& s);
boost::asio::awaitable<void> back_off(Worker& w, const AttemptStep& s);

}  // namespace kt::gateway
