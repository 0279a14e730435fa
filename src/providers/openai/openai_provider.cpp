#include "providers/openai/openai_provider.hpp"

#include <simdjson.h>

namespace kt::providers {

http::ClientRequest OpenAiProvider::chat_request(const ResolvedTarget& t, std::string body, bool stream) const {
  http::ClientRequest r;
  r.method = "POST";
  r.target = t.base.base_path + "/chat/completions";
  r.headers.emplace_back("Content-Type", "application/json");
  r.headers.emplace_back("Accept", stream ? "text/event-stream" : "application/json");
  if (!t.api_key.empty()) r.headers.emplace_back("Authorization", "Bearer " + t.api_key);
  r.body = std::move(body);
  return r;
}

std::optional<Usage> OpenAiProvider::usage_from_json(std::string_view body) const {
  thread_local simdjson::ondemand::parser parser;
  std::string buf;
  buf.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  buf.append(body);
  try {
    auto doc = parser.iterate(simdjson::padded_string_view(buf.data(), buf.size(), buf.capacity()));
    auto usage = doc["usage"];
    if (usage.is_null()) return std::nullopt;
    return parse_openai_usage_object(simdjson::ondemand::object(usage.get_object()).raw_json().value());
  } catch (const simdjson::simdjson_error&) {
    return std::nullopt;
  }
}

std::optional<Usage> parse_openai_usage_object(std::string_view usage_json) {
  thread_local simdjson::ondemand::parser parser;
  std::string buf;
  buf.reserve(usage_json.size() + simdjson::SIMDJSON_PADDING);
  buf.append(usage_json);
  Usage u;
  try {
    auto doc = parser.iterate(simdjson::padded_string_view(buf.data(), buf.size(), buf.capacity()));
    for (auto f : doc.get_object()) {
      std::string_view k = f.unescaped_key().value();
      auto v = f.value();
      if (v.is_null()) continue;
      if (k == "prompt_tokens" || k == "input_tokens") u.prompt_tokens = v.get_int64().value();
      else if (k == "completion_tokens" || k == "output_tokens") u.completion_tokens = v.get_int64().value();
      else if (k == "prompt_tokens_details" || k == "input_tokens_details") {
        for (auto d : v.get_object())
          if (d.unescaped_key().value() == "cached_tokens") { auto c = d.value(); if (!c.is_null()) u.cached_tokens = c.get_int64().value(); }
      } else if (k == "completion_tokens_details" || k == "output_tokens_details") {
        for (auto d : v.get_object())
          if (d.unescaped_key().value() == "reasoning_tokens") { auto c = d.value(); if (!c.is_null()) u.reasoning_tokens = c.get_int64().value(); }
      }
    }
  } catch (const simdjson::simdjson_error&) {
    return std::nullopt;
  }
  if (u.prompt_tokens < 0 || u.completion_tokens < 0 || u.cached_tokens < 0 || u.cached_tokens > u.prompt_tokens)
    return std::nullopt;
  return u;
}

}  // namespace kt::providers
