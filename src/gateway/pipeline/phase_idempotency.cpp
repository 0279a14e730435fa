// The Idempotency-Key phases: a repeat of a finished request gets the first answer byte for byte
// (nothing forwarded, reserved or charged); a repeat of one still in flight gets 409; the answer
// of a request that completed is kept for its repeats (24 h, per consumer group).
#include "core/period.hpp"
#include "gateway/pipeline/phases.hpp"

namespace kt::gateway {
namespace {

constexpr size_t kMaxIdempotencyKeyLength = 255;

Rejection idempotency_rejection(int status, std::string type, std::string code, std::string message) {
  return rejection(ApiError{status, std::move(type), code, std::move(message)}, code);
}

}  // namespace

IdempotencyClaim::~IdempotencyClaim() {
  if (cache_) cache_->abandon(key_);
}

void IdempotencyClaim::complete(RecordedResponse r) {
  cache_->complete(key_, std::move(r), now_unix_micros() / 1'000'000);
  cache_ = nullptr;
}

std::optional<Rejection> claim_idempotency_key(RequestContext& ctx, const GatewayShared& shared, IdempotencyClaim& claim,
                                               std::optional<RecordedResponse>& replay) {
  auto header = ctx.req.header("Idempotency-Key");
  if (!header || !shared.idempotency) return std::nullopt;
  ctx.idempotency_key = std::string(*header);
  if (ctx.idempotency_key.empty() || ctx.idempotency_key.size() > kMaxIdempotencyKeyLength)
    return rejection(bad_request("invalid_idempotency_key", "Idempotency-Key must be 1 to 255 characters"),
                     "invalid_request");
  std::string key = idempotency_cache_key(ctx.group ? ctx.group->name : "", ctx.idempotency_key);
  auto begun = shared.idempotency->begin(key, body_fingerprint(ctx.req.body), now_unix_micros() / 1'000'000);
  using O = IdempotencyCache::Outcome;
  if (begun.outcome == O::in_flight)
    return idempotency_rejection(409, "idempotency_conflict", "idempotency_conflict",
                                 "a request with this Idempotency-Key is still in progress; retry later");
  if (begun.outcome == O::mismatch)
    return idempotency_rejection(422, "idempotency_conflict", "idempotency_key_reused",
                                 "this Idempotency-Key was used with a different request body");
  if (begun.outcome == O::replay) {
    replay = *begun.response;
    ctx.replay_of = replay->request_id;
    ctx.status = replay->status;
    ctx.reason = "idempotent_replay";
    return std::nullopt;
  }
  claim.own(shared.idempotency.get(), std::move(key));
  return std::nullopt;
}

awaitable<void> send_replay(RequestContext& ctx, http::ResponseWriter& res, const RecordedResponse& first) {
  http::Headers extra{{"X-Kt-Request-Id", ctx.request_id}, {"Idempotent-Replayed", "true"}};
  std::string content_type = first.content_type, body = first.body;
  co_await res.send(first.status, content_type, std::move(body), extra);
}

void remember_answer(RequestContext& ctx, AttemptWriter& out, IdempotencyClaim& claim) {
  // Only a complete success is replayed: a refusal or a failure may succeed when repeated.
  if (auto rec = out.recorded(); rec && claim.active() && rec->status >= 200 && rec->status < 300) {
    rec->request_id = ctx.request_id;
    claim.complete(std::move(*rec));
  }
}

}  // namespace kt::gateway
