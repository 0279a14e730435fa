#pragma once
// Reading the requests the mock accepts, and the [mock:NAME=VALUE] directives tests put in
// message text to choose the mock's behaviour.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kt::mock {

struct Directives {
  std::optional<int> status;
  int64_t delay_ms = 0;
  int64_t chunk_delay_ms = 0;
  std::optional<int64_t> completion_tokens;
  std::optional<int64_t> prompt_tokens;
  std::optional<int64_t> reasoning_tokens;
  std::optional<int64_t> cached_tokens;          // OpenAI cached_tokens; Anthropic cache_read_input_tokens
  std::optional<int64_t> cache_creation_tokens;  // Anthropic cache_creation_input_tokens
  bool no_usage = false;
  // [mock:tool_calls]: the answer is one function call (get_report) whose arguments carry the
  // planned words, streamed in pieces. [mock:reasoning_words=N]: N words of reasoning text
  // (chat: delta.reasoning_content; Anthropic: a thinking block) before the answer.
  bool tool_calls = false;
  // [mock:say_hex=HEX]: the answer is the hex-decoded text in 3-byte pieces (a stream sends
  // kWordsPerChunk pieces an event, so phrases are cut across events; the request itself
  // carries only hex digits).
  std::string say;
  int64_t reasoning_words = 0;
  bool oversized_event = false;  // [mock:oversized_event]: a 1.5 MiB chat chunk after the first words
  bool drop = false;
  // Broken upstreams (README "Faults and what they cost"):
  //   [mock:reset_after=N]   a stream's first N events, then a TCP reset (a JSON answer: reset
  //                          before any answer)
  //   [mock:garbage]         bytes that are not HTTP, then the connection closes
  //   [mock:html=STATUS]     STATUS with an HTML page (a proxy's error page) instead of JSON
  //   [mock:truncated_json]  200 with a well-framed body that is the reply cut in half
  //   [mock:short_body]      200 whose Content-Length is the whole reply's, half of it, then close
  std::optional<int64_t> reset_after;
  bool garbage = false;
  std::optional<int> html_status;
  bool truncated_json = false;
  bool short_body = false;
  int64_t fail_times = 0;  // with fail_key: the first fail_times requests carrying the key get 500
  std::string fail_key;
};

// Scans text for [mock:NAME] / [mock:NAME=VALUE] and applies what it finds to `d`.
void scan_directives(std::string_view text, Directives& d);

size_t count_words(std::string_view text);

struct Message {
  std::string role;
  std::string text;  // string content, or the text parts of an array content joined by '\n'
};

struct ChatRequest {
  std::string model;
  std::vector<Message> messages;
  std::optional<int64_t> max_tokens;  // max_completion_tokens wins over max_tokens
  bool stream = false;
  bool include_usage = false;
  Directives directives;
};

// The error message for the 400 reply, or the request.
struct ParseResult {
  std::optional<ChatRequest> request;
  std::string error;
};
ParseResult parse_chat_request(std::string_view body);

struct CompletionRequest {  // legacy /v1/completions
  std::string model;
  std::string prompt;
  std::optional<int64_t> max_tokens;
  Directives directives;
};
std::optional<CompletionRequest> parse_completion_request(std::string_view body, std::string& error);

struct EmbeddingRequest {
  std::string model;
  std::vector<std::string> inputs;
  Directives directives;
};
std::optional<EmbeddingRequest> parse_embedding_request(std::string_view body, std::string& error);

}  // namespace kt::mock
