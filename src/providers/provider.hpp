#pragma once
// A provider translates between the gateway's OpenAI-shaped requests and one upstream API, and
// reads token usage from its answers. Providers decide and translate; they never move money.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "config/gateway_config.hpp"
#include "http/client.hpp"

namespace kt::providers {

struct Usage {
  int64_t prompt_tokens = 0;      // all input tokens, cached ones included
  int64_t completion_tokens = 0;  // all output tokens, reasoning ones included
  int64_t cached_tokens = 0;      // part of prompt_tokens read from the provider's cache
  int64_t reasoning_tokens = 0;   // part of completion_tokens
  int64_t total() const { return prompt_tokens + completion_tokens; }
};

// An upstream target resolved once at start: where to send, with which key.
struct ResolvedTarget {
  config::Target config;
  http::Url base;       // e.g. https://api.openai.com/v1
  std::string api_key;  // from the env var named by secret_key_ref (may be empty)
};

class Provider {
 public:
  virtual ~Provider() = default;
  virtual const std::string& name() const = 0;
  // The upstream request for an OpenAI-style chat completion body (already rewritten if needed).
  virtual http::ClientRequest chat_request(const ResolvedTarget& t, std::string body, bool stream) const = 0;
  // Usage from a whole JSON response body; nullopt when it has none.
  virtual std::optional<Usage> usage_from_json(std::string_view body) const = 0;
};

// Registry: one line per provider. Throws std::invalid_argument for an unknown name.
std::shared_ptr<const Provider> make_provider(const std::string& name);

// Usage fields of an OpenAI-shaped "usage" object (JSON text of the object).
std::optional<Usage> parse_openai_usage_object(std::string_view usage_json);

}  // namespace kt::providers
