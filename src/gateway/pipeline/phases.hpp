#pragma once
// Every phase of a request's life, numbered in the order pipeline.cpp calls them. Each is a short
// function; a refusal comes back as a Rejection, which the pipeline answers after the request's
// one decision event (finish_request).
#include <boost/asio/awaitable.hpp>
#include <optional>

#include "core/error.hpp"
#include "gateway/cache/cache_phase.hpp"
#include "gateway/gateway_shared.hpp"
#include "gateway/pipeline/idempotency_phase.hpp"
#include "gateway/pipeline/request_context.hpp"
#include "gateway/worker.hpp"
#include "http/server.hpp"

namespace kt::gateway {

using boost::asio::awaitable;

Rejection rejection(const ApiError& e, std::string reason);

// 0. Who is calling: X-Consumer-Group: <key> or Authorization: Bearer <key> (run from the head
// hook, Pipeline::on_head, before the body is read; phase_auth_policies.cpp).
std::optional<Rejection> authenticate(const http::Request& req, const GatewayShared& shared, Caller& caller);
// 1. What is asked (route_request.cpp, phase_parse.cpp): model, messages or prompt, stream, the
// output cap, n. One parser per route; the body is not rewritten.
std::optional<Rejection> parse_route_request(RequestContext& ctx);
std::optional<Rejection> parse_chat_request(RequestContext& ctx);
// 2. Attribution (phase_attribution.cpp): the end user (body `user` or X-Kt-User) and X-Kt-Tags,
// bounded and printable, never a key; 400 invalid_attribution otherwise.
std::optional<Rejection> read_attribution(RequestContext& ctx);
// 3. The group's allowed_models (globs): another model gets 403 model_not_allowed, before
// anything is priced or held.
std::optional<Rejection> check_allowed_model(const RequestContext& ctx);
// 4. Request policies (content_filter, ...): flag records, block refuses with 409, redact
// rewrites the matched text before anything is priced (phase_redact.cpp).
std::optional<Rejection> run_request_policies(RequestContext& ctx, const GatewayShared& shared);
std::optional<Rejection> redact_request(RequestContext& ctx, const std::vector<const policies::RequestPolicy*>& redactors);
// 5. Idempotency-Key (phase_idempotency.cpp): a refusal (bad key, 409 in flight, 422 other body),
// or `replay` set to the first answer (ctx.status and reason say so), or the key claimed for this
// request (or no key at all). send_replay sends the first answer again after the event.
std::optional<Rejection> claim_idempotency_key(RequestContext& ctx, const GatewayShared& shared, IdempotencyClaim& claim,
                                               std::optional<RecordedResponse>& replay);
awaitable<void> send_replay(RequestContext& ctx, http::ResponseWriter& res, const RecordedResponse& first);
// 6. The response cache (cache/phase_cache.cpp, when cache.enabled): reads Cache-Control
// (no-store: neither look up nor store; no-cache: store without looking up; max-age=N: accept an
// entry at most N s old; a malformed max-age is a 400) and looks the request up. A hit is copied
// into `hit` (status, reason, $0 usage set on ctx); otherwise `ticket` says whether to store the
// answer. ctx.cache is hit, miss or bypass when the cache is on (bypass too when a Redis backend
// could not answer within its deadline). send_cache_hit answers from it.
awaitable<std::optional<Rejection>> look_up_cache(RequestContext& ctx, const GatewayShared& shared, Worker& w,
                                                  CacheTicket& ticket, std::optional<CachedAnswer>& hit);
awaitable<void> send_cache_hit(RequestContext& ctx, http::ResponseWriter& res, const CachedAnswer& hit);
// 7. Price the worst case from the price book (phase_budget.cpp): prompt tokens counted, output
// capped; 503 when the ledger log cannot take more (spool failing, ledger backlog).
awaitable<std::optional<Rejection>> price_request(RequestContext& ctx, const GatewayShared& shared, Worker& w);
// 8. The group's rate limits and spend-rate breaker (rate_limits/phase_rate_limits.cpp): 429
// rate_limit_exceeded / spend_rate_exceeded with Retry-After; nothing is held yet.
awaitable<std::optional<Rejection>> limit_traffic(RequestContext& ctx, const GatewayShared& shared, Worker& w);
// 9. Hold the priced worst case (phase_budget.cpp): on a budget lease or as a reservation at the
// API, 402 when it does not fit; the intent goes into the ledger log before anything is forwarded.
awaitable<std::optional<Rejection>> reserve_priced(RequestContext& ctx, const GatewayShared& shared, Worker& w);
// 10. One attempt upstream (phase_upstream.cpp; streams: phase_stream.cpp): route to the attempt's
// target, pass the answer on (JSON whole, SSE event by event), read the usage. The pipeline loops
// over attempts (attempt_plan.hpp): a failed attempt's hold goes back (release_attempt) and the
// next one is priced and held under its own key (price_and_reserve = 7 + 9).
awaitable<void> forward_upstream(RequestContext& ctx, const GatewayShared& shared, Worker& w, http::ResponseWriter& res);
awaitable<void> release_attempt(RequestContext& ctx, const GatewayShared& shared, Worker& w);
awaitable<std::optional<Rejection>> price_and_reserve(RequestContext& ctx, const GatewayShared& shared, Worker& w);
// 11. The request's end (phase_finish.cpp), for every request whatever its end: the cost from the
// usage, its rate-limit shares settled (settle_rate_limits), and in the worker's ledger log, in
// the kernel before the request is forgotten, its settle at the actual cost (or its release when
// nothing was served) together with its decision event (build_decision_event, events/decision_event.cpp),
// or the event alone for a request that held nothing.
awaitable<void> finish_request(RequestContext& ctx, const GatewayShared& shared, Worker& w);
void settle_rate_limits(RequestContext& ctx, Worker& w);
struct DecisionEvent {
  std::string id, json;
  int64_t ts_micros = 0;
};
DecisionEvent build_decision_event(const RequestContext& ctx);
// 12. After the answer: a complete 2xx is kept for the Idempotency-Key's repeats
// (phase_idempotency.cpp), a complete 200 with a known cost for the cache's (cache/phase_cache.cpp).
void remember_answer(RequestContext& ctx, AttemptWriter& out, IdempotencyClaim& claim);
void store_in_cache(const RequestContext& ctx, Worker& w, const AttemptWriter& out, const CacheTicket& ticket);

// A request as its ledger log records say it: the attempt's key, team, hold, model.
struct RequestRecord {
  explicit RequestRecord(const RequestContext& ctx);
  RequestRecord(const RequestRecord&) = delete;
  RequestRecord& operator=(const RequestRecord&) = delete;
  std::string key, lease;  // what request.key and request.lease point at (the context's may go first)
  wire::RecordRequest request;
  Money held;  // the lease hold or the reservation (without enforcement: the estimate)
};

// The tutorial's 402 body: {"error":{"message":"Budget exceeded for consumer group: NAME",
// "type":"budget_exceeded","code":"insufficient_balance","details":{team,budget,spent,estimated_cost}}}
std::string budget_exceeded_body(const std::string& group, Money budget, Money spent, Money estimate, bool no_wallet);
// The money headers of an answer (docs/api.md "Cost headers"): x-kt-cost-usd (a whole answer: its
// settled cost, kept in ctx.cost) or x-kt-reserved-usd (a stream: its hold, the cost is not known
// yet), and x-kt-budget-remaining-usd when this worker knows the wallet's remaining.
void add_money_headers(RequestContext& ctx, Worker& w, http::Headers& h);
// Cost of a usage at a price (cached input at its own price).
Money cost_of_usage(const providers::Usage& u, const ledger::PricingRow& p);

}  // namespace kt::gateway
