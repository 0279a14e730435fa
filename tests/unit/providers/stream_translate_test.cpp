#include <gtest/gtest.h>

#include "test_support.hpp"

namespace kt::providers {
namespace {

constexpr std::string_view kAnthropicStream =
    "event: message_start\n"
    R"(data: {"type":"message_start","message":{"id":"msg_9","type":"message","role":"assistant","model":"claude-3-5-haiku","content":[],)"
    R"("stop_reason":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":3,"cache_read_input_tokens":40,"output_tokens":1}}})"
    "\n\n"
    "event: content_block_start\n"
    R"(data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"
    "\n\n"
    "event: ping\ndata: {\"type\": \"ping\"}\n\n"
    "event: content_block_delta\n"
    R"(data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi "}})"
    "\n\n"
    "event: content_block_delta\n"
    R"(data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"there"}})"
    "\n\n"
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
    "event: message_delta\n"
    R"(data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":6}})"
    "\n\n"
    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

RouteInfo chat_stream_info(bool wants_usage) {
  RouteInfo info;
  info.route = Route::chat;
  info.model = "claude-3-5-haiku";
  info.stream = true;
  info.client_wants_usage = wants_usage;
  info.created = 1700000000;
  return info;
}

std::string chunk(std::string_view delta, std::string_view finish) {
  return std::string(R"(data: {"id":"msg_9","object":"chat.completion.chunk","created":1700000000,"model":"claude-3-5-haiku",)") +
         R"("choices":[{"index":0,"delta":)" + std::string(delta) + R"(,"logprobs":null,"finish_reason":)" + std::string(finish) +
         "}]}\n\n";
}

TEST(StreamTranslate, AnthropicEventsBecomeChatChunksWithUsageWhenAsked) {
  auto tr = make_provider("anthropic")->stream_translator(chat_stream_info(true));
  std::string out = translate_stream(*tr, kAnthropicStream);
  std::string expected = chunk(R"({"role":"assistant","content":""})", "null") + chunk(R"({"content":"Hi "})", "null") +
                         chunk(R"({"content":"there"})", "null") + chunk("{}", "\"stop\"") +
                         R"(data: {"id":"msg_9","object":"chat.completion.chunk","created":1700000000,"model":"claude-3-5-haiku",)"
                         R"("choices":[],"usage":{"prompt_tokens":55,"completion_tokens":6,"total_tokens":61,)"
                         R"("prompt_tokens_details":{"cached_tokens":40}}})"
                         "\n\ndata: [DONE]\n\n";
  EXPECT_EQ(out, expected);
  ASSERT_TRUE(tr->usage());
  EXPECT_EQ(tr->usage()->prompt_tokens, 55);
  EXPECT_EQ(tr->usage()->cache_creation_tokens, 3);
  EXPECT_EQ(tr->usage()->cached_tokens, 40);
  EXPECT_EQ(tr->usage()->completion_tokens, 6);
  EXPECT_EQ(tr->text(), "Hi there");
}

TEST(StreamTranslate, AnthropicChatStreamWithoutUsageChunkWhenNotAsked) {
  auto tr = make_provider("anthropic")->stream_translator(chat_stream_info(false));
  std::string out = translate_stream(*tr, kAnthropicStream);
  EXPECT_EQ(out.find("\"usage\""), std::string::npos);
  EXPECT_TRUE(out.ends_with(chunk("{}", "\"stop\"") + "data: [DONE]\n\n"));
  ASSERT_TRUE(tr->usage());  // the gateway still settles at the real usage
  EXPECT_EQ(tr->usage()->completion_tokens, 6);
}

TEST(StreamTranslate, NativeMessagesStreamPassesThroughAndReadsUsage) {
  RouteInfo info = chat_stream_info(false);
  info.route = Route::messages;
  auto tr = make_provider("anthropic")->stream_translator(info);
  EXPECT_EQ(translate_stream(*tr, kAnthropicStream), kAnthropicStream);
  ASSERT_TRUE(tr->usage());
  EXPECT_EQ(tr->usage()->prompt_tokens, 55);
  EXPECT_EQ(tr->usage()->completion_tokens, 6);
}

