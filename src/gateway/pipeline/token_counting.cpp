// Token counts: the prompt's before a request is priced, the answer's when the upstream reports
// no usage. With no rank files for a model, an over-estimate rather than an under-reserve.
#include "gateway/pipeline/token_counting.hpp"

#include "tokenizer/chat_count.hpp"

namespace kt::gateway {

int64_t count_text_tokens(const GatewayShared& shared, const std::string& model, const std::string& text) {
  if (const auto* enc = shared.encoding_for(model)) return static_cast<int64_t>(enc->count(text));
  return (static_cast<int64_t>(text.size()) + 3) / 4;
}

int64_t count_plain_prompt(const RequestContext& ctx, const GatewayShared& shared) {
  int64_t n = 0;
  for (const auto& m : ctx.messages) n += count_text_tokens(shared, ctx.model, m.content);
  return n;
}

int64_t count_prompt_tokens(const RequestContext& ctx, const GatewayShared& shared, Worker& w) {
  if (ctx.plain_prompt) return count_plain_prompt(ctx, shared);
  if (const auto* enc = shared.encoding_for(ctx.model)) {
    std::vector<tokenizer::ChatMessageView> views;
    views.reserve(ctx.messages.size());
    for (const auto& m : ctx.messages) views.push_back({m.role, m.content, m.name});
    return static_cast<int64_t>(tokenizer::count_chat_prompt(*enc, views, &w.token_counts));
  }
  // No rank files: over-estimate (English runs ~4 bytes a token) rather than under-reserve.
  int64_t bytes = 0;
  for (const auto& m : ctx.messages) bytes += int64_t(m.content.size() + m.role.size() + m.name.size());
  return (bytes + 1) / 2 + 4 * int64_t(ctx.messages.size()) + 3;
}

}  // namespace kt::gateway
