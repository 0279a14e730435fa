#pragma once
#include "providers/openai/openai_provider.hpp"

namespace kt::providers {

// Azure OpenAI: OpenAI's bodies at a deployment URL,
//   {base_url}/openai/deployments/{deployment}/chat/completions?api-version=...
// with the key in an `api-key` header. The deployment is the target's `deployment`, else the
// `deployments` entry for the model, else the model name itself.
class AzureOpenAiProvider final : public OpenAiProvider {
 public:
  AzureOpenAiProvider() : OpenAiProvider("azure_openai") {}
  // Azure has no shared host: the target's base_url (https://{resource}.openai.azure.com) is required.
  std::string default_base_url() const override { return ""; }
  bool supports(Route r) const override {
    return r == Route::chat || r == Route::completions || r == Route::embeddings;
  }
  http::ClientRequest build_request(const ResolvedTarget& t, const RouteInfo& info, std::string body) const override;
};

// The deployment a model is served by on an Azure target.
std::string azure_deployment_for(const config::Target& t, const std::string& model);

}  // namespace kt::providers
