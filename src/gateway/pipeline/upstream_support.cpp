// What a provider is told about a request, and the answer when its target lacks the route.
#include "gateway/pipeline/upstream_support.hpp"

#include "core/error.hpp"
#include "core/period.hpp"
#include "gateway/budget/model_limits.hpp"

namespace kt::gateway {

providers::RouteInfo route_info(const RequestContext& ctx) {
  providers::RouteInfo info;
  info.route = ctx.route_kind;
  info.model = ctx.model;
  info.stream = ctx.stream;
  info.client_wants_usage = ctx.client_wants_usage;
  if (ctx.max_tokens) info.max_output_tokens = *ctx.max_tokens;
  else if (ctx.output_allowance > 0 && ctx.choices > 0) info.max_output_tokens = ctx.output_allowance / ctx.choices;
  else info.max_output_tokens = ctx.price && ctx.price->max_output_tokens ? *ctx.price->max_output_tokens
                                                                          : default_max_output_tokens(ctx.model);
  info.created = now_unix_seconds();
  return info;
}

boost::asio::awaitable<void> reply_route_not_supported(RequestContext& ctx, http::ResponseWriter& res) {
  std::string provider = ctx.provider ? ctx.provider->name() : "?";
  ApiError e = bad_request("route_not_supported", "model '" + ctx.model + "' is served by a " + provider +
                                                      " target, which has no " + ctx.route + " route");
  ctx.status = e.status;
  ctx.decision = "block";
  ctx.reason = "route_not_supported";
  http::Headers extra{{"X-Kt-Request-Id", ctx.request_id}};
  std::string body = error_envelope(e);
  co_await res.send(e.status, "application/json", std::move(body), extra);
}

}  // namespace kt::gateway
