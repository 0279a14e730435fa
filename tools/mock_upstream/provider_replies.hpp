#pragma once
// The mock's other APIs, with the same deterministic plans as chat (chat_reply.hpp):
// Anthropic's Messages API (/v1/messages, JSON and SSE, cache token usage) and OpenAI's Responses
// API (/v1/responses, JSON and SSE with usage on response.completed).
#include <string>
#include <string_view>
#include <vector>

#include "chat_reply.hpp"

namespace kt::mock {

// /v1/messages: system (string or text blocks), messages, max_tokens (required), stream.
ParseResult parse_messages_request(std::string_view body);
std::string messages_json(const ChatRequest& req, const ChatPlan& plan, const std::string& id);
std::vector<std::string> messages_stream_events(const ChatRequest& req, const ChatPlan& plan, const std::string& id);
// {"type":"error","error":{"type","message"}}
std::string anthropic_error(std::string_view message, std::string_view type);

// /v1/responses: input (string or items), instructions, max_output_tokens, stream.
ParseResult parse_responses_request(std::string_view body);
std::string responses_json(const ChatRequest& req, const ChatPlan& plan, const StreamIds& ids);
std::vector<std::string> responses_stream_events(const ChatRequest& req, const ChatPlan& plan, const StreamIds& ids);

}  // namespace kt::mock
