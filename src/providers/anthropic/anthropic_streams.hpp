#pragma once
// Anthropic Messages streams: message_start (input and cache usage), content_block_delta (text),
// message_delta (stop_reason, final output_tokens), message_stop.
#include "providers/anthropic/anthropic_translate.hpp"

namespace kt::providers::anthropic {

// Native /v1/messages: every event passes through unchanged; usage is read on the way.
class MessagesStream final : public StreamTranslator {
 public:
  void on_event(const http::SseEvent& ev, std::string& out) override;

 private:
  dom::parser parser_;
  Counts counts_;
};

// /v1/chat/completions served by Anthropic: each event becomes OpenAI chat.completion.chunk
// events; a usage chunk (when the client asked) and [DONE] follow message_stop.
class ChatFromMessagesStream final : public StreamTranslator {
 public:
  explicit ChatFromMessagesStream(const RouteInfo& info) : info_(info), model_(info.model) {}
  void on_event(const http::SseEvent& ev, std::string& out) override;

 private:
  // "data: {chunk with one choice}\n\n": `delta_json` is the delta object, finish_reason may be empty.
  void chunk(std::string& out, std::string_view delta_json, std::string_view finish_reason) const;

  RouteInfo info_;
  dom::parser parser_;
  Counts counts_;
  std::string id_, model_;
};

}  // namespace kt::providers::anthropic
