#include "tokenizer/chat_count.hpp"

namespace kt::tokenizer {

namespace {
constexpr size_t kTokensPerMessage = 3;
constexpr size_t kTokensPerName = 1;
constexpr size_t kReplyPriming = 3;
}  // namespace

size_t count_chat_prompt(const Encoding& encoding, const std::vector<ChatMessageView>& messages,
                         CountCache* cache) {
  size_t total = kReplyPriming;
  for (const ChatMessageView& m : messages) {
    total += kTokensPerMessage + encoding.count(m.role) + (cache ? cache->count(encoding, m.content)
                                                                 : encoding.count(m.content));
    if (!m.name.empty()) total += kTokensPerName + encoding.count(m.name);
  }
  return total;
}

}  // namespace kt::tokenizer
