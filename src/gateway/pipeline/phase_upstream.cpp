// Phase 10 (phases.hpp), one attempt, for JSON answers: route to the target, forward the body, read the usage.
#include <boost/json.hpp>
#include <simdjson.h>

#include "core/json_duplicate_keys.hpp"
#include "core/period.hpp"
#include "gateway/pipeline/phases.hpp"
#include "gateway/pipeline/stream_redact.hpp"
#include "gateway/pipeline/token_counting.hpp"
#include "gateway/pipeline/upstream_support.hpp"

namespace kt::gateway {
namespace {

// The target serving this model: the one whose provider the price book names, else the first.
size_t pick_target(const RequestContext& ctx, const GatewayShared& shared) {
  if (ctx.price)
    for (size_t i = 0; i < shared.targets.size(); ++i)
      if (shared.targets[i].config.provider == ctx.price->provider) return i;
  return 0;
}

}  // namespace

std::string upstream_body(RequestContext& ctx) {
  std::string body = std::move(ctx.req.body);
  if (!ctx.stream || ctx.client_wants_usage) return body;
  // Only chat and legacy completions streams take stream_options (the others always report usage).
  if (ctx.route_kind != providers::Route::chat && ctx.route_kind != providers::Route::completions) return body;
  if (!ctx.has_stream_options) {
    // Cheapest edit that keeps the client's bytes: a new first member.
    auto brace = body.find('{');
    body.insert(brace + 1, "\"stream_options\":{\"include_usage\":true},");
    return body;
  }
  // stream_options present without include_usage: a rare case, worth a full re-serialisation.
  boost::json::value v = boost::json::parse(body);
  v.as_object()["stream_options"].emplace_object()["include_usage"] = true;
  return boost::json::serialize(v);
}

// An upstream call's time, for /metrics (monotonic: the decision event's upstream_latency_us is
// the wall clock's).
void note_upstream_call(RequestContext& ctx, Worker& w, int64_t started_mono_us) {
  const int64_t us = metrics::mono_us() - started_mono_us;
  ctx.upstream_total_us += us;
  w.metrics.upstream_call(us);
}

std::string upstream_failure_code(const std::exception& e) {
  using Kind = http::ClientError::Kind;
  auto* ce = dynamic_cast<const http::ClientError*>(&e);
  if (!ce) return "upstream_unreachable";
  switch (ce->kind) {
    case Kind::timeout: return "upstream_timeout";
    case Kind::protocol: return "upstream_bad_response";
    case Kind::closed: return "upstream_closed";
    case Kind::connect:
    case Kind::tls: break;
  }
  return "upstream_unreachable";
}

namespace {

std::string upstream_failure_message(const std::string& code) {
  if (code == "upstream_timeout") return "the upstream provider did not answer in time";
  if (code == "upstream_bad_response") return "the upstream provider's answer is not valid HTTP";
  if (code == "upstream_closed") return "the upstream provider closed the connection before its answer was complete";
  if (code == "upstream_invalid_response") return "the upstream provider answered with a body that is not valid JSON";
  return "the upstream provider cannot be reached";
}

}  // namespace

awaitable<void> reply_upstream_failure(RequestContext& ctx, http::ResponseWriter& res, const std::string& code) {
  ApiError err{502, "upstream_error", code, upstream_failure_message(code)};
  ctx.status = 502;
  ctx.decision = "error";
  ctx.reason = err.code;
  if (!res.responded()) co_await res.send(502, "application/json", error_envelope(err));
}

awaitable<void> pass_on_upstream_error(RequestContext& ctx, http::ResponseWriter& res, int status,
                                       const http::Headers& headers, std::string body) {
  ctx.status = status;
  ctx.decision = "error";
  ctx.reason = "upstream_status_" + std::to_string(status);
  http::Headers extra{{"X-Kt-Request-Id", ctx.request_id}};
  if (is_json(body)) {
    std::string ct(http::find_header(headers, "content-type").value_or("application/json"));
    co_return co_await res.send(status, ct, std::move(body), extra);
  }
  ApiError err{status, "upstream_error", "upstream_invalid_response",
               "the upstream provider answered HTTP " + std::to_string(status) + " with a body that is not JSON"};
  co_await res.send(status, "application/json", error_envelope(err), extra);
}

awaitable<void> forward_upstream(RequestContext& ctx, const GatewayShared& shared, Worker& w, http::ResponseWriter& res) {
  // A retry or a fallback (pipeline.cpp) has chosen the target already.
  size_t ti = ctx.target ? static_cast<size_t>(ctx.target - shared.targets.data()) : pick_target(ctx, shared);
  ctx.target = &shared.targets[ti];
  ctx.provider = shared.providers[ti].get();
  const providers::RouteInfo info = route_info(ctx);
  if (!ctx.provider->supports(info.route)) co_return co_await reply_route_not_supported(ctx, res);
  auto req = ctx.provider->build_request(*ctx.target, info, upstream_body(ctx));
  int64_t t0 = now_unix_micros();
  const int64_t m0 = metrics::mono_us();
  if (ctx.stream) {
    http::Headers head;
    head.reserve(4);
    head.emplace_back("Cache-Control", "no-cache");
    head.emplace_back("X-Kt-Request-Id", ctx.request_id);
    add_money_headers(ctx, w, head);
    co_await relay_stream(ctx, shared, w.pool, std::move(req), res, std::move(head));
    ctx.upstream_us = now_unix_micros() - t0;
    note_upstream_call(ctx, w, m0);
    co_return;
  }
  http::ClientResponse resp;
  std::optional<std::string> failure;
  try {
    resp = co_await w.pool.request(ctx.target->base, std::move(req), std::chrono::milliseconds(ctx.target->config.timeout_ms));
  } catch (const std::exception& e) {
    failure = upstream_failure_code(e);
  }
  ctx.upstream_us = now_unix_micros() - t0;
  note_upstream_call(ctx, w, m0);
  if (failure) co_return co_await reply_upstream_failure(ctx, res, *failure);
  ctx.upstream_status = ctx.status = resp.status;
  if (resp.status < 200 || resp.status >= 300)
    co_return co_await pass_on_upstream_error(ctx, res, resp.status, resp.headers, std::move(resp.body));
  // Read (and for a translated route, rewritten) before it reaches the client.
  auto reading = ctx.provider->read_response(info, std::move(resp.body));
  // A broken or cut body is no answer: the client gets a 502 and nothing is billed.
  if (!reading.json) co_return co_await reply_upstream_failure(ctx, res, "upstream_invalid_response");
  resp.body = std::move(reading.body);
  ctx.output_redactions = redact_answer(ctx.route_kind, resp.body, ctx.output_redactors);  // the usage was read before: billing is unchanged
  ctx.usage = reading.usage;
  if (!ctx.usage) {
    ctx.usage = providers::Usage{ctx.prompt_estimate, count_text_tokens(shared, ctx.model, reading.text)};
    ctx.usage_source = "estimated";
  }
  std::string content_type(http::find_header(resp.headers, "content-type").value_or("application/json"));
  http::Headers extra;
  extra.reserve(3);
  extra.emplace_back("X-Kt-Request-Id", ctx.request_id);
  add_money_headers(ctx, w, extra);
  co_await res.send(resp.status, content_type, std::move(resp.body), extra);
}

}  // namespace kt::gateway
