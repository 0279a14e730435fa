#pragma once
#include "providers/provider.hpp"

namespace kt::providers {

// OpenAI and every OpenAI-compatible server (vLLM, Ollama, llama.cpp) reached through base_url.
class OpenAiProvider final : public Provider {
 public:
  const std::string& name() const override { return name_; }
  http::ClientRequest chat_request(const ResolvedTarget& t, std::string body, bool stream) const override;
  std::optional<Usage> usage_from_json(std::string_view body) const override;

 private:
  std::string name_ = "openai";
};

}  // namespace kt::providers
