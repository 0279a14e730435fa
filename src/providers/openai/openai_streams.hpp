#pragma once
// Stream readers for OpenAI-shaped streams: events pass through unchanged (except a usage-only
// chunk the gateway asked for on the client's behalf), while usage and text are read.
#include "providers/json_dom.hpp"
#include "providers/provider.hpp"

namespace kt::providers {

// Appends the billable output of an OpenAI chat message or stream delta (`message` of a choice,
// or its `delta`) to `out`: content, refusal, reasoning text (reasoning_content / reasoning),
// and each tool call's function name and arguments (also the legacy function_call).
void collect_chat_output(dom::element message, std::string& out);

// chat.completion.chunk and text_completion streams ("data: {...}" ... "data: [DONE]").
class ChunkStream final : public StreamTranslator {
 public:
  explicit ChunkStream(bool client_wants_usage) : client_wants_usage_(client_wants_usage) {}
  void on_event(const http::SseEvent& ev, std::string& out) override;

 private:
  bool client_wants_usage_;
};

// Responses API streams: "event: response.output_text.delta" ... "event: response.completed",
// whose response.usage is the final usage (also on response.incomplete / response.failed).
class ResponsesStream final : public StreamTranslator {
 public:
  void on_event(const http::SseEvent& ev, std::string& out) override;

 private:
  static bool is_output_delta(std::string_view type);
};

}  // namespace kt::providers
