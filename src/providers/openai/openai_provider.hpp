#pragma once
#include "providers/json_dom.hpp"
#include "providers/provider.hpp"

namespace kt::providers {

// OpenAI and every OpenAI-compatible server (vLLM, Ollama, llama.cpp) reached through base_url.
// Bodies pass through unchanged both ways; only usage and text are read.
class OpenAiProvider : public Provider {
 public:
  const std::string& name() const override { return name_; }
  std::string default_base_url() const override { return "https://api.openai.com/v1"; }
  bool supports(Route r) const override { return r != Route::messages; }
  http::ClientRequest build_request(const ResolvedTarget& t, const RouteInfo& info, std::string body) const override;
  ResponseReading read_response(const RouteInfo& info, std::string body) const override;
  std::unique_ptr<StreamTranslator> stream_translator(const RouteInfo& info) const override;

 protected:
  explicit OpenAiProvider(std::string name) : name_(std::move(name)) {}

 public:
  OpenAiProvider() : name_("openai") {}

 private:
  std::string name_;
};

// "/chat/completions", "/completions", ... : the path under the base URL for a route.
std::string_view openai_route_suffix(Route r);

// parse_openai_usage_object's rule, read from an already parsed "usage" object.
std::optional<Usage> openai_usage_of(dom::element usage);

}  // namespace kt::providers
