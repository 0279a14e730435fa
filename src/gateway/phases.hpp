#pragma once
// The phases of a request's life, each a short function; pipeline.cpp calls them in order.
#include <boost/asio/awaitable.hpp>
#include <optional>

#include "core/error.hpp"
#include "gateway/gateway_shared.hpp"
#include "gateway/request_context.hpp"
#include "gateway/worker.hpp"
#include "http/server.hpp"

namespace kt::gateway {

using boost::asio::awaitable;

Rejection rejection(const ApiError& e, std::string reason);

// 1. Who is calling: X-Consumer-Group: <key> or Authorization: Bearer <key> (run from the head
// hook, Pipeline::on_head, before the body is read).
std::optional<Rejection> authenticate(const http::Request& req, const GatewayShared& shared, Caller& caller);
// 2. What is asked: model, messages, stream, max_tokens (simdjson; the body is not rewritten).
std::optional<Rejection> parse_chat_request(RequestContext& ctx);
// 2a. Attribution (phase_attribution.cpp): the end user (body `user` or X-Kt-User) and X-Kt-Tags,
// bounded and printable, never a key; 400 invalid_attribution otherwise.
std::optional<Rejection> read_attribution(RequestContext& ctx);
// 2b. The group's allowed_models (globs): another model gets 403 model_not_allowed, before
// anything is priced or held.
std::optional<Rejection> check_allowed_model(const RequestContext& ctx);
// 3. Request policies (content_filter, ...): flag records, block refuses with 409, redact
// rewrites the matched text before anything is priced (phase_redact.cpp).
std::optional<Rejection> run_request_policies(RequestContext& ctx, const GatewayShared& shared);
std::optional<Rejection> redact_request(RequestContext& ctx, const std::vector<const policies::RequestPolicy*>& redactors);
// 4. Price the worst case and reserve it from the wallet; 402 when it does not fit. Either at
// once (price_and_reserve: further attempts) or in two steps around the rate limits
// (price_request, then reserve_priced).
awaitable<std::optional<Rejection>> price_and_reserve(RequestContext& ctx, const GatewayShared& shared, Worker& w);
awaitable<std::optional<Rejection>> price_request(RequestContext& ctx, const GatewayShared& shared, Worker& w);
awaitable<std::optional<Rejection>> reserve_priced(RequestContext& ctx, const GatewayShared& shared, Worker& w);
// 4b. The group's rate limits and spend-rate breaker (rate_limits/phase_rate_limits.cpp): 429
// rate_limit_exceeded / spend_rate_exceeded with Retry-After; nothing is held yet.
awaitable<std::optional<Rejection>> limit_traffic(RequestContext& ctx, const GatewayShared& shared, Worker& w);
// The request's end: its rate-limit shares become what it used (called by finish_request).
void settle_rate_limits(RequestContext& ctx, Worker& w);
// 5+6. Route upstream and pass the answer on (JSON whole, SSE event by event), reading usage.
awaitable<void> forward_upstream(RequestContext& ctx, const GatewayShared& shared, Worker& w, http::ResponseWriter& res);
// 5 with retries and fallbacks (phase_attempts.cpp): forward_upstream until an attempt answers;
// each further attempt releases the last one's reservation and reserves its own.
class AttemptWriter;
awaitable<void> route_upstream(RequestContext& ctx, const GatewayShared& shared, Worker& w, AttemptWriter& out);
// 7+8. The request's end in the worker's ledger log, in the kernel before the request is
// forgotten: its settle at the actual cost (or its release when nothing was served) together with
// its decision event, or the event alone for a request that held nothing (phase_finish.cpp).
awaitable<void> finish_request(RequestContext& ctx, const GatewayShared& shared, Worker& w);
// A failed attempt of a request that will try again (retries, fallbacks): its hold is released.
awaitable<void> release_attempt(RequestContext& ctx, const GatewayShared& shared, Worker& w);
// The decision event's JSON (phase_event.cpp), one per request, blocked ones too.
struct DecisionEvent {
  std::string id, json;
  int64_t ts_micros = 0;
};
DecisionEvent build_decision_event(const RequestContext& ctx);

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
// The money headers of an answer (README "Cost headers"): x-kt-cost-usd (a whole answer: its
// settled cost, kept in ctx.cost) or x-kt-reserved-usd (a stream: its hold, the cost is not known
// yet), and x-kt-budget-remaining-usd when this worker knows the wallet's remaining.
void add_money_headers(RequestContext& ctx, Worker& w, http::Headers& h);
// Cost of a usage at a price (cached input at its own price).
Money cost_of_usage(const providers::Usage& u, const ledger::PricingRow& p);

}  // namespace kt::gateway
