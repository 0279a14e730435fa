#pragma once
// Helpers shared by the JSON and the streaming upstream paths.
#include <string>

#include "gateway/gateway_shared.hpp"
#include "gateway/pipeline/request_context.hpp"
#include "http/server.hpp"

namespace kt::gateway {

// The provider's view of the request (route, model, stream, the output cap Anthropic requires).
providers::RouteInfo route_info(const RequestContext& ctx);
// 400 when the target serving the model has no such route (e.g. /v1/embeddings on Anthropic).
boost::asio::awaitable<void> reply_route_not_supported(RequestContext& ctx, http::ResponseWriter& res);
// What went wrong with the upstream, as the 502's code and the event's reason: upstream_timeout,
// upstream_unreachable (connect, TLS), upstream_bad_response (an answer that is not HTTP),
// upstream_closed (the connection closed before the whole answer came).
std::string upstream_failure_code(const std::exception& e);
// Answers 502 with that code (or upstream_invalid_response: a 2xx whose body is not JSON) and
// records it on the context; nothing was served, so nothing is billed.
boost::asio::awaitable<void> reply_upstream_failure(RequestContext& ctx, http::ResponseWriter& res, const std::string& code);
// An upstream error answer passed on with its status: its body as it is when it is JSON (the
// provider's own envelope), else (a proxy's HTML page) the gateway's envelope saying so.
boost::asio::awaitable<void> pass_on_upstream_error(RequestContext& ctx, http::ResponseWriter& res, int status,
                                                    const http::Headers& headers, std::string body);
// The upstream body: the client's as received, except a stream that did not ask for usage gets
// stream_options.include_usage added (the gateway needs the usage to settle).
std::string upstream_body(RequestContext& ctx);
// Relays an SSE stream event by event; fills ctx.usage (or an estimate) — see phase_stream.cpp.
// `head`: the stream's headers (the request id, the money headers).
boost::asio::awaitable<void> relay_stream(RequestContext& ctx, const GatewayShared& shared, http::ClientPool& pool,
                                          http::ClientRequest req, http::ResponseWriter& res, http::Headers head);

}  // namespace kt::gateway
