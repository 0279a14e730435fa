// Phase 8: the consumer group's rate limits and spend-rate breaker, and an API-made key's own
// limits inside them (both must admit), after the request is priced and before anything is held:
// a refusal holds nothing, so it releases nothing.
#include <spdlog/spdlog.h>

#include "core/period.hpp"
#include "gateway/pipeline/phases.hpp"

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
  const std::string who = ctx.rate_limit_of_key ? "consumer key " + ctx.api_key->id + " (group '" + ctx.group->name + "')"
                                                : "consumer group '" + ctx.group->name + "'";
  std::string message = v.never_fits
      ? "this request alone (" + amount_text(v.refused_by, v.need) + ") is more than " + who + " may use under " + bound +
            " (" + amount_text(v.refused_by, v.limit) + ")"
      : (spend ? "spend rate exceeded for " : "rate limit exceeded for ") + who + ": " + bound + " is " +
            amount_text(v.refused_by, v.limit);
  ApiError e{429, spend ? "spend_rate_exceeded" : "rate_limit_exceeded", spend ? "spend_rate_exceeded" : "rate_limit_exceeded",
             message};
  Rejection r{429, error_envelope(e, [&](JsonWriter& w) { w.field("limit", bound).field("scope", ctx.rate_limit_of_key ? "key" : "group"); }),
              spend ? "spend_rate_exceeded" : "rate_limit_exceeded", {}};
  r.retry_after = std::to_string(std::max<int64_t>(1, (v.retry_after_ms + 999) / 1000));
  return r;
}

std::optional<int64_t> remaining(const http::Headers& h, const std::string& what) {
  auto v = http::find_header(h, "x-ratelimit-remaining-" + what);
  return v ? std::optional<int64_t>(std::stoll(std::string(*v))) : std::nullopt;
}

// The x-ratelimit-* headers of the group's limits and of the key's own, per kind (requests,
// tokens) the set with less remaining: the one the client will meet first.
http::Headers tighter(http::Headers group, const http::Headers& key) {
  for (std::string what : {"requests", "tokens"}) {
    auto of_key = remaining(key, what), of_group = remaining(group, what);
    if (!of_key || (of_group && *of_group <= *of_key)) continue;
    std::erase_if(group, [&](const auto& h) { return h.first.ends_with("-" + what); });
    for (const auto& h : key)
      if (h.first.ends_with("-" + what)) group.push_back(h);
  }
  return group;
}

}  // namespace

awaitable<std::optional<Rejection>> limit_traffic(RequestContext& ctx, const GatewayShared& shared, Worker& w) {
  const auto& group_limits = ctx.group->rate_limits;
  const bool key_limited = ctx.api_key && ctx.api_key->rate_limits.any_limit();
  if (!w.rate_limits || (!group_limits.any_limit() && !key_limited)) co_return std::nullopt;
  RateLimiter::Demand d{1, ctx.prompt_estimate + ctx.output_allowance, ctx.estimate.nanos()};
  using Outcome = RateLimiter::Verdict::Outcome;
  RateLimiter::Verdict v;  // admitted
  if (group_limits.any_limit()) {
    v = co_await w.rate_limits->admit(ctx.group->name, group_limits, d);
    if (v.outcome == Outcome::admitted) ctx.rate_admission = std::move(v.admission);
  }
  if (v.outcome == Outcome::admitted && key_limited) {
    v = co_await w.rate_limits->admit(ctx.api_key->scope, ctx.api_key->rate_limits, d);
    ctx.rate_limit_of_key = v.outcome == Outcome::refused;
    if (v.outcome == Outcome::admitted) ctx.key_rate_admission = std::move(v.admission);
    else if (ctx.rate_admission) w.rate_limits->cancel(*ctx.rate_admission);  // not forwarded: the group's share goes back
  }
  if (group_limits.response_headers.value_or(false)) {
    http::Headers h = group_limits.any_limit() ? w.rate_limits->headers(ctx.group->name, group_limits) : http::Headers{};
    ctx.rate_headers = key_limited ? tighter(std::move(h), w.rate_limits->headers(ctx.api_key->scope, ctx.api_key->rate_limits)) : std::move(h);
  }
  if (v.outcome == Outcome::admitted) co_return std::nullopt;
  ctx.rate_admission.reset();
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
