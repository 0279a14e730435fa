#pragma once
#include "providers/provider.hpp"

namespace kt::providers {

// Anthropic's Messages API: native /v1/messages passes through; /v1/chat/completions is
// translated to Messages and back (streams included). Key in `x-api-key`, plus anthropic-version.
class AnthropicProvider final : public Provider {
 public:
  const std::string& name() const override { return name_; }
  std::string default_base_url() const override { return "https://api.anthropic.com/v1"; }
  bool supports(Route r) const override { return r == Route::chat || r == Route::messages; }
  http::ClientRequest build_request(const ResolvedTarget& t, const RouteInfo& info, std::string body) const override;
  ResponseReading read_response(const RouteInfo& info, std::string body) const override;
  std::unique_ptr<StreamTranslator> stream_translator(const RouteInfo& info) const override;

 private:
  std::string name_ = "anthropic";
};

inline constexpr const char* kAnthropicVersion = "2023-06-01";

}  // namespace kt::providers
