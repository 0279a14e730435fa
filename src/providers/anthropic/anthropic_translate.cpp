#include "providers/anthropic/anthropic_translate.hpp"

namespace kt::providers::anthropic {
namespace {

// The element itself as an array (a named copy: ranging over a temporary result would dangle).
std::optional<dom::array> arr_field_of(dom::element e) {
  if (!e.is_array()) return std::nullopt;
  dom::array a = e.get_array().value();
  return a;
}

// The text of an OpenAI content value: a string, or the text parts of an array.
std::string text_of(dom::element content) {
  if (content.is_string()) return std::string(content.get_string().value());
  std::string out;
  if (auto parts = arr_field_of(content))
    for (dom::element part : *parts)
      if (auto t = str_field(part, "text")) {
        if (!out.empty()) out += '\n';
        out += *t;
      }
  return out;
}

// OpenAI content -> Anthropic content: a string stays a string; text parts become text blocks.
void write_content(JsonWriter& w, dom::element content) {
  if (!content.is_array()) {
    w.value(text_of(content));
    return;
  }
  w.begin_array();
  dom::array parts = *arr_field_of(content);
  for (dom::element part : parts)
    if (auto t = str_field(part, "text")) w.begin_object().field("type", "text").field("text", *t).end_object();
  w.end_array();
}

}  // namespace

void Counts::update(dom::element usage) {
  if (auto v = int_field(usage, "input_tokens")) input = *v;
  if (auto v = int_field(usage, "output_tokens")) output = *v;
  if (auto v = int_field(usage, "cache_creation_input_tokens")) cache_creation = *v;
  if (auto v = int_field(usage, "cache_read_input_tokens")) cache_read = *v;
}

std::optional<Usage> Counts::to_usage() const {
  Usage u;
  if (__builtin_add_overflow(input, cache_creation, &u.prompt_tokens) ||
      __builtin_add_overflow(u.prompt_tokens, cache_read, &u.prompt_tokens))
    return std::nullopt;
  u.completion_tokens = output;
  u.cached_tokens = cache_read;
  u.cache_creation_tokens = cache_creation;
  if (!billable_usage(u)) return std::nullopt;
  return u;
}

std::string_view finish_reason_of(std::string_view stop_reason) {
  if (stop_reason == "max_tokens") return "length";
  if (stop_reason == "tool_use") return "tool_calls";
  if (stop_reason == "refusal") return "content_filter";
  return "stop";  // end_turn, stop_sequence, pause_turn
}

void write_openai_usage(JsonWriter& w, const Usage& u) {
  w.begin_object();
  w.field("prompt_tokens", u.prompt_tokens).field("completion_tokens", u.completion_tokens).field("total_tokens", u.total());
  w.key("prompt_tokens_details").begin_object().field("cached_tokens", u.cached_tokens).end_object();
  w.end_object();
}

std::string chat_to_messages_request(std::string_view chat_body, const RouteInfo& info) {
  thread_local dom::parser parser;
  dom::element doc = parse_dom(parser, chat_body);
  std::string system;
  JsonWriter w;
  w.begin_object();
  w.field("model", str_field(doc, "model").value_or(info.model));
  if (auto messages = arr_field(doc, "messages")) {
    for (dom::element m : *messages) {
      auto role = str_field(m, "role").value_or("user");
      if (role != "system" && role != "developer") continue;
      if (auto c = any_field(m, "content")) {
        if (!system.empty()) system += "\n\n";
        system += text_of(*c);
      }
    }
    if (!system.empty()) w.field("system", system);
    w.key("messages").begin_array();
    for (dom::element m : *messages) {
      auto role = str_field(m, "role").value_or("user");
      if (role == "system" || role == "developer") continue;
      w.begin_object().field("role", role == "assistant" ? "assistant" : "user").key("content");
      if (auto c = any_field(m, "content")) write_content(w, *c); else w.value("");
      w.end_object();
    }
    w.end_array();
  }
  int64_t max_tokens = info.max_output_tokens;
  if (max_tokens <= 0) max_tokens = int_field(doc, "max_completion_tokens").value_or(int_field(doc, "max_tokens").value_or(4096));
  w.field("max_tokens", max_tokens);
  if (auto stop = any_field(doc, "stop")) {
    w.key("stop_sequences");
    if (stop->is_string()) w.begin_array().value(stop->get_string().value()).end_array();
    else w.raw(minified(*stop));
  }
  for (const char* k : {"temperature", "top_p"})
    if (auto v = any_field(doc, k); v && v->is_number()) w.key(k).raw(minified(*v));
  if (auto s = any_field(doc, "stream"); s && s->is_bool() && s->get_bool().value()) w.field("stream", true);
  if (auto user = str_field(doc, "user")) w.key("metadata").begin_object().field("user_id", *user).end_object();
  w.end_object();
  return w.take();
}

void collect_block_output(dom::element block, std::string& out) {
  // text / text_delta, thinking / thinking_delta, input_json_delta (a tool call's input, in pieces)
  for (std::string_view key : {"text", "thinking", "partial_json"})
    if (auto t = str_field(block, key)) out += *t;
  if (str_field(block, "type").value_or("") == "tool_use") {
    out += str_field(block, "name").value_or("");
    // A stream's content_block_start carries "input":{}; the input then comes as input_json_delta.
    if (auto input = any_field(block, "input"))
      if (std::string json = minified(*input); json != "{}") out += json;
  }
}

ResponseReading messages_to_chat_response(std::string_view messages_body, const RouteInfo& info) {
  ResponseReading r;
  thread_local dom::parser parser;
  dom::element doc = parse_dom(parser, messages_body);
  std::string text;  // what the chat client receives: the text blocks
  if (auto content = arr_field(doc, "content"))
    for (dom::element block : *content) {
      if (str_field(block, "type").value_or("") == "text") text += str_field(block, "text").value_or("");
      collect_block_output(block, r.text);
    }
  Counts counts;
  if (auto u = obj_field(doc, "usage")) {
    counts.update(*u);
    r.usage = counts.to_usage();
  }
  JsonWriter w;
  w.begin_object().field("id", str_field(doc, "id").value_or("")).field("object", "chat.completion");
  w.field("created", info.created).field("model", str_field(doc, "model").value_or(info.model));
  w.key("choices").begin_array().begin_object().field("index", 0);
  w.key("message").begin_object().field("role", "assistant").field("content", text).key("refusal").null().end_object();
  w.key("logprobs").null().field("finish_reason", finish_reason_of(str_field(doc, "stop_reason").value_or("end_turn")));
  w.end_object().end_array();
  if (r.usage) {
    w.key("usage");
    write_openai_usage(w, *r.usage);
  }
  w.end_object();
  r.body = w.take();
  return r;
}

ResponseReading read_messages_response(std::string body) {
  ResponseReading r;
  thread_local dom::parser parser;
  dom::element doc;
  try {
    doc = parse_dom(parser, body);
  } catch (const simdjson::simdjson_error&) {
    r.json = false;  // broken or cut off: no answer
    r.body = std::move(body);
    return r;
  }
  try {
    if (auto content = arr_field(doc, "content"))
      for (dom::element block : *content) collect_block_output(block, r.text);
    if (auto u = obj_field(doc, "usage")) {
      Counts counts;
      counts.update(*u);
      r.usage = counts.to_usage();
    }
  } catch (const simdjson::simdjson_error&) {
    // JSON of another shape: passed on as it is, with no usage (the gateway estimates).
  }
  r.body = std::move(body);
  return r;
}

}  // namespace kt::providers::anthropic
