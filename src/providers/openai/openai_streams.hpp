#pragma once
// Stream readers for OpenAI-shaped streams: events pass through unchanged (except a usage-only
// chunk the gateway asked for on the client's behalf), while usage and text are read.
#include "providers/provider.hpp"

namespace kt::providers {

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
};

}  // namespace kt::providers
