#pragma once
// The priced routes besides chat completions (completions, embeddings, responses, messages): what
// each body asks for, read into the same RequestContext fields the chat route fills, so every route
// is priced, reserved and settled by the same phases. Also what a provider is told about a request.
#include <boost/asio/awaitable.hpp>
#include <optional>

#include "gateway/gateway_shared.hpp"
#include "gateway/request_context.hpp"
#include "http/server.hpp"

namespace kt::gateway {

// Phase 2 for any priced route (chat goes to parse_chat_request): model, prompt text as messages,
// the output cap (max_tokens / max_output_tokens), stream. The body is not rewritten.
std::optional<Rejection> parse_route_request(RequestContext& ctx);

// The provider's view of the request (route, model, stream, the output cap Anthropic requires).
providers::RouteInfo route_info(const RequestContext& ctx);

// Prompt tokens of a plain-text prompt (completions, embeddings): no chat message overhead.
int64_t count_plain_prompt(const RequestContext& ctx, const GatewayShared& shared);

// 400 when the target serving the model has no such route (e.g. /v1/embeddings on Anthropic).
boost::asio::awaitable<void> reply_route_not_supported(RequestContext& ctx, http::ResponseWriter& res);

}  // namespace kt::gateway
