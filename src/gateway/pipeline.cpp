// A request's life, in order:
//   authenticate -> parse -> request policies -> idempotency (a repeat is replayed)
//   -> response cache (cache/: a hit is answered here, nothing priced or held)
//   -> price -> rate limits (rate_limits/: 429 before anything is held)
//   -> hold (a lease hold or a reservation; its intent logged before anything goes out)
//   -> route upstream (attempts: retries and fallbacks, each with its own hold)
//   -> finish: settle (or release) + decision event, one record in the ledger log
// Each phase is a short function in a phase_*.cpp file; only this file sequences them, and only
// the budget phases move money.
#include "gateway/pipeline.hpp"

#include "core/ids.hpp"
#include "core/period.hpp"
#include "core/prom_text.hpp"
#include "gateway/cache/cache_phase.hpp"
#include "gateway/idempotency_phase.hpp"
#include "gateway/metrics/metrics_scrape.hpp"
#include "gateway/phases.hpp"
#include "gateway/route_request.hpp"

namespace kt::gateway {
namespace {

awaitable<void> refuse(RequestContext& ctx, const GatewayShared& shared, Worker& w, http::ResponseWriter& res,
                       const Rejection& r) {
  ctx.status = r.status;
  ctx.decision = "block";
  ctx.reason = r.reason;
  co_await finish_request(ctx, shared, w);
  http::Headers extra{{"X-Kt-Request-Id", ctx.request_id}};
  if (!r.retry_after.empty()) extra.emplace_back("Retry-After", r.retry_after);
  co_await res.send(r.status, "application/json", r.body, extra);
}

}  // namespace

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

  if (auto r = parse_route_request(ctx)) co_return co_await refuse(ctx, shared_, w_, res, *r);
  if (auto r = read_attribution(ctx)) co_return co_await refuse(ctx, shared_, w_, res, *r);
  if (auto r = check_allowed_model(ctx)) co_return co_await refuse(ctx, shared_, w_, res, *r);
  if (auto r = run_request_policies(ctx, shared_)) co_return co_await refuse(ctx, shared_, w_, res, *r);

  IdempotencyClaim claim;
  std::optional<RecordedResponse> first_answer;
  if (auto r = claim_idempotency_key(ctx, shared_, claim, first_answer)) co_return co_await refuse(ctx, shared_, w_, res, *r);
  if (first_answer) co_return co_await replay_answer(ctx, shared_, w_, res, *first_answer);

  CacheTicket cache_ticket;
  std::optional<CachedAnswer> cached;
  if (auto r = look_up_cache(ctx, shared_, w_, cache_ticket, cached)) co_return co_await refuse(ctx, shared_, w_, res, *r);
  if (cached) co_return co_await serve_cache_hit(ctx, shared_, w_, res, *cached);

  AttemptWriter out(res, ctx.request_id, claim.active() || cache_ticket.active());  // holds failures a retry may mend
  if (!ctx.cache.empty()) out.also_send({{"x-kt-cache", ctx.cache}});
  if (auto r = co_await price_request(ctx, shared_, w_)) co_return co_await refuse(ctx, shared_, w_, out, *r);
  auto limited = co_await limit_traffic(ctx, shared_, w_);  // before anything is held
  out.also_send(ctx.rate_headers);
  if (limited) co_return co_await refuse(ctx, shared_, w_, out, *limited);
  if (auto r = co_await reserve_priced(ctx, shared_, w_)) co_return co_await refuse(ctx, shared_, w_, out, *r);
  std::exception_ptr failure;
  try {
    co_await route_upstream(ctx, shared_, w_, out);  // response and stream filters run inside
  } catch (...) {
    // Whatever failed, the hold must not stay: settle what was served, release the rest.
    failure = std::current_exception();
    ctx.decision = "error";
    ctx.reason = "internal_error";
  }
  co_await finish_request(ctx, shared_, w_);
  if (failure) std::rethrow_exception(failure);
  remember_answer(ctx, out, claim);
  store_in_cache(ctx, w_, out, cache_ticket);
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
