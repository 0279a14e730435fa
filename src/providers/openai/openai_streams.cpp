#include "providers/openai/openai_streams.hpp"

#include "providers/json_dom.hpp"
#include "providers/openai/openai_provider.hpp"

namespace kt::providers {
namespace {

void append_function(dom::element fn, std::string& out) {
  if (auto name = str_field(fn, "name")) out += *name;
  if (auto args = str_field(fn, "arguments")) out += *args;
}

}  // namespace

void collect_chat_output(dom::element message, std::string& out) {
  for (std::string_view key : {"content", "refusal", "reasoning_content", "reasoning"})
    if (auto t = str_field(message, key)) out += *t;
  if (auto calls = arr_field(message, "tool_calls"))
    for (dom::element call : *calls)
      if (auto fn = obj_field(call, "function")) append_function(*fn, out);
  if (auto fn = obj_field(message, "function_call")) append_function(*fn, out);
}

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
        if (auto d = obj_field(c, "delta")) collect_chat_output(*d, text_);
      }
    }
    if (auto u = obj_field(doc, "usage")) {
      if (auto usage = openai_usage_of(*u)) {
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

// Deltas of output the upstream bills: text, refusals, function call arguments, reasoning text
// and reasoning summaries.
bool ResponsesStream::is_output_delta(std::string_view type) {
  return type == "response.output_text.delta" || type == "response.refusal.delta" ||
         type == "response.function_call_arguments.delta" || type == "response.reasoning_text.delta" ||
         type == "response.reasoning_summary_text.delta";
}

void ResponsesStream::on_event(const http::SseEvent& ev, std::string& out) {
  out += ev.raw;
  if (ev.data.empty() || ev.data == "[DONE]") return;
  thread_local dom::parser parser;
  try {
    dom::element doc = parse_dom(parser, ev.data);
    auto type = str_field(doc, "type").value_or(ev.event);
    if (is_output_delta(type)) {
      if (auto d = str_field(doc, "delta")) text_ += *d;
    } else if (type == "response.output_item.added") {
      if (auto item = obj_field(doc, "item"))  // a function call's name comes with its item
        if (auto name = str_field(*item, "name")) text_ += *name;
    } else if (auto resp = obj_field(doc, "response")) {
      if (auto u = obj_field(*resp, "usage"))
        if (auto usage = openai_usage_of(*u)) usage_ = usage;
    }
  } catch (const simdjson::simdjson_error&) {
  }
}

}  // namespace kt::providers
