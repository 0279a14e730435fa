// Targets for Anthropic and Azure OpenAI: the Azure fields, and where they are refused.
#include <gtest/gtest.h>

#include "config/gateway_config.hpp"

namespace kt::config {
namespace {

LoadResult load(const std::string& targets) {
  return load_gateway_config_text("version: '1'\nproviders:\n  targets:\n" + targets, "test.yaml");
}

bool has(const LoadResult& r, const std::string& code, const std::string& path) {
  for (const auto& d : r.diagnostics)
    if (d.code == code && d.path == path) return true;
  return false;
}

TEST(ProviderTargets, AzureDeploymentsAndApiVersion) {
  auto r = load(R"(    - id: az
      provider: azure_openai
      base_url: https://res.openai.azure.com
      api_version: '2024-06-01'
      deployment: default-dep
      deployments:
        gpt-4o: gpt4o-prod
      secret_key_ref:
        env: AZURE_OPENAI_API_KEY
)");
  ASSERT_TRUE(r.ok());
  const Target& t = r.config->targets.at(0);
  EXPECT_EQ(t.deployment, "default-dep");
  EXPECT_EQ(t.deployments.at("gpt-4o"), "gpt4o-prod");
  EXPECT_EQ(t.api_version, "2024-06-01");
  EXPECT_TRUE(r.diagnostics.empty());
}

TEST(ProviderTargets, AzureNeedsItsResourceUrlAndWarnsWithoutDeployment) {
  auto r = load(R"(    - id: az
      provider: azure_openai
      secret_key_ref:
        env: AZURE_OPENAI_API_KEY
)");
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(has(r, "E005", "providers.targets[0].base_url"));
  EXPECT_TRUE(has(r, "W006", "providers.targets[0]"));
}

TEST(ProviderTargets, AzureFieldsOnOtherProvidersAreErrors) {
  auto r = load(R"(    - id: claude
      provider: anthropic
      deployment: x
      secret_key_ref:
        env: ANTHROPIC_API_KEY
)");
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(has(r, "E004", "providers.targets[0].deployment"));
}

TEST(ProviderTargets, AnthropicNeedsNoBaseUrl) {
  auto r = load(R"(    - id: claude
      provider: anthropic
      secret_key_ref:
        env: ANTHROPIC_API_KEY
)");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.config->targets.at(0).base_url);
}

}  // namespace
}  // namespace kt::config
