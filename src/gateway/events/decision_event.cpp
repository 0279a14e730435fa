// Phase 11: the decision event, one per request (blocked ones too: cost null, usage zero). It goes
// to the ledger log with the request's settle or release (phase_finish.cpp).
#include "core/ids.hpp"
#include "core/period.hpp"
#include "gateway/pipeline/phases.hpp"

namespace kt::gateway {
namespace {

template <std::size_t N>  // keys are literals: JsonWriter writes them unscanned
void optional_string(JsonWriter& w, const char (&key)[N], const std::string* v) {
  w.key(key);
  if (v && !v->empty()) w.value(*v); else w.null();
}

template <std::size_t N>
void optional_int(JsonWriter& w, const char (&key)[N], const std::optional<int64_t>& v) {
  w.key(key);
  if (v) w.value(*v); else w.null();
}

// Retries, fallbacks and idempotence: every attempt with the target and model it asked.
void write_attempts(JsonWriter& j, const RequestContext& ctx) {
  j.key("attempts").begin_array();
  for (const auto& a : ctx.attempts) {
    j.begin_object().field("attempt", a.attempt).field("target", a.target).field("model", a.model);
    j.field("status", a.status).field("outcome", a.outcome).field("charged", a.charged).end_object();
  }
  j.end_array();
  optional_string(j, "model_requested", &ctx.model_requested);
  optional_string(j, "idempotency_key", &ctx.idempotency_key);
  optional_string(j, "replay_of", &ctx.replay_of);
  optional_string(j, "cache", &ctx.cache);  // the response cache (cache/): hit, miss, bypass
  j.key("cost_saved");
  if (ctx.cost_saved) j.value(*ctx.cost_saved); else j.null();
}

// What was held for the request (null: nothing) and, for a budget refusal, the wallet as the
// refusal saw it: what `kt events why` explains from.
void write_hold_and_refusal(JsonWriter& j, const RequestContext& ctx) {
  j.key("hold");
  if (ctx.lease_id)
    j.begin_object().field("on", "lease").field("lease_id", *ctx.lease_id).field("amount", ctx.lease_held).end_object();
  else if (ctx.reserved)
    j.begin_object().field("on", "reservation").field("key", ctx.reservation_key()).field("amount", ctx.estimate).end_object();
  else
    j.null();
  if (!ctx.budget_refusal) return;
  j.key("refusal").begin_object().field("status", ctx.budget_refusal);
  if (ctx.balance) {
    const auto& b = *ctx.balance;
    j.field("budget", b.budget).field("spent", b.spent).field("reserved", b.reserved).field("leased", b.leased);
    j.field("remaining", b.remaining()).field("period_end", b.period.end);
  }
  if (ctx.block_at_percent > 0) j.field("block_at_percent", ctx.block_at_percent);
  optional_int(j, "max_tokens_that_fit", ctx.max_tokens_that_fit);
  j.end_object();
}

// Each policy's verdict (the matched categories and pattern names, never the text), and what
// mode: shadow let pass.
void write_policies_and_shadow(JsonWriter& j, const RequestContext& ctx) {
  j.key("policies").begin_array();
  for (const auto& v : ctx.verdicts) {
    j.begin_object().field("name", v.policy_name).field("type", v.policy_type).field("action", v.action);
    j.field("mode", v.shadow ? "shadow" : "enforce");
    j.field("triggered", v.triggered).key("categories").begin_array();
    for (const auto& c : v.categories) j.value(c);
    j.end_array().key("patterns").begin_array();
    for (const auto& p : v.patterns) j.value(p);
    j.end_array().end_object();
  }
  j.end_array();
  j.field("would_block", !ctx.would_block.empty()).key("would_block_reason");
  if (ctx.would_block.empty()) j.null(); else j.value(ctx.would_block.front().reason);
  j.key("output_redactions").begin_array();
  for (const auto& [policy, labels] : ctx.output_redactions) {
    j.begin_object().field("policy", policy).key("labels").begin_array();
    for (const auto& l : labels) j.value(l);
    j.end_array().end_object();
  }
  j.end_array();
  j.key("shadow_blocks").begin_array();
  for (const auto& b : ctx.would_block) j.begin_object().field("source", b.source).field("reason", b.reason).end_object();
  j.end_array();
}

}  // namespace

DecisionEvent build_decision_event(const RequestContext& ctx) {
  DecisionEvent out;
  out.ts_micros = now_unix_micros();
  out.id = new_id("evt_");
  const int64_t now = out.ts_micros;
  providers::Usage usage = ctx.usage.value_or(providers::Usage{});
  JsonWriter j(2048);  // a decision event is about 1.2 KB
  j.begin_object();
  j.field("id", out.id).field("type", "decision").field("timestamp", format_rfc3339(now));
  j.field("request_id", ctx.request_id).field("route", ctx.route);
  optional_string(j, "consumer_group", ctx.group ? &ctx.group->name : nullptr);
  optional_string(j, "team_id", ctx.group ? &ctx.group->wallet_team_id : nullptr);
  optional_string(j, "key_id", ctx.api_key ? &ctx.api_key->id : nullptr);  // never the key itself
  optional_string(j, "user", &ctx.end_user);  // attribution (phase_attribution.cpp)
  j.key("tags").begin_array();
  for (const auto& t : ctx.tags) j.value(t);
  j.end_array();
  optional_string(j, "model", &ctx.model);
  optional_string(j, "provider", ctx.provider ? &ctx.provider->name() : (ctx.price ? &ctx.price->provider : nullptr));
  optional_string(j, "target", ctx.target ? &ctx.target->config.id : nullptr);
  j.field("decision", ctx.decision).field("verdict", ctx.decision).field("reason", ctx.reason).field("reason_code", ctx.reason);
  j.field("status", ctx.status).field("stream", ctx.stream);
  if (!ctx.rate_limit.empty()) j.field("rate_limit", ctx.rate_limit);  // which bound refused it
  if (ctx.rate_limit_of_key) j.field("rate_limit_scope", "key");        // the key's own, not its group's
  j.key("usage").begin_object();
  j.field("prompt_tokens", usage.prompt_tokens).field("completion_tokens", usage.completion_tokens);
  j.field("total_tokens", usage.total()).field("cached_tokens", usage.cached_tokens).field("reasoning_tokens", usage.reasoning_tokens);
  j.field("cache_creation_tokens", usage.cache_creation_tokens);
  j.end_object();
  j.field("usage_source", ctx.usage ? ctx.usage_source : std::string("none"));
  j.key("cost");
  if (ctx.cost) j.value(*ctx.cost); else j.null();
  j.key("estimated_cost");
  if (ctx.price) j.value(ctx.estimate); else j.null();
  j.field("currency", "USD");
  j.key("price_version");
  if (ctx.price) j.value(ctx.price->version); else j.null();
  j.field("prompt_tokens_estimate", ctx.prompt_estimate).field("output_tokens_reserved", ctx.output_allowance);
  optional_int(j, "max_tokens_requested", ctx.max_tokens_requested);
  optional_int(j, "max_tokens_clamped", ctx.max_tokens_clamped);
  j.field("stream_cut_at_reservation", ctx.stream_cut_at_reservation).field("n", ctx.choices);
  write_hold_and_refusal(j, ctx);
  write_attempts(j, ctx);
  write_policies_and_shadow(j, ctx);
  j.field("latency_us", now - ctx.started_us).field("upstream_latency_us", ctx.upstream_us);
  j.key("upstream_status");
  if (ctx.upstream_status) j.value(ctx.upstream_status); else j.null();
  j.field("client_disconnected", ctx.client_disconnected);
  j.key("warnings").begin_array();
  for (const auto& s : ctx.warnings) j.value(s);
  j.end_array();
  j.end_object();
  out.json = j.take();
  return out;
}

}  // namespace kt::gateway
