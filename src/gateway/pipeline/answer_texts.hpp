#pragma once
// Where each text route's answer carries generated text, whole and streamed: the one place that
// knows the routes' shapes, shared by whole-answer and stream redaction (stream_redact.cpp).
//   chat:        choices[].message.content; stream choices[].delta.content (ends at finish_reason)
//   completions: choices[].text;            stream choices[].text
//   responses:   output[].content[] of type output_text: .text; stream response.output_text.delta
//                `delta`; output_text.done, content_part.done, output_item.done, completed (and
//                incomplete, failed) repeat the whole text
//   messages:    content[] of type text: .text; stream content_block_delta with a text_delta
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "providers/provider.hpp"

namespace kt::gateway {

// One text of a streamed answer (chat and completions: the choice index; messages: the content
// block index; responses: output_index, content_index).
using TextSlot = std::pair<int64_t, int64_t>;

bool has_answer_texts(providers::Route route);

// Every generated text of a whole answer (string values only).
std::vector<boost::json::value*> answer_texts(providers::Route route, boost::json::value& answer);

// A piece of a streamed text: holder[key] (the key may be missing: a chat chunk with only a
// finish_reason still ends its text).
struct StreamPiece {
  boost::json::object* holder;
  std::string_view key;
  TextSlot slot;
  bool ends;  // the slot's text ends with this event (chat's finish_reason): held text joins it
};

struct EventTexts {
  std::vector<StreamPiece> pieces;
  std::vector<boost::json::value*> repeats;  // whole texts said again (redacted at once)
  bool closes = false;                       // held texts go out, as extra events, before this one
};

// What a stream event (its parsed data) carries; chat's `[DONE]` is not JSON: the caller closes.
EventTexts event_texts(providers::Route route, boost::json::value& event);

// The SSE block that carries a slot's held text, shaped after the slot's last piece event.
std::string held_text_block(providers::Route route, const boost::json::object& last, TextSlot slot, std::string text);

}  // namespace kt::gateway