TEST(StreamTranslate, UsageIsNotFinalBeforeMessageDelta) {
  RouteInfo info = chat_stream_info(false);
  info.route = Route::messages;
  auto tr = make_provider("anthropic")->stream_translator(info);
  std::string_view head = kAnthropicStream.substr(0, kAnthropicStream.find("event: message_delta"));
  translate_stream(*tr, head);
  EXPECT_FALSE(tr->usage());  // a cut stream is estimated, never settled at output_tokens=1
  EXPECT_EQ(tr->text(), "Hi there");
}

TEST(StreamTranslate, OpenAiUsageChunkHiddenWhenTheGatewayAskedForIt) {
  std::string up =
      "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a b\"},\"finish_reason\":null}],\"usage\":null}\n\n"
      "data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":2,\"total_tokens\":6,"
      "\"completion_tokens_details\":{\"reasoning_tokens\":1}}}\n\n"
      "data: [DONE]\n\n";
  RouteInfo info;
  info.stream = true;
  auto hidden = make_provider("openai")->stream_translator(info);
  std::string out = translate_stream(*hidden, up);
  EXPECT_EQ(out, up.substr(0, up.find("data: {\"id\":\"c\",\"choices\":[]")) + "data: [DONE]\n\n");
  ASSERT_TRUE(hidden->usage());
  EXPECT_EQ(hidden->usage()->completion_tokens, 2);
  EXPECT_EQ(hidden->usage()->reasoning_tokens, 1);
  EXPECT_EQ(hidden->text(), "a b");
  info.client_wants_usage = true;
  auto shown = make_provider("openai")->stream_translator(info);
  EXPECT_EQ(translate_stream(*shown, up), up);
}

TEST(StreamTranslate, LegacyCompletionStreamTextAndUsage) {
  std::string up =
      "data: {\"id\":\"cmpl\",\"object\":\"text_completion\",\"choices\":[{\"text\":\"to be\",\"index\":0,\"finish_reason\":null}]}\n\n"
      "data: {\"id\":\"cmpl\",\"object\":\"text_completion\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}\n\n"
      "data: [DONE]\n\n";
  RouteInfo info;
  info.route = Route::completions;
  info.stream = true;
  auto tr = make_provider("azure_openai")->stream_translator(info);
  EXPECT_EQ(translate_stream(*tr, up), up.substr(0, up.find("data: {\"id\":\"cmpl\",\"object\":\"text_completion\",\"choices\":[]")) +
                                           "data: [DONE]\n\n");
  EXPECT_EQ(tr->text(), "to be");
  ASSERT_TRUE(tr->usage());
  EXPECT_EQ(tr->usage()->total(), 5);
}

TEST(StreamTranslate, ResponsesStreamReadsUsageFromResponseCompleted) {
  std::string up =
      "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\",\"usage\":null}}\n\n"
      "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"Hel\"}\n\n"
      "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"lo\"}\n\n"
      "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\",\"usage\":"
      "{\"input_tokens\":30,\"input_tokens_details\":{\"cached_tokens\":10},\"output_tokens\":9,"
      "\"output_tokens_details\":{\"reasoning_tokens\":4},\"total_tokens\":39}}}\n\n";
  RouteInfo info;
  info.route = Route::responses;
  info.stream = true;
  auto tr = make_provider("openai")->stream_translator(info);
  EXPECT_EQ(translate_stream(*tr, up), up);
  ASSERT_TRUE(tr->usage());
  EXPECT_EQ(tr->usage()->prompt_tokens, 30);
  EXPECT_EQ(tr->usage()->cached_tokens, 10);
  EXPECT_EQ(tr->usage()->completion_tokens, 9);
  EXPECT_EQ(tr->usage()->reasoning_tokens, 4);
  EXPECT_EQ(tr->text(), "Hello");
}

}  // namespace
}  // namespace kt::providers
