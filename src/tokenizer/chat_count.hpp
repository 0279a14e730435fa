#pragma once
// Prompt token counts for chat requests, as OpenAI counts them (the cookbook's
// num_tokens_from_messages for gpt-3.5-turbo-0613 and later, gpt-4*, gpt-4o*).
#include <string_view>
#include <vector>

#include "tokenizer/count_cache.hpp"
#include "tokenizer/encoding.hpp"

namespace kt::tokenizer {

struct ChatMessageView {
  std::string_view role, content, name;
};

// Per message: 3 tokens of framing + tokens(role) + tokens(content), and when a name is present
// 1 more token + tokens(name); then 3 tokens priming the assistant's reply. With a cache, long
// contents seen before (system prompts, a chat's history) are not counted again.
size_t count_chat_prompt(const Encoding& encoding, const std::vector<ChatMessageView>& messages,
                         CountCache* cache = nullptr);

}  // namespace kt::tokenizer
