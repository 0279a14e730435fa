// A request's life, in order (phases.hpp numbers each phase; only this file sequences them):
//   0. authenticate (the head hook, before the body is read)
//   1. parse -> 2. attribution -> 3. allowed models -> 4. request policies (block, redact)
//   5. idempotency: a repeat of a finished request is replayed, nothing priced or held
//   6. response cache (cache/): a hit is answered at $0, nothing priced or held
//   7. price the worst case -> 8. rate limits (429 before anything is held)
//   9. hold it (a lease hold or a reservation; its intent in the ledger log before anything goes out)
//  10. attempts upstream (this file): a failed attempt's hold goes back, the next retry or fallback
//      is priced and held under its own key, until one answers or none is left; streams are
//      relayed as they come
//  11. finish: settle the served attempt's cost (or release its hold) with the request's one
//      decision event, one record in the ledger log, whatever the request's end
//  12. then the refusal, replay or cache hit is sent; a complete answer is kept for its repeats
// Only the budget phases (7, 9, 10, 11) move money.
#include "gateway/pipeline/pipeline.hpp"

#include "core/ids.hpp"
#include "core/period.hpp"
#include "core/prom_text.hpp"
#include "gateway/pipeline/attempt_plan.hpp"
#include "gateway/budget/max_tokens_clamp.hpp"
#include "gateway/metrics/metrics_scrape.hpp"
#include "gateway/pipeline/phases.hpp"

