// Empty names and ids are lint errors; model_aliases map dated names to priced models, one hop.
#include <gtest/gtest.h>

#include <string>

#include "config/gateway_config.hpp"

namespace kt::config {
namespace {

const std::string kTarget = R"(version: '1'
providers:
  targets:
    - id: openai
      provider: openai
      secret_key_ref:
        env: OPENAI_API_KEY
)";

LoadResult load(const std::string& yaml) { return load_gateway_config_text(yaml, "test.yaml"); }

bool has_error(const LoadResult& r, const std::string& path, const std::string& text) {
  for (const Diagnostic& d : r.diagnostics)
    if (!d.warning && d.code == "E004" && d.path == path && d.message.find(text) != std::string::npos) return true;
  return false;
}

std::string dump(const LoadResult& r) {
  std::string s;
  for (const Diagnostic& d : r.diagnostics) s += format_diagnostic(d, "test.yaml") + "\n";
  return s;
}

TEST(ConfigNames, EmptyWalletTeamIdIsAnError) {
  LoadResult r = load(kTarget + R"(consumer_groups:
  - name: engineering
    api_key: kt_cg_engineering_abc123
    wallet_team_id: ""
  - name: marketing
    api_key: kt_cg_marketing_xyz7890
    wallet_team_id: "   "
)");
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(has_error(r, "consumer_groups[0].wallet_team_id", "must not be empty")) << dump(r);
  EXPECT_TRUE(has_error(r, "consumer_groups[1].wallet_team_id", "must not be empty")) << dump(r);
}

TEST(ConfigNames, EmptyGroupNameKeyTargetIdAndPolicyNameAreErrors) {
  LoadResult r = load(R"(version: '1'
providers:
  targets:
    - id: ""
      provider: openai
      secret_key_ref:
        env: ""
consumer_groups:
  - name: ""
    api_key: ""
    wallet_team_id: team_a
policies:
  - name: ""
    type: content_filter
    config:
      categories: [hate]
)");
  EXPECT_FALSE(r.ok());
  for (const char* path : {"providers.targets[0].id", "providers.targets[0].secret_key_ref.env", "consumer_groups[0].name",
                           "consumer_groups[0].api_key", "policies[0].name"})
    EXPECT_TRUE(has_error(r, path, "must not be empty")) << path << "\n" << dump(r);
  // The key is never echoed, even empty.
  for (const Diagnostic& d : r.diagnostics) EXPECT_EQ(d.message.find("api_key is already"), std::string::npos);
}

TEST(ModelAliases, DefaultIsNoneAndUnknownModelsAreRejected) {
  LoadResult r = load(kTarget);
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_TRUE(r.config->model_aliases.empty());
  EXPECT_EQ(r.config->cost_tracking.unknown_model, "reject");
  LoadResult allow = load(kTarget + "cost_tracking:\n  unknown_model: allow\n");
  ASSERT_TRUE(allow.ok()) << dump(allow);
  EXPECT_EQ(allow.config->cost_tracking.unknown_model, "allow");
}

TEST(ModelAliases, DatedNamesMapToPricedModels) {
  LoadResult r = load(kTarget + R"(model_aliases:
  gpt-4o-mini-2024-07-18: gpt-4o-mini
  gpt-4o-2024-08-06: gpt-4o
)");
  ASSERT_TRUE(r.ok()) << dump(r);
  ASSERT_EQ(r.config->model_aliases.size(), 2u);
  EXPECT_EQ(r.config->model_aliases.at("gpt-4o-mini-2024-07-18"), "gpt-4o-mini");
  EXPECT_EQ(r.config->model_aliases.at("gpt-4o-2024-08-06"), "gpt-4o");
}

TEST(ModelAliases, SelfChainsEmptyAndWrongShapesAreErrors) {
  LoadResult r = load(kTarget + R"(model_aliases:
  gpt-4o-mini: gpt-4o-mini
  a-2024: b-2024
  b-2024: gpt-4o
  empty-target: ""
)");
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(has_error(r, "model_aliases.gpt-4o-mini", "alias of itself")) << dump(r);
  EXPECT_TRUE(has_error(r, "model_aliases.a-2024", "itself an alias")) << dump(r);
  EXPECT_TRUE(has_error(r, "model_aliases.empty-target", "must not be empty")) << dump(r);
  LoadResult list = load(kTarget + "model_aliases: [gpt-4o-mini]\n");
  EXPECT_FALSE(list.ok());
}

TEST(ConfigNames, PricedMaxOutputTokensStaysBelow2To31) {
  auto priced = [](const std::string& max) {
    return load(kTarget + "model_pricing:\n  - model: m\n    provider: openai\n    input_per_1k: 0.001\n"
                          "    output_per_1k: 0.002\n    max_output_tokens: " + max + "\n");
  };
  EXPECT_TRUE(priced("2147483647").ok());
  LoadResult r = priced("2147483648");
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(has_error(r, "model_pricing[0].max_output_tokens", "below 2^31")) << dump(r);
}

}  // namespace
}  // namespace kt::config
