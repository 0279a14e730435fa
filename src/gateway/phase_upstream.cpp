// Phases 5 and 6 for JSON answers: route to the target, forward the body, read the usage.
#include <boost/json.hpp>
#include <simdjson.h>

#include "core/period.hpp"
#include "gateway/phases.hpp"
#include "gateway/route_request.hpp"
#include "gateway/upstream_support.hpp"

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

int64_t count_text_tokens(const GatewayShared& shared, const std::string& model, const std::string& text) {
  if (const auto* enc = shared.encoding_for(model)) return static_cast<int64_t>(enc->count(text));
  return (static_cast<int64_t>(text.size()) + 3) / 4;
}

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

bool is_timeout(const std::exception& e) {
  auto* ce = dynamic_cast<const http::ClientError*>(&e);
  return ce && ce->kind == http::ClientError::Kind::timeout;
}

awaitable<void> reply_upstream_failure(RequestContext& ctx, http::ResponseWriter& res, bool timeout) {
  ApiError err{502, "upstream_error", timeout ? "upstream_timeout" : "upstream_unreachable",
               timeout ? "the upstream provider did not answer in time" : "the upstream provider cannot be reached"};
  ctx.status = 502;
  ctx.decision = "error";
  ctx.reason = err.code;
  if (!res.responded()) co_await res.send(502, "application/json", error_envelope(err));
}

awaitable<void> forward_upstream(RequestContext& ctx, const GatewayShared& shared, Worker& w, http::ResponseWriter& res) {
  // A retry or a fallback (phase_attempts.cpp) has chosen the target already.
  size_t ti = ctx.target ? static_cast<size_t>(ctx.target - shared.targets.data()) : pick_target(ctx, shared);
  ctx.target = &shared.targets[ti];
  ctx.provider = shared.providers[ti].get();
  const providers::RouteInfo info = route_info(ctx);
  if (!ctx.provider->supports(info.route)) co_return co_await reply_route_not_supported(ctx, res);
  auto req = ctx.provider->build_request(*ctx.target, info, upstream_body(ctx));
  int64_t t0 = now_unix_micros();
  const int64_t m0 = metrics::mono_us();
  if (ctx.stream) {
    co_await relay_stream(ctx, shared, w.pool, std::move(req), res);
    ctx.upstream_us = now_unix_micros() - t0;
    note_upstream_call(ctx, w, m0);
    co_return;
  }
  http::ClientResponse resp;
  std::optional<bool> failed_by_timeout;
  try {
    resp = co_await w.pool.request(ctx.target->base, std::move(req), std::chrono::milliseconds(ctx.target->config.timeout_ms));
  } catch (const std::exception& e) {
    failed_by_timeout = is_timeout(e);
  }
  ctx.upstream_us = now_unix_micros() - t0;
  note_upstream_call(ctx, w, m0);
  if (failed_by_timeout) co_return co_await reply_upstream_failure(ctx, res, *failed_by_timeout);
  ctx.upstream_status = ctx.status = resp.status;
  if (resp.status >= 200 && resp.status < 300) {
    // Read (and for a translated route, rewritten) before it reaches the client.
    auto reading = ctx.provider->read_response(info, std::move(resp.body));
    resp.body = std::move(reading.body);
    ctx.usage = reading.usage;
    if (!ctx.usage) {
      ctx.usage = providers::Usage{ctx.prompt_estimate, count_text_tokens(shared, ctx.model, reading.text)};
      ctx.usage_source = "estimated";
    }
  } else {
    ctx.decision = "error";
    ctx.reason = "upstream_status_" + std::to_string(resp.status);
  }
  std::string content_type(http::find_header(resp.headers, "content-type").value_or("application/json"));
  http::Headers extra{{"X-Kt-Request-Id", ctx.request_id}};
  co_await res.send(resp.status, content_type, std::move(resp.body), extra);
}

}  // namespace kt::gateway
