#pragma once
// A provider translates between what a client sent the gateway (one of the priced routes) and one
// upstream API, and reads token usage from its answers. Providers decide and translate; they never
// move money: every route they serve is priced, reserved and settled by the same pipeline phases.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "config/gateway_config.hpp"
#include "http/client.hpp"
#include "http/sse.hpp"

namespace kt::providers {

// The priced routes. Anything else is a 404 at the gateway and never reaches a provider.
enum class Route { chat, completions, embeddings, responses, messages };

// "/v1/chat/completions" (or without the "/v1" prefix) -> Route; nullopt for any other path.
std::optional<Route> route_of_path(std::string_view path);
// The canonical client path of a route ("/v1/chat/completions").
std::string_view route_path(Route r);

struct Usage {
  int64_t prompt_tokens = 0;          // all input tokens, cached and cache-written ones included
  int64_t completion_tokens = 0;      // all output tokens, reasoning ones included
  int64_t cached_tokens = 0;          // part of prompt_tokens read from the provider's cache
  int64_t reasoning_tokens = 0;       // part of completion_tokens (never added again)
  int64_t cache_creation_tokens = 0;  // part of prompt_tokens written to the cache (Anthropic)
  int64_t total() const { return prompt_tokens + completion_tokens; }
};

// An upstream target resolved once at start: where to send, with which key.
struct ResolvedTarget {
  config::Target config;
  http::Url base;       // e.g. https://api.openai.com/v1
  std::string api_key;  // from the env var named by secret_key_ref (may be empty)
};

// What a provider needs to know about the client's request besides its body.
struct RouteInfo {
  Route route = Route::chat;
  std::string model;
  bool stream = false;
  bool client_wants_usage = false;  // chat streams: stream_options.include_usage from the client
  int64_t max_output_tokens = 0;    // the client's max_tokens, else the model's cap (Anthropic needs one)
  int64_t created = 0;              // unix seconds for translated answers' "created"
};

// A whole (non-streamed) 2xx answer as the client receives it, and what the gateway reads from it.
struct ResponseReading {
  std::string body;            // translated when the client's API differs from the upstream's
  std::optional<Usage> usage;  // nullopt: the answer carries no usage
  std::string text;            // the output to count when usage is missing (text, tool calls, reasoning)
  bool json = true;            // false: the body is not valid JSON (broken or cut off): no answer
};

// One per streamed answer: each upstream SSE event in, zero or more client SSE events out.
class StreamTranslator {
 public:
  virtual ~StreamTranslator() = default;
  // Appends to `out` the bytes the client receives for this upstream event.
  virtual void on_event(const http::SseEvent& ev, std::string& out) = 0;
  // The final usage once the upstream reported it completely; nullopt before that.
  const std::optional<Usage>& usage() const { return usage_; }
  // The output seen so far, as kt counts it when the usage never comes: the generated text, and
  // also tool-call names and arguments and reasoning text, which the provider bills as output too.
  const std::string& text() const { return text_; }

 protected:
  std::optional<Usage> usage_;
  std::string text_;
};

class Provider {
 public:
  virtual ~Provider() = default;
  virtual const std::string& name() const = 0;
  // The base URL when the target names none.
  virtual std::string default_base_url() const = 0;
  virtual bool supports(Route r) const = 0;
  // The upstream request for the client's body (forwarded unchanged when no translation is needed).
  virtual http::ClientRequest build_request(const ResolvedTarget& t, const RouteInfo& info, std::string body) const = 0;
  // Reads a whole 2xx answer: usage, text, and the body translated back when needed.
  virtual ResponseReading read_response(const RouteInfo& info, std::string body) const = 0;
  virtual std::unique_ptr<StreamTranslator> stream_translator(const RouteInfo& info) const = 0;
};

// Registry: one line per provider. Throws std::invalid_argument for an unknown name.
std::shared_ptr<const Provider> make_provider(const std::string& name);

// A usage as an upstream reported it is believed only when it can be billed: no count negative,
// the cached and cache-written parts within the prompt, a total that fits in int64. Otherwise the
// answer counts as one without usage (the gateway bills its own estimate).
bool billable_usage(const Usage& u);

// Usage fields of an OpenAI-shaped "usage" object (JSON text of the object): chat/completions
// (prompt_tokens, completion_tokens, *_details) and responses (input_tokens, output_tokens, *_details).
std::optional<Usage> parse_openai_usage_object(std::string_view usage_json);

}  // namespace kt::providers
