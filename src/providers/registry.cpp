// One line per provider: adding one touches its folder and this list.
#include <stdexcept>

#include "providers/anthropic/anthropic_provider.hpp"
#include "providers/azure_openai/azure_openai_provider.hpp"
#include "providers/openai/openai_provider.hpp"

namespace kt::providers {

std::shared_ptr<const Provider> make_provider(const std::string& name) {
  if (name == "openai") return std::make_shared<OpenAiProvider>();
  if (name == "anthropic") return std::make_shared<AnthropicProvider>();
  if (name == "azure_openai") return std::make_shared<AzureOpenAiProvider>();
  throw std::invalid_argument("unknown provider '" + name + "'");
}

}  // namespace kt::providers
