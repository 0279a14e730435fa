#pragma once
// Token counts for pricing (phase 7) and for answers without usage (phase 10).
#include <cstdint>
#include <string>

#include "gateway/gateway_shared.hpp"
#include "gateway/pipeline/request_context.hpp"
#include "gateway/worker.hpp"

namespace kt::gateway {

// Tokens of a text for `model` (generated text, when the upstream reports no usage).
int64_t count_text_tokens(const GatewayShared& shared, const std::string& model, const std::string& text);
// Prompt tokens of a plain-text prompt (completions, embeddings): no chat message overhead.
int64_t count_plain_prompt(const RequestContext& ctx, const GatewayShared& shared);
// Prompt tokens of the request as it will be priced (chat: with the messages' overhead).
int64_t count_prompt_tokens(const RequestContext& ctx, const GatewayShared& shared, Worker& w);

}  // namespace kt::gateway
