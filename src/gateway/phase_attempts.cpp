// Phase 5, route upstream, with retries and fallbacks:
//   attempt [-> release, back off, reserve, attempt ...] until one answers or none is left.
// Each attempt reserves under its own key (request_id:attempt) at the price of the model it asks
// for; a failed attempt's reservation is released before the next one is taken, and only the
// attempt that produced the answer is settled, at the model that answered. Retried: 5xx answers,
// timeouts and connect errors, as long as nothing has reached the client yet.
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/period.hpp"
#include "gateway/attempt_writer.hpp"
#include "gateway/max_tokens_clamp.hpp"
#include "gateway/phases.hpp"

namespace kt::gateway {
namespace {

constexpr int64_t kMaxBackoffMs = 60'000;

// An attempt after the first.
struct Step {
  size_t target;
  std::string model;
  int retry = 0;  // 0: first try on this target; n: its n-th retry (backs off first)
  int backoff_ms = 0;
};

std::optional<size_t> target_index(const GatewayShared& shared, const std::string& id) {
  for (size_t i = 0; i < shared.targets.size(); ++i)
    if (shared.targets[i].config.id == id) return i;
  return std::nullopt;
}

bool any_retry_configured(const GatewayShared& shared) {
  for (const auto& t : shared.targets)
    if (t.config.retries.max > 0 || !t.config.fallbacks.empty()) return true;
  return false;
}

// The primary target's retries, then each fallback in order with its own retries. A fallback's
// own fallbacks are not followed: the chain is what the primary lists, so it cannot loop.
std::vector<Step> plan_steps(const GatewayShared& shared, size_t primary, const std::string& client_model) {
  std::vector<Step> steps;
  auto add_retries = [&](size_t t, const std::string& model) {
    const auto& r = shared.targets[t].config.retries;
    for (int i = 1; i <= r.max; ++i) steps.push_back({t, model, i, r.backoff_ms});
  };
  add_retries(primary, client_model);
  for (const auto& fb : shared.targets[primary].config.fallbacks) {
    auto t = target_index(shared, fb.target);
    if (!t) continue;
    std::string model = fb.model ? *fb.model : shared.targets[*t].config.model.value_or(client_model);
    steps.push_back({*t, model, 0, 0});
    add_retries(*t, model);
  }
  return steps;
}

std::chrono::milliseconds backoff_of(const Step& s) {
  int64_t ms = s.backoff_ms;
  for (int i = 1; i < s.retry && ms < kMaxBackoffMs; ++i) ms *= 2;
  return std::chrono::milliseconds(std::min(ms, kMaxBackoffMs));
}

void record_attempt(RequestContext& ctx) {
  ctx.attempts.push_back({ctx.attempt, ctx.target ? ctx.target->config.id : "", ctx.model, ctx.status, ctx.reason, false});
}

// What the next attempt starts from: no price, no reservation, no answer yet.
void reset_for_next_attempt(RequestContext& ctx) {
  ctx.reserved = false;
  ctx.lease_id.reset();
  ctx.price.reset();
  ctx.estimate = Money::zero();
  ctx.prompt_estimate = ctx.output_allowance = 0;
  ctx.upstream_status = 0;
  ctx.usage.reset();
  ctx.usage_source = "provider";
  ctx.status = 200;
  ctx.decision = ctx.redacted ? "redact" : "allow";
  ctx.reason = ctx.redacted ? "redacted" : "ok";
  ctx.max_tokens = ctx.max_tokens_requested;
  ctx.max_tokens_clamped.reset();
  ++ctx.attempt;
}

awaitable<void> sleep_for(Worker& w, std::chrono::milliseconds d) {
  if (d.count() <= 0) co_return;
  boost::asio::steady_timer t(w.ioc);
  t.expires_after(d);
  co_await t.async_wait(boost::asio::use_awaitable);
}

}  // namespace

awaitable<void> route_upstream(RequestContext& ctx, const GatewayShared& shared, Worker& w, AttemptWriter& out) {
  const bool may_retry = any_retry_configured(shared);
  const std::string client_model = ctx.model;
  std::string body_copy;
  if (may_retry) body_copy = ctx.req.body;  // forward_upstream consumes the body
  std::vector<Step> steps;
  size_t next = 0;
  bool planned = false;
  for (;;) {
    out.hold_failures(may_retry && (!planned || next < steps.size()));
    co_await forward_upstream(ctx, shared, w, out);
    record_attempt(ctx);
    if (!out.holding()) co_return;  // answered (or a failure no attempt can mend)
    if (!planned) {
      planned = true;
      if (ctx.target) steps = plan_steps(shared, static_cast<size_t>(ctx.target - shared.targets.data()), client_model);
    }
    if (next >= steps.size()) co_return co_await out.flush_held();
    const Step step = steps[next++];
    co_await release_attempt(ctx, shared, w);  // nothing was served: this attempt's hold goes back
    co_await sleep_for(w, step.retry > 0 ? backoff_of(step) : std::chrono::milliseconds(0));
    reset_for_next_attempt(ctx);
    ctx.target = &shared.targets[step.target];
    ctx.provider = shared.providers[step.target].get();
    ctx.model = step.model;
    ctx.req.body = body_copy;
    if (step.model != client_model) {
      ctx.model_requested = client_model;
      if (auto b = body_with_string_field(ctx.req.body, "model", step.model)) ctx.req.body = std::move(*b);
    }
    auto refused = co_await price_and_reserve(ctx, shared, w);
    if (refused) {
      // The wallet cannot pay for the next attempt: the client gets the failure it already had.
      const AttemptRecord& last = ctx.attempts.back();
      ctx.warnings.push_back("attempt " + std::to_string(ctx.attempt) + " on target '" + ctx.target->config.id +
                             "' not made: " + refused->reason);
      ctx.status = last.status;
      ctx.decision = "error";
      ctx.reason = last.outcome;
      co_return co_await out.flush_held();
    }
    out.drop_held();
  }
}

}  // namespace kt::gateway
