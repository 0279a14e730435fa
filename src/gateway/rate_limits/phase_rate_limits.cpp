// Phase 4b: the consumer group's rate limits and spend-rate breaker, after the request is priced
// and before anything is held: a refusal holds nothing, so it releases nothing.
#include <spdlog/spdlog.h>

#include "core/period.hpp"
#include "gateway/phases.hpp"

namespace kt::gateway {
namespace {

bool is_spend(LimitKind k) { return k == LimitKind::max_spend_per_minute || k == LimitKind::max_spend_per_hour; }

std::string amount_text(LimitKind k, int64_t v) {
  if (is_spend(k)) return "$" + Money::from_nanos(v).to_decimal();
  return std::to_string(v) + (k == LimitKind::requests_per_minute ? " requests" : " tokens");
}

Rejection rate_rejection(const RequestContext& ctx, const RateLimiter::Verdict& v) {
  const bool spend = is_spend(v.refused_by);
  const std::string bound = limit_name(v.refused_by);
  std::string message = v.never_fits
      ? "this request alone (" + amount_text(v.refused_by, v.need) + ") is more than consumer group '" + ctx.group->name +
            "' may use under " + bound + " (" + amount_text(v.refused_by, v.limit) + ")"
      : (spend ? "spend rate exceeded for consumer group '" : "rate limit exceeded for consumer group '") +
            ctx.group->name + "': " + bound + " is " + amount_text(v.refused_by, v.limit);
  ApiError e{429, spend ? "spend_rate_exceeded" : "rate_limit_exceeded", spend ? "spend_rate_exceeded" : "rate_limit_exceeded",
             message};
  Rejection r{429, error_envelope(e, [&](JsonWriter& w) { w.field("limit", bound); }),
              spend ? "spend_rate_exceeded" : "rate_limit_exceeded", {}};
  r.retry_after = std::to_string(std::max<int64_t>(1, (v.retry_after_ms + 999) / 1000));
  return r;
}

}  // namespace

awaitable<std::optional<Rejection>> limit_traffic(RequestContext& ctx, const GatewayShared& shared, Worker& w) {
  if (!w.rate_limits || !ctx.group->rate_limits.any_limit()) co_return std::nullopt;
  RateLimiter::Demand d{1, ctx.prompt_estimate + ctx.output_allowance, ctx.estimate.nanos()};
  auto v = co_await w.rate_limits->admit(*ctx.group, d);
  if (ctx.group->rate_limits.response_headers.value_or(false)) ctx.rate_headers = w.rate_limits->headers(*ctx.group);
  using Outcome = RateLimiter::Verdict::Outcome;
  if (v.outcome == Outcome::admitted) {
    ctx.rate_admission = std::move(v.admission);
    co_return std::nullopt;
  }
  const bool shadow = ctx.group->rate_limits.shadow();
  if (shadow) {
    // mode: shadow: the refusal is recorded, never sent (and does not alert); the request passes
    // without a share of the window, as a refused one would.
    ctx.would_block.push_back(v.outcome == Outcome::unavailable
                                  ? RequestContext::ShadowBlock{"rate_limit", "rate_limit_unavailable"}
                                  : RequestContext::ShadowBlock{std::string("rate_limit:") + limit_name(v.refused_by),
                                                                is_spend(v.refused_by) ? "spend_rate_exceeded" : "rate_limit_exceeded"});
    co_return std::nullopt;
  }
  if (v.outcome == Outcome::unavailable)
    co_return rejection(ApiError{503, "service_unavailable", "rate_limit_unavailable",
                                 "the rate-limit service cannot be reached; request not forwarded"},
                        "rate_limit_unavailable");
  ctx.rate_limit = limit_name(v.refused_by);
  if (is_spend(v.refused_by)) {
    const int64_t window_ms = v.refused_by == LimitKind::max_spend_per_minute ? 60'000 : 3'600'000;
    if (shared.spend_alerts->first_refusal(ctx.group->name + "/" + ctx.rate_limit, now_unix_micros() / 1000, window_ms))
      w.alerts->spend_rate(ctx.group->name, ctx.group->wallet_team_id, ctx.request_id, ctx.rate_limit,
                           Money::from_nanos(v.limit));
  }
  co_return rate_rejection(ctx, v);
}

}  // namespace kt::gateway
