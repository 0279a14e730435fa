#pragma once
// Helpers shared by the JSON and the streaming upstream paths.
#include <string>

#include "gateway/gateway_shared.hpp"
#include "gateway/request_context.hpp"
#include "http/server.hpp"

namespace kt::gateway {

// Tokens of generated text (when the upstream reports no usage).
int64_t count_text_tokens(const GatewayShared& shared, const std::string& model, const std::string& text);
// Answers 502 for a transport failure to the upstream and records it on the context.
boost::asio::awaitable<void> reply_upstream_failure(RequestContext& ctx, http::ResponseWriter& res, bool timeout);
// Whether a transport failure was a timeout (for the 502's code).
bool is_timeout(const std::exception& e);
// The upstream body: the client's as received, except a stream that did not ask for usage gets
// stream_options.include_usage added (the gateway needs the usage to settle).
std::string upstream_body(RequestContext& ctx);
// Relays an SSE stream event by event; fills ctx.usage (or an estimate) — see phase_stream.cpp.
boost::asio::awaitable<void> relay_stream(RequestContext& ctx, const GatewayShared& shared, http::ClientPool& pool,
                                          http::ClientRequest req, http::ResponseWriter& res);

}  // namespace kt::gateway
