#pragma once
// Idempotency-Key handling around the priced phases (phase_idempotency.cpp).
#include <optional>
#include <string>

#include "gateway/attempt_writer.hpp"
#include "gateway/idempotency_cache.hpp"
#include "gateway/request_context.hpp"
#include "gateway/gateway_shared.hpp"
#include "gateway/worker.hpp"

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

// Looks the request's Idempotency-Key up: a refusal (bad key, 409 in flight, 422 other body), or
// `replay` set to the first answer, or the key claimed for this request (or no key at all).
std::optional<Rejection> claim_idempotency_key(RequestContext& ctx, const GatewayShared& shared, IdempotencyClaim& claim,
                                               std::optional<RecordedResponse>& replay);
// Sends the first answer again and records the replay's event (no cost).
boost::asio::awaitable<void> replay_answer(RequestContext& ctx, const GatewayShared& shared, Worker& w,
                                           http::ResponseWriter& res, const RecordedResponse& first);
// Keeps a complete 2xx answer for the key's repeats.
void remember_answer(RequestContext& ctx, AttemptWriter& out, IdempotencyClaim& claim);

}  // namespace kt::gateway
