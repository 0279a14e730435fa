// One line per provider: adding one touches its folder and this list.
#include <stdexcept>

#include "providers/openai/openai_provider.hpp"

namespace kt::providers {

std::shared_ptr<const Provider> make_provider(const std::string& name) {
  if (name == "openai") return std::make_shared<OpenAiProvider>();
  throw std::invalid_argument("unknown provider '" + name + "'");
}

}  // namespace kt::providers
