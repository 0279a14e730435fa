// Phases 7 and 9 (phases.hpp): price the worst case and hold it; the hold in the ledger log.
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "wire/ledger_wire.hpp"
#include "core/log_text.hpp"
#include "gateway/budget/max_tokens_clamp.hpp"
#include "gateway/budget/model_limits.hpp"
#include "gateway/pipeline/phases.hpp"
#include "gateway/pipeline/token_counting.hpp"

namespace kt::gateway {
namespace {

// How long other workers get to hand back idle lease room before a refused request tries again.
constexpr auto kSiblingReturnWait = std::chrono::milliseconds(100);
// How long a refused request waits for this worker's settles to reach the ledger before its retry.
constexpr auto kStaleRefusalWait = std::chrono::milliseconds(1000);
constexpr int kStaleRefusalTries = 4;

Rejection budget_rejection(const RequestContext& ctx, const ledger::OpResult& r) {
  if (r.reserve_status == ledger::ReserveStatus::key_budget) {
    // The team's wallet had room; this key's own budget did not (the tutorial's 402 stays the wallet's).
    ApiError e{402, "budget_exceeded", "key_budget_exceeded",
               "consumer key " + ctx.api_key->id + " (group '" + ctx.group->name + "') has not enough of its own budget left for this request (up to " +
                   ctx.estimate.to_display() + "); kt keys list shows what it spent"};
    return Rejection{402, error_envelope(e, [&](JsonWriter& w) { w.field("bound", "key").field("estimated_cost", ctx.estimate); }),
                     "key_budget_exceeded", {}};
  }
  bool no_wallet = r.reserve_status == ledger::ReserveStatus::no_wallet;
  return Rejection{402, budget_exceeded_body(ctx.group->name, r.balance.budget, r.balance.spent, ctx.estimate, no_wallet),
                   "budget_exceeded", {}};
}

// What the decision event keeps of a budget refusal, for `kt events why` (the API explains it).
void note_budget_refusal(RequestContext& ctx, const GatewayShared& shared, Worker& w, const ledger::OpResult& r) {
  ctx.budget_refusal = wire::reserve_status_name(r.reserve_status);
  ctx.balance = r.balance;
  ctx.block_at_percent = shared.block_at_percent;
  if (r.reserve_status != ledger::ReserveStatus::insufficient || !ctx.price || ctx.choices < 1 || ctx.input_only) return;
  Money room = r.balance.remaining() + (w.leases ? w.leases->free_for(ctx.group->wallet_team_id) : Money::zero());
  ctx.max_tokens_that_fit = largest_affordable_output(room, ctx.prompt_estimate, ctx.price->input_per_1k,
                                                      ctx.price->output_per_1k, ctx.choices);
}

Money worst_case(const RequestContext& ctx) {
  return cost_of_terms({{ctx.prompt_estimate, PricePer1k(ctx.price->input_per_1k)},
                        {ctx.output_allowance, PricePer1k(ctx.price->output_per_1k)}});
}

// The client's body asking for at most n output tokens, in the field its route uses.
std::optional<std::string> body_with_output_cap(const RequestContext& ctx, int64_t n) {
  switch (ctx.route_kind) {
    case providers::Route::chat: return body_with_max_tokens(ctx.req.body, n);
    case providers::Route::completions:
    case providers::Route::messages: return body_with_int_field(ctx.req.body, "max_tokens", n);
    case providers::Route::responses: return body_with_int_field(ctx.req.body, "max_output_tokens", n);
    default: return std::nullopt;  // embeddings: no output to lower
  }
}

// A reservation whose answer never came (the API died or stalled mid-call) may have been made,
// or may still be made when a stalled API runs again. Its release goes to the ledger log, applied
// after it once the API answers again, so such a hold does not wait out --reservation-ttl. (A
// release of a key never reserved changes nothing.)
awaitable<void> release_unanswered_reservation(RequestContext& ctx, Worker& w) {
  if (!w.log) co_return;
  RequestRecord rec(ctx);
  rec.request.reserved = true;
  co_await w.log->release(rec.request, {});
}

// Holds ctx.estimate: against this worker's budget lease when the team has one or is busy
// enough to lease (no network call), else as a reservation at the API. nullopt: the API cannot
// be reached. A refusal comes back as the API's answer (status and balance) either way.
awaitable<std::optional<ledger::OpResult>> reserve_estimate(RequestContext& ctx, const GatewayShared& shared, Worker& w) {
  // A token the API refuses (revoked) must stop this gateway's spending, even from leases in hand.
  const bool token_refused = w.api_access && w.api_access->refused;
  // A key with a budget of its own never holds on a lease (a slice of the team's wallet that knows
  // no key): it reserves at the API, where the wallet and the key's budget are held together.
  const bool key_budget = ctx.api_key && ctx.api_key->has_budget;
  if (w.leases && !token_refused && !key_budget) {
    auto held = co_await w.leases->hold(ctx.group->wallet_team_id, ctx.estimate);
    using Outcome = BudgetLeases::Outcome;
    if (held.outcome == Outcome::held) {
      ctx.lease_id = held.hold.lease_id;
      ctx.lease_held = held.hold.amount;
      ledger::OpResult ok;
      co_return ok;
    }
    if (held.outcome == Outcome::refused) co_return std::move(held.refusal);
    if (held.outcome == Outcome::unavailable) co_return std::nullopt;
  }
  ledger::ReserveOp op{ctx.reservation_key(), ctx.group->wallet_team_id, ctx.estimate, shared.block_at_percent,
                       w.log ? w.log->options().log_id : std::string(), key_budget ? ctx.api_key->id : std::string()};
  auto result = co_await w.ledger_client->reserve(std::move(op));
  if (!result) co_await release_unanswered_reservation(ctx, w);
  co_return result;
}

// Refused for want of room that budget leases hold: the wallet could pay if they handed it back.
bool room_held_by_leases(const ledger::OpResult& r, Money estimate) {
  return r.reserve_status == ledger::ReserveStatus::insufficient && r.balance.leased > Money::zero() &&
         r.balance.remaining() + r.balance.leased >= estimate;
}

// Refused while the wallet may be about to have more room: leases that could come back,
// reservations held (their settles free what they held beyond the cost), or settles of this
// worker still on their way through its ledger log (a reservation is a direct call; the settles
// before it travel in the log, so it can overtake them).
bool refusal_may_be_stale(const ledger::OpResult& r, Money estimate, const Worker& w) {
  return r.reserve_status == ledger::ReserveStatus::insufficient &&
         (room_held_by_leases(r, estimate) || r.balance.reserved > Money::zero() ||
          (w.log && w.log->unapplied_records() > 0));
}

// on_insufficient: clamp. The refusal carries the wallet's balance: lower max_tokens to the largest
// output its remaining can pay for (rewriting only that field of the body), and reserve once more
// under a new key (a refused key stays refused on replay). nullopt: not even a short answer fits.
awaitable<std::optional<ledger::OpResult>> reserve_clamped(RequestContext& ctx, const GatewayShared& shared, Worker& w,
                                                           const ledger::OpResult& refused) {
  if (!ctx.price || ctx.choices < 1) co_return std::nullopt;
  int64_t per_choice = ctx.output_allowance / ctx.choices;
  // This worker's own unheld lease room is the team's too.
  Money room = refused.balance.remaining() + (w.leases ? w.leases->free_for(ctx.group->wallet_team_id) : Money::zero());
  int64_t fit = largest_affordable_output(room, ctx.prompt_estimate, ctx.price->input_per_1k,
                                          ctx.price->output_per_1k, ctx.choices);
  // Nothing to lower (the output is not what does not fit), or not even a short answer fits.
  if (fit < kMinClampedOutputTokens || fit >= per_choice) co_return std::nullopt;
  int64_t n = fit;
  auto body = body_with_output_cap(ctx, n);
  if (!body) co_return std::nullopt;
  ctx.req.body = std::move(*body);
  ctx.max_tokens = n;
  ctx.max_tokens_clamped = n;
  ctx.output_allowance = n * ctx.choices;
  ctx.estimate = worst_case(ctx);
  ++ctx.number;
  auto result = co_await reserve_estimate(ctx, shared, w);
  co_return result;
}

}  // namespace

std::string budget_exceeded_body(const std::string& group, Money budget, Money spent, Money estimate, bool no_wallet) {
  ApiError e{402, "budget_exceeded", no_wallet ? "wallet_not_found" : "insufficient_balance",
             (no_wallet ? "No wallet allocated for consumer group: " : "Budget exceeded for consumer group: ") + group};
  return error_envelope(e, [&](JsonWriter& w) {
    w.key("details").begin_object();
    w.field("team", group).field("budget", budget).field("spent", spent).field("estimated_cost", estimate);
    w.end_object();
  });
}

Money cost_of_usage(const providers::Usage& u, const ledger::PricingRow& p) {
  PricePer1k input(p.input_per_1k), output(p.output_per_1k), cached(p.cached_input_per_1k.value_or(p.input_per_1k));
  PricePer1k cache_write(p.cache_creation_per_1k.value_or(p.input_per_1k));  // Anthropic's cache writes
  return cost_of_terms({{u.prompt_tokens - u.cached_tokens - u.cache_creation_tokens, input},
                        {u.cached_tokens, cached},
                        {u.cache_creation_tokens, cache_write},
                        {u.completion_tokens, output}});
}

namespace {

// Prices the request: its worst case in tokens and in money.
awaitable<std::optional<Rejection>> price_only(RequestContext& ctx, const GatewayShared& shared, Worker& w) {
  const auto* price = co_await w.prices->find_or_refresh(ctx.model, shared.config->model_aliases);
  ctx.max_tokens_requested = ctx.max_tokens;
  ctx.max_tokens_clamped.reset();
  ctx.metric_model = price ? w.metrics.model_id(price->model) : metrics::kModelUnpriced;
  if (price) {
    ctx.price = *price;
    ctx.prompt_estimate = count_prompt_tokens(ctx, shared, w);
    int64_t per_choice = ctx.max_tokens.value_or(price->max_output_tokens.value_or(default_max_output_tokens(ctx.model)));
    auto allowance = checked_mul(per_choice, ctx.choices);  // bounded by phase 1; checked all the same
    if (!allowance) co_return rejection(bad_request("max_tokens_too_large", "max_tokens x n is too large"), "invalid_request");
    ctx.output_allowance = ctx.input_only ? 0 : *allowance;
    ctx.estimate = worst_case(ctx);
  } else if (shared.cost_tracking()) {
    if (shared.config->cost_tracking.unknown_model == "reject")
      co_return rejection(bad_request("unknown_model", "no price for model '" + ctx.model +
                                                           "': price it with POST /v1/model-pricing (or map a dated "
                                                           "name to a priced model in model_aliases)"),
                          "unknown_model");
    ctx.warnings.push_back("no price for model '" + ctx.model + "': cost counted as 0");
    spdlog::warn("no price for model '{}': cost counted as 0 (seed it with POST /v1/model-pricing)", printable(ctx.model));
  }
  co_return std::nullopt;
}

// A block alert with mode: shadow: the wallet's spend as this worker knows it has reached the
// threshold, so an enforced alert would have refused. Only recorded: the request is held and
// settled like any other (the wallet's own floor is never shadowed: it refused before this).
void note_shadow_budget_block(RequestContext& ctx, const GatewayShared& shared, Worker& w) {
  if (shared.shadow_block_at_percent <= 0) return;
  std::optional<ledger::Balance> b = ctx.lease_id && w.leases ? w.leases->known_balance(ctx.group->wallet_team_id) : ctx.balance;
  if (b && __int128(b->spent.nanos()) * 100 >= __int128(b->budget.nanos()) * shared.shadow_block_at_percent)
    ctx.would_block.push_back({"budget_alert:" + std::to_string(shared.shadow_block_at_percent), "budget_exceeded"});
}

// Holds the priced worst case (a lease hold or a reservation).
awaitable<std::optional<Rejection>> hold_priced(RequestContext& ctx, const GatewayShared& shared, Worker& w) {
  if (!shared.enforce()) co_return std::nullopt;

  auto result = co_await reserve_estimate(ctx, shared, w);
  // One more try when the refusal may be stale; a few while the room sits in leases: a sibling
  // worker under load may take a fresh lease right after handing its idle one back, so one look
  // 100 ms later can still find the room leased (lease_workers_test).
  for (int tries = 0; tries < kStaleRefusalTries && result &&
                      (tries == 0 ? refusal_may_be_stale(*result, ctx.estimate, w) : room_held_by_leases(*result, ctx.estimate));
       ++tries) {
    // The team's room may sit idle in this process's other workers' budget leases (they hand it
    // back), or come back with settles not yet applied (this worker's log is shipped first). Then
    // this request tries once more, under a new key: a refused key stays refused.
    if (room_held_by_leases(*result, ctx.estimate) && w.return_sibling_leases)
      w.return_sibling_leases(ctx.group->wallet_team_id);
    auto until = std::chrono::steady_clock::now() + kSiblingReturnWait;
    if (w.log) co_await w.log->wait_applied(w.log->segments().last_seq(), kStaleRefusalWait);
    boost::asio::steady_timer pause(w.ioc, until);
    boost::system::error_code ec;
    co_await pause.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    ++ctx.number;
    if (auto again = co_await reserve_estimate(ctx, shared, w)) result = std::move(again);
  }
  if (!result) {
    std::string why = w.api_access && w.api_access->refused ? "the budget service refuses this gateway's API token"
                                                            : "the budget service cannot be reached";
    co_return rejection(ApiError{503, "service_unavailable", "budget_service_unavailable", why + "; request not forwarded"},
                        "budget_unavailable");
  }
  if (!ctx.lease_id) ctx.balance = result->balance;
  if (result->reserve_status == ledger::ReserveStatus::insufficient && shared.config->cost_tracking.on_insufficient == "clamp") {
    Money original = ctx.estimate;
    int64_t allowance = ctx.output_allowance;
    auto clamped = co_await reserve_clamped(ctx, shared, w, *result);
    if (clamped && clamped->reserve_status == ledger::ReserveStatus::reserved) {
      if (!ctx.lease_id) ctx.balance = clamped->balance;
      ctx.reserved = true;
      note_shadow_budget_block(ctx, shared, w);
      co_return std::nullopt;
    }
    // The 402 names what the request asked for.
    ctx.estimate = original;
    ctx.output_allowance = allowance;
    ctx.max_tokens = ctx.max_tokens_requested;
    ctx.max_tokens_clamped.reset();
  }
  if (result->reserve_status != ledger::ReserveStatus::reserved) {
    note_budget_refusal(ctx, shared, w, *result);
    co_return budget_rejection(ctx, *result);
  }
  ctx.reserved = true;
  note_shadow_budget_block(ctx, shared, w);
  co_return std::nullopt;
}

Rejection spool_unavailable() {
  Rejection r = rejection(ApiError{503, "service_unavailable", "spool_unavailable",
                                   "the gateway cannot record spend right now (its spool cannot be written); retry later"},
                          "spool_unavailable");
  r.retry_after = "5";
  return r;
}

// The hold, in the ledger log before the request goes anywhere: a gateway killed from here on
// bills the request at what it held (log_recovery.hpp), never at $0.
awaitable<std::optional<Rejection>> log_intent(RequestContext& ctx, const GatewayShared& shared, Worker& w) {
  if (!w.log || !shared.cost_tracking()) co_return std::nullopt;
  RequestRecord rec(ctx);
  if (co_await w.log->intent(rec.request, rec.held, ctx.prompt_estimate, ctx.output_allowance)) {
    ctx.intent_logged = true;
    co_return std::nullopt;
  }
  // The spool cannot be written (disk full, I/O error): nothing is forwarded. A lease hold goes
  // back here; a reservation's release follows the intent in the log.
  if (ctx.lease_id) w.leases->release({*ctx.lease_id, ctx.lease_held});
  ctx.lease_id.reset();
  ctx.reserved = false;
  co_return spool_unavailable();
}

}  // namespace

RequestRecord::RequestRecord(const RequestContext& ctx)
    : key(ctx.reservation_key()), lease(ctx.lease_id.value_or("")) {
  request.key = key;
  request.lease = lease;
  request.team = ctx.group ? std::string_view(ctx.group->wallet_team_id) : std::string_view();
  request.group = ctx.group ? std::string_view(ctx.group->name) : std::string_view();
  request.reserved = ctx.reserved && !ctx.lease_id;
  request.request_id = ctx.request_id;
  request.model = ctx.model;
  request.provider = ctx.provider ? std::string_view(ctx.provider->name())
                                  : (ctx.price ? std::string_view(ctx.price->provider) : std::string_view());
  held = ctx.lease_id ? ctx.lease_held : ctx.estimate;
}

awaitable<std::optional<Rejection>> price_request(RequestContext& ctx, const GatewayShared& shared, Worker& w) {
  // A spool that cannot be written (disk full) is refused at once, before anything is held: its
  // log writes are retried every 100 ms, and the first that goes through ends this.
  if (w.log && shared.cost_tracking() && w.log->segments().failing()) co_return spool_unavailable();
  // Bounded: past the ledger log's cap of unapplied spend, new priced requests wait for the ledger
  // to catch up, then are refused rather than served unrecorded.
  if (w.log && shared.cost_tracking() && !co_await w.log->admit()) {
    if (w.log->segments().failing()) co_return spool_unavailable();  // the disk filled while it waited
    Rejection r = rejection(ApiError{503, "service_unavailable", "ledger_backlog",
                                     "the ledger is behind this gateway's answers; retry shortly"},
                            "ledger_backlog");
    r.retry_after = "2";
    co_return r;
  }
  co_return co_await price_only(ctx, shared, w);
}

awaitable<std::optional<Rejection>> price_and_reserve(RequestContext& ctx, const GatewayShared& shared, Worker& w) {
  if (auto refused = co_await price_request(ctx, shared, w)) co_return refused;
  co_return co_await reserve_priced(ctx, shared, w);
}

awaitable<std::optional<Rejection>> reserve_priced(RequestContext& ctx, const GatewayShared& shared, Worker& w) {
  if (auto refused = co_await hold_priced(ctx, shared, w)) co_return refused;
  co_return co_await log_intent(ctx, shared, w);
}

}  // namespace kt::gateway
