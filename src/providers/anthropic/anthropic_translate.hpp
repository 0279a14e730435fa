#pragma once
// OpenAI chat <-> Anthropic Messages, both ways, for clients that call /v1/chat/completions with
// a model served by an Anthropic target. Pure functions: JSON text in, JSON text out.
#include <string>
#include <string_view>

#include "core/json_writer.hpp"
#include "providers/json_dom.hpp"
#include "providers/provider.hpp"

namespace kt::providers::anthropic {

// Anthropic's four usage counters as reported; fields absent from an update keep their value
// (message_delta repeats only some of them).
struct Counts {
  int64_t input = 0, output = 0, cache_creation = 0, cache_read = 0;
  void update(dom::element usage);
  // prompt_tokens = input + cache_creation + cache_read (all input, as OpenAI counts it); nullopt
  // when the counts are not billable (a negative one, a sum past int64: billable_usage).
  std::optional<Usage> to_usage() const;
};

// The Messages request for an OpenAI chat body: system/developer messages -> `system`,
// max_tokens (required by Anthropic) from info.max_output_tokens, stop -> stop_sequences,
// temperature, top_p, stream. Throws simdjson_error when the body is not JSON.
std::string chat_to_messages_request(std::string_view chat_body, const RouteInfo& info);

// A Messages answer -> a chat.completion answer (content text, finish_reason, usage).
ResponseReading messages_to_chat_response(std::string_view messages_body, const RouteInfo& info);

// A native Messages answer read in place (body unchanged).
ResponseReading read_messages_response(std::string body);

// The billable output of a content block (whole answers, content_block_start) or of a
// content_block_delta's delta, appended to `out`: text, thinking, a tool_use's name and input.
void collect_block_output(dom::element block_or_delta, std::string& out);

// end_turn/stop_sequence -> stop, max_tokens -> length, tool_use -> tool_calls.
std::string_view finish_reason_of(std::string_view stop_reason);

// {"prompt_tokens","completion_tokens","total_tokens","prompt_tokens_details":{"cached_tokens"}}
void write_openai_usage(JsonWriter& w, const Usage& u);

}  // namespace kt::providers::anthropic
