#include "providers/openai/openai_provider.hpp"

#include <simdjson.h>

#include "providers/json_dom.hpp"
#include "providers/openai/openai_streams.hpp"

namespace kt::providers {
namespace {

// The billable output of a whole answer: chat message content, tool calls and reasoning,
// completion text, or a Responses API answer's text, function calls and reasoning.
void collect_text(dom::element doc, Route route, std::string& out) {
  if (route == Route::responses) {
    if (auto output = arr_field(doc, "output"))
      for (dom::element item : *output) {
        // function_call items: name and arguments; message and reasoning items: their text parts.
        for (std::string_view key : {"name", "arguments"})
          if (auto t = str_field(item, key)) out += *t;
        for (std::string_view list : {"content", "summary"})
          if (auto parts = arr_field(item, list))
            for (dom::element part : *parts)
              if (auto t = str_field(part, "text")) out += *t;
      }
    return;
  }
  if (auto choices = arr_field(doc, "choices"))
    for (dom::element c : *choices) {
      if (auto t = str_field(c, "text")) out += *t;
      if (auto m = obj_field(c, "message")) collect_chat_output(*m, out);
    }
}

}  // namespace

std::string_view openai_route_suffix(Route r) { return route_path(r).substr(3); }

http::ClientRequest OpenAiProvider::build_request(const ResolvedTarget& t, const RouteInfo& info, std::string body) const {
  http::ClientRequest r;
  r.method = "POST";
  r.target = t.base.base_path + std::string(openai_route_suffix(info.route));
  r.headers.emplace_back("Content-Type", "application/json");
  r.headers.emplace_back("Accept", info.stream ? "text/event-stream" : "application/json");
  if (!t.api_key.empty()) r.headers.emplace_back("Authorization", "Bearer " + t.api_key);
  r.body = std::move(body);
  return r;
}

ResponseReading OpenAiProvider::read_response(const RouteInfo& info, std::string body) const {
  ResponseReading out;
  thread_local dom::parser parser;
  dom::element doc;
  try {
    doc = parse_dom(parser, body);
  } catch (const simdjson::simdjson_error&) {
    out.json = false;  // broken or cut off: no answer (the gateway answers 502)
  }
  try {
    if (out.json) {
      if (auto usage = obj_field(doc, "usage")) out.usage = openai_usage_of(*usage);
      collect_text(doc, info.route, out.text);
    }
  } catch (const simdjson::simdjson_error&) {
    // JSON of another shape: passed on as it is, with no usage (the gateway estimates).
  }
  out.body = std::move(body);
  return out;
}

std::unique_ptr<StreamTranslator> OpenAiProvider::stream_translator(const RouteInfo& info) const {
  if (info.route == Route::responses) return std::make_unique<ResponsesStream>();
  return std::make_unique<ChunkStream>(info.client_wants_usage);
}

std::optional<Usage> openai_usage_of(dom::element usage) {
  // Read from the answer's own DOM: no re-serialised copy, no second parse. A value of the wrong
  // type anywhere means no usage (the gateway bills its estimate), as before.
  Usage u;
  auto count = [](dom::element v) {
    int64_t n = 0;
    if (v.get_int64().get(n) != simdjson::SUCCESS) throw simdjson::simdjson_error(simdjson::INCORRECT_TYPE);
    return n;
  };
  auto detail = [&](dom::element v, std::string_view want, int64_t& into) {
    dom::object o;
    if (v.get_object().get(o) != simdjson::SUCCESS) throw simdjson::simdjson_error(simdjson::INCORRECT_TYPE);
    for (auto [k, c] : o)
      if (k == want && !c.is_null()) into = count(c);
  };
  try {
    dom::object fields;
    if (usage.get_object().get(fields) != simdjson::SUCCESS) return std::nullopt;
    for (auto [k, v] : fields) {
      if (v.is_null()) continue;
      if (k == "prompt_tokens" || k == "input_tokens") u.prompt_tokens = count(v);
      else if (k == "completion_tokens" || k == "output_tokens") u.completion_tokens = count(v);
      else if (k == "prompt_tokens_details" || k == "input_tokens_details") detail(v, "cached_tokens", u.cached_tokens);
      else if (k == "completion_tokens_details" || k == "output_tokens_details")
        detail(v, "reasoning_tokens", u.reasoning_tokens);
    }
  } catch (const simdjson::simdjson_error&) {
    return std::nullopt;
  }
  if (!billable_usage(u)) return std::nullopt;
  return u;
}

std::optional<Usage> parse_openai_usage_object(std::string_view usage_json) {
  thread_local dom::parser parser;
  try {
    return openai_usage_of(parse_dom(parser, usage_json));
  } catch (const simdjson::simdjson_error&) {
    return std::nullopt;
  }
}

}  // namespace kt::providers
