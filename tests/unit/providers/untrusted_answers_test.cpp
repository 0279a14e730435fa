// Upstream answers are input like any other: a usage is billed only when it can be
// (billable_usage), and a translated stream stays well-formed. Regressions the fuzzers found.
#include <gtest/gtest.h>

#include <limits>

#include "providers/anthropic/anthropic_streams.hpp"
#include "test_support.hpp"

namespace kt::providers {
namespace {

RouteInfo chat_info() {
  RouteInfo info;
  info.route = Route::chat;
  info.model = "claude-3-5-haiku";
  info.created = 1700000000;
  return info;
}

std::string answer_with_usage(const std::string& usage) {
  return R"({"id":"msg_1","content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn","usage":)" + usage + "}";
}

// Counts::to_usage added Anthropic's three input counters unchecked: input_tokens of INT64_MIN (or
// a negative count) gave a negative prompt, i.e. a negative cost, and large ones overflowed int64.
TEST(UntrustedUsage, AnthropicAnswerWithANegativeOrOverflowingCountHasNoUsage) {
  for (const char* usage : {R"({"input_tokens":-9223372036854775808,"output_tokens":1})",
                            R"({"input_tokens":5,"output_tokens":-1})",
                            R"({"input_tokens":-5,"output_tokens":1,"cache_creation_input_tokens":10})",
                            R"({"input_tokens":9223372036854775807,"output_tokens":1,"cache_read_input_tokens":1})",
                            R"({"input_tokens":9223372036854775806,"output_tokens":2})"}) {
    EXPECT_FALSE(anthropic::messages_to_chat_response(answer_with_usage(usage), chat_info()).usage) << usage;
    EXPECT_FALSE(anthropic::read_messages_response(answer_with_usage(usage)).usage) << usage;
  }
  auto ok = anthropic::messages_to_chat_response(
      answer_with_usage(R"({"input_tokens":10,"output_tokens":4,"cache_creation_input_tokens":2,"cache_read_input_tokens":3})"),
      chat_info());
  ASSERT_TRUE(ok.usage);
  EXPECT_EQ(ok.usage->prompt_tokens, 15);
  EXPECT_EQ(ok.usage->cached_tokens, 3);
}

TEST(UntrustedUsage, AnthropicStreamWithANegativeCountHasNoUsage) {
  const std::string stream =
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"usage\":{\"input_tokens\":-7}}}\n\n"
      "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":3}}\n\n"
      "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
  anthropic::MessagesStream native;
  translate_stream(native, stream);
  EXPECT_FALSE(native.usage());
  anthropic::ChatFromMessagesStream chat(chat_info());
  translate_stream(chat, stream);
  EXPECT_FALSE(chat.usage());
}

TEST(UntrustedUsage, OpenAiUsageWhoseTotalOverflowsIsNotBilled) {
  EXPECT_FALSE(parse_openai_usage_object(R"({"prompt_tokens":9223372036854775807,"completion_tokens":1})"));
  EXPECT_TRUE(parse_openai_usage_object(R"({"prompt_tokens":9223372036854775806,"completion_tokens":1})"));
  Usage u;
  u.prompt_tokens = 10;
  u.cached_tokens = 6;
  u.cache_creation_tokens = 5;  // 6 + 5 > 10
  EXPECT_FALSE(billable_usage(u));
  u.cache_creation_tokens = 4;
  EXPECT_TRUE(billable_usage(u));
}

}  // namespace
}  // namespace kt::providers

namespace kt::providers {
namespace {

// Found by the anthropic_stream fuzzer: an error event whose JSON came on several data lines was
// passed on with its line breaks, so the client read a truncated, invalid JSON event.
TEST(UntrustedStream, AnErrorSentOnSeveralLinesReachesTheClientAsOneEvent) {
  anthropic::ChatFromMessagesStream chat(chat_info());
  const std::string out = translate_stream(
      chat, "event: error\ndata: {\"type\":\"error\",\ndata: \"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n");
  EXPECT_EQ(out, "data: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n");
}

}  // namespace
}  // namespace kt::providers
