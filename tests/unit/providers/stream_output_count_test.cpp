// What kt counts as output when the usage never comes: text, and also tool-call names and
// arguments and reasoning text, for each provider's stream and whole answers.
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace kt::providers {
namespace {

RouteInfo info_for(Route route, std::string model, bool stream) {
  RouteInfo info;
  info.route = route;
  info.model = std::move(model);
  info.stream = stream;
  info.created = 1700000000;
  return info;
}

TEST(StreamOutputCount, OpenAiChatToolCallsAndReasoningAreCounted) {
  constexpr std::string_view upstream =
      R"(data: {"choices":[{"index":0,"delta":{"role":"assistant","content":null,"reasoning_content":"Let me think. "}}]})"
      "\n\n"
      R"(data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_report","arguments":""}}]}}]})"
      "\n\n"
      R"(data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]}}]})"
      "\n\n"
      R"(data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]}}]})"
      "\n\n"
      R"(data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})"
      "\n\ndata: [DONE]\n\n";
  auto tr = make_provider("openai")->stream_translator(info_for(Route::chat, "gpt-4o-mini", true));
  std::string out = translate_stream(*tr, upstream);
  EXPECT_EQ(out, upstream);  // passed on unchanged
  EXPECT_EQ(tr->text(), "Let me think. get_report{\"city\":\"Paris\"}");
  EXPECT_FALSE(tr->usage());
}

TEST(StreamOutputCount, OpenAiWholeAnswerToolCallsAreCounted) {
  std::string body =
      R"({"choices":[{"index":0,"message":{"role":"assistant","content":null,"reasoning_content":"hmm ",)"
      R"("tool_calls":[{"id":"c","type":"function","function":{"name":"lookup","arguments":"{\"q\":1}"}}]},"finish_reason":"tool_calls"}]})";
  auto reading = make_provider("openai")->read_response(info_for(Route::chat, "gpt-4o-mini", false), body);
  EXPECT_EQ(reading.text, "hmm lookup{\"q\":1}");
  EXPECT_FALSE(reading.usage);
}

TEST(StreamOutputCount, ResponsesFunctionCallsAndReasoningAreCounted) {
  constexpr std::string_view upstream =
      "event: response.output_item.added\n"
      R"(data: {"type":"response.output_item.added","output_index":0,"item":{"type":"function_call","id":"fc_1","call_id":"c1","name":"get_report","arguments":""}})"
      "\n\n"
      "event: response.function_call_arguments.delta\n"
      R"(data: {"type":"response.function_call_arguments.delta","item_id":"fc_1","output_index":0,"delta":"{\"a\":"})"
      "\n\n"
      "event: response.function_call_arguments.delta\n"
      R"(data: {"type":"response.function_call_arguments.delta","item_id":"fc_1","output_index":0,"delta":"2}"})"
      "\n\n"
      "event: response.reasoning_summary_text.delta\n"
      R"(data: {"type":"response.reasoning_summary_text.delta","item_id":"rs_1","delta":" because"})"
      "\n\n";
  auto tr = make_provider("openai")->stream_translator(info_for(Route::responses, "gpt-4o-mini", true));
  translate_stream(*tr, upstream);
  EXPECT_EQ(tr->text(), "get_report{\"a\":2} because");
}

constexpr std::string_view kAnthropicToolStream =
    "event: message_start\n"
    R"(data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-3-5-haiku","content":[],"usage":{"input_tokens":9,"output_tokens":1}}})"
    "\n\n"
    "event: content_block_start\n"
    R"(data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}})"
    "\n\n"
    "event: content_block_delta\n"
    R"(data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Weigh it. "}})"
    "\n\n"
    "event: content_block_delta\n"
    R"(data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"c2lnbmF0dXJl"}})"
    "\n\n"
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
    "event: content_block_start\n"
    R"(data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"get_report","input":{}}})"
    "\n\n"
    "event: content_block_delta\n"
    R"(data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\": \"Par"}})"
    "\n\n"
    "event: content_block_delta\n"
    R"(data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"is\"}"}})"
    "\n\n"
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n"
    "event: message_delta\n"
    R"(data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null}})"
    "\n\n"
    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

TEST(StreamOutputCount, AnthropicThinkingAndToolInputAreCounted) {
  auto tr = make_provider("anthropic")->stream_translator(info_for(Route::messages, "claude-3-5-haiku", true));
  EXPECT_EQ(translate_stream(*tr, kAnthropicToolStream), kAnthropicToolStream);
  EXPECT_EQ(tr->text(), "Weigh it. get_report{\"city\": \"Paris\"}");
  EXPECT_FALSE(tr->usage());  // the message_delta carried none
}

TEST(StreamOutputCount, AnthropicBehindChatCountsWhatTheClientDoesNotSee) {
  auto tr = make_provider("anthropic")->stream_translator(info_for(Route::chat, "claude-3-5-haiku", true));
  std::string out = translate_stream(*tr, kAnthropicToolStream);
  EXPECT_EQ(out.find("Weigh it"), std::string::npos);
  EXPECT_EQ(tr->text(), "Weigh it. get_report{\"city\": \"Paris\"}");
}

TEST(StreamOutputCount, AnthropicWholeAnswerToolUseIsCounted) {
  std::string body =
      R"({"id":"m","type":"message","role":"assistant","model":"claude-3-5-haiku","content":[)"
      R"({"type":"thinking","thinking":"ok ","signature":"x"},{"type":"text","text":"Calling. "},)"
      R"({"type":"tool_use","id":"t","name":"get_report","input":{"city":"Paris"}}],"stop_reason":"tool_use"})";
  auto native = make_provider("anthropic")->read_response(info_for(Route::messages, "claude-3-5-haiku", false), body);
  EXPECT_EQ(native.text, "ok Calling. get_report{\"city\":\"Paris\"}");
  auto chat = make_provider("anthropic")->read_response(info_for(Route::chat, "claude-3-5-haiku", false), body);
  EXPECT_EQ(chat.text, "ok Calling. get_report{\"city\":\"Paris\"}");
  EXPECT_NE(chat.body.find(R"("content":"Calling. ")"), std::string::npos);  // the client sees the text only
}

}  // namespace
}  // namespace kt::providers
