#pragma once
// The deterministic answers of the mock: what a chat request gets (content and token counts),
// and the JSON of OpenAI's reply shapes, whole or as stream events.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mock_request.hpp"

namespace kt::mock {

struct ChatPlan {
  std::vector<std::string> pieces;  // words with their trailing separators; joined = content
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  std::string finish_reason = "stop";
  std::string content() const;
};

ChatPlan plan_chat(const ChatRequest& req);

// Identity shared by all chunks of one streamed answer.
struct StreamIds {
  std::string id;
  int64_t created = 0;
  std::string model;
  bool include_usage = false;
};

std::string chat_completion_json(const ChatRequest& req, const ChatPlan& plan, const StreamIds& ids);
std::string text_completion_json(const CompletionRequest& req, const ChatPlan& plan, const StreamIds& ids);
// Every "data: ...\n\n" event of a streamed chat answer, in order, ending with "data: [DONE]".
std::vector<std::string> chat_stream_events(const ChatRequest& req, const ChatPlan& plan, const StreamIds& ids);

// Pieces joined in groups of `per_group` (what one stream event carries).
std::vector<std::string> group_pieces(const std::vector<std::string>& pieces, size_t per_group);
// The reasoning words ([mock:reasoning_words=N]) and a tool call's argument text in pieces.
std::vector<std::string> reasoning_pieces(const Directives& d);
std::vector<std::string> tool_argument_pieces(const ChatPlan& plan);

// {"error":{"message","type","param":null,"code":null}}
std::string openai_error(std::string_view message, std::string_view type);

}  // namespace kt::mock
