#include <gtest/gtest.h>

#include "test_support.hpp"

namespace kt::tokenizer::test {
namespace {

// Reference values from tiktoken@1.0.22: "Write a short haiku about cloud computing." is 9 tokens in
// both encodings and "user" is 1 token, so the cookbook count is 3 + 1 + 9 + 3 = 16.
TEST(TokenizerChat, HaikuPromptMatchesOpenAiCount) {
  for (const char* name : {"o200k_base", "cl100k_base"}) {
    KT_REQUIRE_ENCODING(enc, name);
    const std::string content = "Write a short haiku about cloud computing.";
    EXPECT_EQ(enc->count(content), 9u) << name;
    EXPECT_EQ(enc->count("user"), 1u) << name;
    EXPECT_EQ(count_chat_prompt(*enc, {{"user", content, ""}}), 16u) << name;
  }
}

TEST(TokenizerChat, NamesAndSeveralMessages) {
  KT_REQUIRE_ENCODING(enc, "o200k_base");
  const std::vector<ChatMessageView> messages = {
      {"system", "You are a helpful assistant.", ""},
      {"user", "Hello there!", "alice"},
      {"assistant", "Hi Alice, how can I help?", ""},
  };
  size_t expected = 3;
  for (const auto& m : messages) {
    expected += 3 + enc->count(m.role) + enc->count(m.content);
    if (!m.name.empty()) expected += 1 + enc->count(m.name);
  }
  EXPECT_EQ(count_chat_prompt(*enc, messages), expected);
  // The name adds exactly one framing token plus its own tokens.
  EXPECT_EQ(count_chat_prompt(*enc, {{"user", "x", "bob"}}),
            count_chat_prompt(*enc, {{"user", "x", ""}}) + 1 + enc->count("bob"));
  EXPECT_EQ(count_chat_prompt(*enc, {}), 3u);
}

}  // namespace
}  // namespace kt::tokenizer::test
