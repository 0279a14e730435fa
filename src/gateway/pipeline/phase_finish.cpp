// Phase 11 (phases.hpp): the request's end. The cost is computed from the usage; the hold becomes that
// cost (a lease, in-process) or goes back; and one record in the worker's ledger log carries the
// settle (or release) with the decision event — in the kernel before the request is forgotten.
#include "gateway/pipeline/phases.hpp"

namespace kt::gateway {

awaitable<void> finish_request(RequestContext& ctx, const GatewayShared& shared, Worker& w) {
  const bool served = ctx.usage.has_value();
  if (served) ctx.cost = ctx.price ? cost_of_usage(*ctx.usage, *ctx.price) : Money::zero();
  if (served && !ctx.attempts.empty()) ctx.attempts.back().charged = true;  // the attempt that answered
  settle_rate_limits(ctx, w);
  RequestRecord rec(ctx);
  DecisionEvent ev = build_decision_event(ctx);  // while it still names its lease
  if (ctx.lease_id) {
    LeasePool::Hold hold{*ctx.lease_id, ctx.lease_held};
    if (served) w.leases->consume(hold, ctx.group->wallet_team_id, *ctx.cost);
    else w.leases->release(hold);
  }
  ctx.lease_id.reset();
  w.metrics.request_finished(ctx, metrics::mono_us());
  if (!w.log) co_return;  // no API: nothing to record to
  wire::RecordEvent e{ev.id, "decision", ev.ts_micros, ev.json};
  if (ctx.intent_logged) {
    ctx.intent_logged = false;
    if (served)
      co_await w.log->settle(rec.request, *ctx.cost, rec.held, ctx.usage->prompt_tokens, ctx.usage->completion_tokens, e);
    else
      co_await w.log->release(rec.request, e);
  } else {
    co_await w.log->event(rec.request.team, rec.request.group, e);
  }
}

void add_money_headers(RequestContext& ctx, Worker& w, http::Headers& h) {
  const bool held = ctx.reserved || ctx.lease_id;
  const Money hold = ctx.lease_id ? ctx.lease_held : ctx.estimate;
  std::optional<Money> remaining;  // with this request's hold counted as spent
  if (ctx.lease_id && w.leases) remaining = w.leases->known_remaining(ctx.group->wallet_team_id);
  else if (ctx.reserved && ctx.balance) remaining = ctx.balance->remaining();
  if (ctx.stream) {
    if (held) h.emplace_back("x-kt-reserved-usd", hold.to_decimal());
  } else if (ctx.usage) {
    ctx.cost = ctx.price ? cost_of_usage(*ctx.usage, *ctx.price) : Money::zero();
    h.emplace_back("x-kt-cost-usd", ctx.cost->to_decimal());
    if (remaining && held) *remaining += hold - *ctx.cost;  // the settle gives back what the hold overshot
  }
  if (remaining) h.emplace_back("x-kt-budget-remaining-usd", remaining->to_decimal());
}

awaitable<void> release_attempt(RequestContext& ctx, const GatewayShared& shared, Worker& w) {
  RequestRecord rec(ctx);
  if (ctx.lease_id) w.leases->release({*ctx.lease_id, ctx.lease_held});
  ctx.lease_id.reset();
  if (!ctx.intent_logged || !w.log) co_return;
  ctx.intent_logged = false;
  co_await w.log->release(rec.request, {});
}

void settle_rate_limits(RequestContext& ctx, Worker& w) {
  if (!w.rate_limits) return;
  RateLimiter::Demand used{ctx.attempts.empty() ? 0 : 1, ctx.usage ? ctx.usage->total() : 0,
                           ctx.cost ? ctx.cost->nanos() : 0};
  for (auto* a : {&ctx.rate_admission, &ctx.key_rate_admission})
    if (*a) {
      w.rate_limits->settle(**a, used);
      a->reset();
    }
}

}  // namespace kt::gateway
