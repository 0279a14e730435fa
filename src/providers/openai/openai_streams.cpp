#include "providers/openai/openai_streams.hpp"

#include "providers/json_dom.hpp"

namespace kt::providers {

void ChunkStream::on_event(const http::SseEvent& ev, std::string& out) {
  if (ev.data.empty() || ev.data == "[DONE]") {
    out += ev.raw;
    return;
  }
  thread_local dom::parser parser;
  bool no_choices = true, has_usage = false;
  try {
    dom::element doc = parse_dom(parser, ev.data);
    if (auto choices = arr_field(doc, "choices")) {
      for (dom::element c : *choices) {
        no_choices = false;
        if (auto t = str_field(c, "text")) text_ += *t;
        if (auto d = obj_field(c, "delta"))
          if (auto t = str_field(*d, "content")) text_ += *t;
      }
    }
    if (auto u = obj_field(doc, "usage")) {
      if (auto usage = parse_openai_usage_object(minified(*u))) {
        usage_ = usage;
        has_usage = true;
      }
    }
  } catch (const simdjson::simdjson_error&) {
    out += ev.raw;  // not ours to judge: passed on unchanged
    return;
  }
  if (has_usage && no_choices && !client_wants_usage_) return;
  out += ev.raw;
}

void ResponsesStream::on_event(const http::SseEvent& ev, std::string& out) {
  out += ev.raw;
  if (ev.data.empty() || ev.data == "[DONE]") return;
  thread_local dom::parser parser;
  try {
    dom::element doc = parse_dom(parser, ev.data);
    auto type = str_field(doc, "type").value_or(ev.event);
    if (type == "response.output_text.delta") {
      if (auto d = str_field(doc, "delta")) text_ += *d;
    } else if (auto resp = obj_field(doc, "response")) {
      if (auto u = obj_field(*resp, "usage"))
        if (auto usage = parse_openai_usage_object(minified(*u))) usage_ = usage;
    }
  } catch (const simdjson::simdjson_error&) {
  }
}

}  // namespace kt::providers
