#include <gtest/gtest.h>

#include "providers/anthropic/anthropic_translate.hpp"
#include "test_support.hpp"

namespace kt::providers {
namespace {

RouteInfo chat_info(int64_t max_tokens, bool stream = false, bool wants_usage = false) {
  RouteInfo info;
  info.route = Route::chat;
  info.model = "claude-3-5-haiku";
  info.max_output_tokens = max_tokens;
  info.stream = stream;
  info.client_wants_usage = wants_usage;
  info.created = 1700000000;
  return info;
}

TEST(AnthropicTranslate, ChatRequestBecomesMessagesRequest) {
  std::string chat =
      R"({"model":"claude-3-5-haiku","messages":[{"role":"system","content":"Be brief."},)"
      R"({"role":"developer","content":[{"type":"text","text":"No lists."}]},{"role":"user","content":"Hi \"you\""},)"
      R"({"role":"assistant","content":[{"type":"text","text":"Hello"}]},{"role":"user","content":"More"}],)"
      R"("max_tokens":50,"stop":"END","temperature":0.7,"top_p":1,"stream":true,"stream_options":{"include_usage":true},"user":"u1"})";
  EXPECT_EQ(anthropic::chat_to_messages_request(chat, chat_info(50, true)),
            R"({"model":"claude-3-5-haiku","system":"Be brief.\n\nNo lists.","messages":[{"role":"user","content":"Hi \"you\""},)"
            R"({"role":"assistant","content":[{"type":"text","text":"Hello"}]},{"role":"user","content":"More"}],)"
            R"("max_tokens":50,"stop_sequences":["END"],"temperature":0.7,"top_p":1,"stream":true,"metadata":{"user_id":"u1"}})");
}

TEST(AnthropicTranslate, MaxTokensComesFromTheModelCapWhenTheClientGivesNone) {
  std::string chat = R"({"model":"claude-3-5-haiku","messages":[{"role":"user","content":"Hi"}],"stop":["a","b"]})";
  EXPECT_EQ(anthropic::chat_to_messages_request(chat, chat_info(8192)),
            R"({"model":"claude-3-5-haiku","messages":[{"role":"user","content":"Hi"}],"max_tokens":8192,"stop_sequences":["a","b"]})");
}

TEST(AnthropicTranslate, MessagesAnswerBecomesChatCompletion) {
  std::string msg =
      R"({"id":"msg_01","type":"message","role":"assistant","model":"claude-3-5-haiku-20241022",)"
      R"("content":[{"type":"text","text":"Hello "},{"type":"text","text":"there"}],"stop_reason":"max_tokens",)"
      R"("stop_sequence":null,"usage":{"input_tokens":10,"cache_creation_input_tokens":200,"cache_read_input_tokens":1000,"output_tokens":7}})";
  auto r = anthropic::messages_to_chat_response(msg, chat_info(50));
  EXPECT_EQ(r.body,
            R"({"id":"msg_01","object":"chat.completion","created":1700000000,"model":"claude-3-5-haiku-20241022",)"
            R"("choices":[{"index":0,"message":{"role":"assistant","content":"Hello there","refusal":null},"logprobs":null,)"
            R"("finish_reason":"length"}],"usage":{"prompt_tokens":1210,"completion_tokens":7,"total_tokens":1217,)"
            R"("prompt_tokens_details":{"cached_tokens":1000}}})");
  ASSERT_TRUE(r.usage);
  EXPECT_EQ(r.usage->prompt_tokens, 1210);
  EXPECT_EQ(r.usage->cached_tokens, 1000);
  EXPECT_EQ(r.usage->cache_creation_tokens, 200);
  EXPECT_EQ(r.usage->completion_tokens, 7);
  EXPECT_EQ(r.text, "Hello there");
}

TEST(AnthropicTranslate, FinishReasons) {
  EXPECT_EQ(anthropic::finish_reason_of("end_turn"), "stop");
  EXPECT_EQ(anthropic::finish_reason_of("stop_sequence"), "stop");
  EXPECT_EQ(anthropic::finish_reason_of("max_tokens"), "length");
  EXPECT_EQ(anthropic::finish_reason_of("tool_use"), "tool_calls");
}

TEST(AnthropicProvider, RequestHeadersAndPath) {
  auto p = make_provider("anthropic");
  ResolvedTarget t = target_at("https://api.anthropic.com/v1", "sk-ant");
  RouteInfo info = chat_info(16);
  info.route = Route::messages;
  std::string body = R"({"model":"claude-3-5-haiku","max_tokens":16,"messages":[{"role":"user","content":"Hi"}]})";
  auto req = p->build_request(t, info, body);
  EXPECT_EQ(req.target, "/v1/messages");
  EXPECT_EQ(req.body, body);  // native route: forwarded unchanged
  EXPECT_EQ(http::find_header(req.headers, "x-api-key").value_or(""), "sk-ant");
  EXPECT_EQ(http::find_header(req.headers, "anthropic-version").value_or(""), "2023-06-01");
  EXPECT_FALSE(http::find_header(req.headers, "authorization"));
  EXPECT_TRUE(p->supports(Route::chat));
  EXPECT_FALSE(p->supports(Route::embeddings));
}

TEST(AnthropicProvider, NativeAnswerKeepsItsBodyAndReadsUsage) {
  auto p = make_provider("anthropic");
  RouteInfo info;
  info.route = Route::messages;
  std::string body = R"({"id":"msg_1","content":[{"type":"text","text":"ok"}],"usage":{"input_tokens":5,"cache_read_input_tokens":null,"output_tokens":2}})";
  auto r = p->read_response(info, body);
  EXPECT_EQ(r.body, body);
  ASSERT_TRUE(r.usage);
  EXPECT_EQ(r.usage->prompt_tokens, 5);
  EXPECT_EQ(r.usage->completion_tokens, 2);
  EXPECT_EQ(r.usage->cached_tokens, 0);
}

}  // namespace
}  // namespace kt::providers