namespace kt::gateway {
namespace {

// How a request ends besides an answer from upstream (which is out already): sent after the
// request's decision event is in the ledger log.
struct Ending {
  std::optional<Rejection> refusal;
  std::optional<RecordedResponse> replay;  // 5: the first answer to this Idempotency-Key
  std::optional<CachedAnswer> cached;      // 6: a cache hit
  std::exception_ptr failure;              // 10 threw: the hold still goes, then the error
};

Ending refused(RequestContext& ctx, Rejection r) {
  ctx.status = r.status;
  ctx.decision = "block";
  ctx.reason = r.reason;
  return Ending{.refusal = std::move(r)};
}

awaitable<void> send_refusal(RequestContext& ctx, http::ResponseWriter& res, const Rejection& r) {
  http::Headers extra{{"X-Kt-Request-Id", ctx.request_id}};
  if (!r.retry_after.empty()) extra.emplace_back("Retry-After", r.retry_after);
  co_await res.send(r.status, "application/json", r.body, extra);
}

// 10. Attempts until one answers (or a failure no attempt can mend, or none is left). A failure
// is held back while another attempt may mend it; each further attempt starts fresh, releases the
// last one's hold first and is priced and held under its own key.
awaitable<void> attempt_upstream(RequestContext& ctx, const GatewayShared& shared, Worker& w, AttemptWriter& out) {
  AttemptPlan plan(shared, ctx.model);
  std::string body_copy;
  if (plan.may_retry()) body_copy = ctx.req.body;  // forward_upstream consumes the body
  for (;;) {
    out.hold_failures(plan.more_may_follow());
    co_await forward_upstream(ctx, shared, w, out);
    ctx.attempts.push_back(ctx.record());
    if (!out.holding()) co_return;
    auto step = plan.next(ctx.target);
    if (!step) co_return co_await out.flush_held();
    co_await release_attempt(ctx, shared, w);  // nothing was served: this attempt's hold goes back
    co_await back_off(w, *step);
    ctx.begin_attempt(ctx.next_attempt(&shared.targets[step->target], shared.providers[step->target].get(), step->model));
    ctx.req.body = body_copy;
    if (step->model != plan.client_model()) {
      ctx.model_requested = plan.client_model();
      if (auto b = body_with_string_field(ctx.req.body, "model", step->model)) ctx.req.body = std::move(*b);
    }
    if (auto r = co_await price_and_reserve(ctx, shared, w)) {
      // The wallet cannot pay for the next attempt: the client gets the failure it already had.
      const AttemptRecord& last = ctx.attempts.back();
      ctx.warnings.push_back("attempt " + std::to_string(ctx.number) + " on target '" + ctx.target->config.id +
                             "' not made: " + r->reason);
      ctx.status = last.status;
      ctx.decision = "error";
      ctx.reason = last.outcome;
      co_return co_await out.flush_held();
    }
    out.drop_held();
  }
}

// Phases 1 to 10. `out` is made at 7: from there every answer carries the cache and rate headers
// and is recorded for the Idempotency-Key and the cache.
awaitable<Ending> run_phases(RequestContext& ctx, const GatewayShared& shared, Worker& w, http::ResponseWriter& res,
                             IdempotencyClaim& claim, CacheTicket& cache_ticket, std::optional<AttemptWriter>& out) {
  if (auto r = parse_route_request(ctx)) co_return refused(ctx, std::move(*r));
  if (auto r = read_attribution(ctx)) co_return refused(ctx, std::move(*r));
  if (auto r = check_allowed_model(ctx)) co_return refused(ctx, std::move(*r));
  if (auto r = run_request_policies(ctx, shared)) co_return refused(ctx, std::move(*r));

  std::optional<RecordedResponse> first_answer;
  if (auto r = claim_idempotency_key(ctx, shared, claim, first_answer)) co_return refused(ctx, std::move(*r));
  if (first_answer) co_return Ending{.replay = std::move(first_answer)};

  std::optional<CachedAnswer> cached;
  if (auto r = co_await look_up_cache(ctx, shared, w, cache_ticket, cached)) co_return refused(ctx, std::move(*r));
  if (cached) co_return Ending{.cached = std::move(cached)};

  out.emplace(res, ctx.request_id, claim.active() || cache_ticket.active());  // holds failures a retry may mend
  if (!ctx.cache.empty()) out->also_send({{"x-kt-cache", ctx.cache}});
  if (auto r = co_await price_request(ctx, shared, w)) co_return refused(ctx, std::move(*r));
  auto limited = co_await limit_traffic(ctx, shared, w);  // before anything is held
  out->also_send(ctx.rate_headers);
  if (limited) co_return refused(ctx, std::move(*limited));
  if (auto r = co_await reserve_priced(ctx, shared, w)) co_return refused(ctx, std::move(*r));
  try {
    co_await attempt_upstream(ctx, shared, w, *out);
  } catch (...) {
    // Whatever failed, the hold must not stay: settle what was served, release the rest.
    ctx.decision = "error";
    ctx.reason = "internal_error";
    co_return Ending{.failure = std::current_exception()};
  }
  co_return Ending{};
}

}  // namespace

// Every priced route (chat, completions, embeddings, responses, messages) goes through here.
awaitable<void> Pipeline::priced_route(http::Request& req, http::ResponseWriter& res, providers::Route route) {
  RequestContext ctx(req);
  ctx.route_kind = route;
  ctx.route = std::string(providers::route_path(route));
  ctx.request_id = new_id("req_");
  ctx.started_us = now_unix_micros();
  // Set by on_head: a Caller for a key made through the API, else the group alone.
  if (const auto* caller = std::any_cast<Caller>(&req.admitted)) {
    ctx.group = caller->group;
    ctx.api_key = caller->key;
  } else {
    ctx.group = std::any_cast<const config::ConsumerGroup*>(req.admitted);
  }

  IdempotencyClaim claim;
  CacheTicket cache_ticket;
  std::optional<AttemptWriter> out;
  Ending end = co_await run_phases(ctx, shared_, w_, res, claim, cache_ticket, out);
  co_await finish_request(ctx, shared_, w_);  // 11: the one place a request's decision event is made
  if (end.failure) std::rethrow_exception(end.failure);
  if (end.refusal) co_return co_await send_refusal(ctx, out ? *out : res, *end.refusal);
  if (end.replay) co_return co_await send_replay(ctx, res, *end.replay);
  if (end.cached) co_return co_await send_cache_hit(ctx, res, *end.cached);
  remember_answer(ctx, *out, claim);  // 12
  store_in_cache(ctx, w_, *out, cache_ticket);
}

awaitable<void> Pipeline::list_models(http::ResponseWriter& res) {
  JsonWriter w;
  w.begin_object().field("object", "list").key("data").begin_array();
  for (const auto& [model, row] : w_.prices->all())
    w.begin_object().field("id", model).field("object", "model").field("owned_by", row.provider).end_object();
  w.end_array().end_object();
  co_await res.send(200, "application/json", w.take());
}

std::optional<http::EarlyResponse> Pipeline::on_head(http::Request& req) {
  std::string_view path = req.path();
  std::string_view allowed;
  if (providers::route_of_path(path)) {
    allowed = "POST";
  } else if (path == "/v1/models" || path == "/models") {
    allowed = "GET";
  } else if (path == "/health") {
    return std::nullopt;
  } else if (path == "/metrics") {
    allowed = "GET";
  } else {
    // Never forwarded: an unpriced route would bypass the budget.
    return http::EarlyResponse{404, error_envelope(not_found("unknown route " + std::string(path))), {}};
  }
  if (req.method != allowed) {
    ApiError e{405, "invalid_request_error", "method_not_allowed",
               "method " + req.method + " is not allowed on " + std::string(path)};
    return http::EarlyResponse{405, error_envelope(e), {{"Allow", std::string(allowed)}}};
  }
  if (path == "/metrics") {  // open, or behind metrics.token_env (never a consumer key)
    if (shared_.metrics_token.empty()) return std::nullopt;
    auto a = req.header("authorization");
    if (a && a->size() > 7 && (a->substr(0, 7) == "Bearer " || a->substr(0, 7) == "bearer ") &&
        constant_time_equal(a->substr(7), shared_.metrics_token))
      return std::nullopt;
    return http::EarlyResponse{401, error_envelope(unauthorized("missing or invalid metrics token: send Authorization: Bearer <token>")), {}};
  }
  Caller caller;
  if (auto r = authenticate(req, shared_, caller)) {
    auth_failures_.record(req.remote_ip(), now_unix_micros());  // counted, not one event each
    return http::EarlyResponse{r->status, std::move(r->body), {}};
  }
  // A bare pointer fits std::any's inline buffer; a Caller (with its key) would be allocated, so
  // only requests made with an API key pay for one.
  if (caller.key) req.admitted = std::move(caller);
  else req.admitted = caller.group;
  return std::nullopt;
}

void Pipeline::on_stop() { auth_failures_.flush(now_unix_micros()); }

awaitable<void> Pipeline::handle(http::Request& req, http::ResponseWriter& res) {
  // The server has run on_head before the body was read; a handler called without it runs it now.
  if (!req.admitted.has_value()) {
    if (auto early = on_head(req))
      co_return co_await res.send(early->status, "application/json", std::move(early->body), early->headers);
  }
  std::string_view path = req.path();
  if (auto route = providers::route_of_path(path)) co_return co_await priced_route(req, res, *route);
  if (path == "/health") co_return co_await res.send(200, "application/json", R"({"status":"ok"})");
  if (path == "/metrics") {
    std::string text = co_await metrics::scrape(w_, shared_);
    co_return co_await res.send(200, kPromContentType, std::move(text));
  }
  co_await list_models(res);
}

}  // namespace kt::gateway
