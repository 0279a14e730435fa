#include "providers/anthropic/anthropic_provider.hpp"

#include "core/json_duplicate_keys.hpp"
#include "providers/anthropic/anthropic_streams.hpp"

namespace kt::providers {

http::ClientRequest AnthropicProvider::build_request(const ResolvedTarget& t, const RouteInfo& info, std::string body) const {
  http::ClientRequest r;
  r.method = "POST";
  r.target = t.base.base_path + "/messages";
  r.headers.emplace_back("Content-Type", "application/json");
  r.headers.emplace_back("Accept", info.stream ? "text/event-stream" : "application/json");
  r.headers.emplace_back("anthropic-version", kAnthropicVersion);
  if (!t.api_key.empty()) r.headers.emplace_back("x-api-key", t.api_key);
  // The gateway parsed the body before reserving, so a throw here cannot happen for valid JSON.
  r.body = info.route == Route::chat ? anthropic::chat_to_messages_request(body, info) : std::move(body);
  return r;
}

ResponseReading AnthropicProvider::read_response(const RouteInfo& info, std::string body) const {
  if (info.route != Route::chat) return anthropic::read_messages_response(std::move(body));
  try {
    return anthropic::messages_to_chat_response(body, info);
  } catch (const simdjson::simdjson_error&) {
    ResponseReading r;  // not a Messages answer: passed on as it is, unpriced by usage (estimated)
    r.json = is_json(body);  // broken or cut off: no answer
    r.body = std::move(body);
    return r;
  }
}

std::unique_ptr<StreamTranslator> AnthropicProvider::stream_translator(const RouteInfo& info) const {
  if (info.route == Route::chat) return std::make_unique<anthropic::ChatFromMessagesStream>(info);
  return std::make_unique<anthropic::MessagesStream>();
}

}  // namespace kt::providers
