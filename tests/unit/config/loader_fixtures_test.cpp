// The tutorial's policy-config.yaml and the bad variants under tests/fixtures/config/.
#include <gtest/gtest.h>

#include <algorithm>

#include "config/gateway_config.hpp"
#include "fixture_path.hpp"

namespace kt::config {
namespace {

std::vector<Diagnostic> errors_of(const LoadResult& r) {
  std::vector<Diagnostic> out;
  std::copy_if(r.diagnostics.begin(), r.diagnostics.end(), std::back_inserter(out),
               [](const Diagnostic& d) { return !d.warning; });
  return out;
}

TEST(TutorialConfig, LoadsEveryField) {
  LoadResult r = load_gateway_config_file(config_fixture("tutorial.yaml"));
  ASSERT_TRUE(r.ok()) << (r.diagnostics.empty() ? "" : r.diagnostics[0].message);
  EXPECT_TRUE(r.diagnostics.empty());
  const GatewayConfig& c = *r.config;
  EXPECT_EQ(c.version, "1");
  EXPECT_EQ(c.source_path, config_fixture("tutorial.yaml"));

  ASSERT_EQ(c.targets.size(), 1u);
  EXPECT_EQ(c.targets[0].id, "openai");
  EXPECT_EQ(c.targets[0].provider, "openai");
  EXPECT_EQ(c.targets[0].secret_key_ref.env, "OPENAI_API_KEY");
  EXPECT_FALSE(c.targets[0].base_url.has_value());
  EXPECT_EQ(c.targets[0].timeout_ms, 120000);

  ASSERT_EQ(c.consumer_groups.size(), 2u);
  EXPECT_EQ(c.consumer_groups[0].name, "engineering");
  EXPECT_EQ(c.consumer_groups[0].api_key, "kt_cg_engineering_abc123");
  EXPECT_EQ(c.consumer_groups[0].wallet_team_id, "team_engineering");
  EXPECT_EQ(c.consumer_groups[1].name, "marketing");
  EXPECT_EQ(c.consumer_groups[1].api_key, "kt_cg_marketing_def456");
  EXPECT_EQ(c.consumer_groups[1].wallet_team_id, "team_marketing");

  EXPECT_TRUE(c.cost_tracking.enabled);
  EXPECT_TRUE(c.cost_tracking.wallet_enforcement);
  EXPECT_EQ(c.cost_tracking.unknown_model, "reject");
  EXPECT_FALSE(c.cost_tracking.alert_webhook_url.has_value());
  ASSERT_EQ(c.cost_tracking.budget_alerts.size(), 4u);
  const int percents[] = {50, 80, 95, 100};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(c.cost_tracking.budget_alerts[i].threshold_percent, percents[i]);
    EXPECT_EQ(c.cost_tracking.budget_alerts[i].action, i == 3 ? "block" : "notify");
  }

  ASSERT_TRUE(c.api.has_value());
  EXPECT_EQ(c.api->url, "http://localhost:8080");
  EXPECT_EQ(c.api->token_env, "KEEPTRUSTS_API_TOKEN");

  ASSERT_EQ(c.policies.size(), 1u);
  EXPECT_EQ(c.policies[0].name, "content-filter");
  EXPECT_EQ(c.policies[0].type, "content_filter");
  EXPECT_EQ(c.policies[0].action, "flag");
  EXPECT_EQ(c.policies[0].categories, std::vector<std::string>{"hate"});
  EXPECT_EQ(c.policies[0].threshold, "medium");
}

TEST(BadFixtures, TypoKeyHasLineColumnAndSuggestion) {
  LoadResult r = load_gateway_config_file(config_fixture("typo_key.yaml"));
  EXPECT_FALSE(r.ok());
  auto errs = errors_of(r);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].code, "E002");
  EXPECT_EQ(errs[0].path, "cost_tracking.wallet_enforcment");
  EXPECT_EQ(errs[0].line, 17);
  EXPECT_EQ(errs[0].column, 3);
  EXPECT_EQ(errs[0].message, "unknown key 'wallet_enforcment' in cost_tracking");
  EXPECT_EQ(errs[0].suggestion, "did you mean 'wallet_enforcement'?");
  EXPECT_EQ(format_diagnostic(errs[0], "policy-config.yaml"),
            "error[E002]: unknown key 'wallet_enforcment' in cost_tracking\n"
            "  --> policy-config.yaml:17:3\n"
            "  help: did you mean 'wallet_enforcement'?");
}

TEST(BadFixtures, BadBudgetAlertAction) {
  LoadResult r = load_gateway_config_file(config_fixture("bad_action.yaml"));
  EXPECT_FALSE(r.ok());
  auto errs = errors_of(r);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].code, "E004");
  EXPECT_EQ(errs[0].path, "cost_tracking.budget_alerts[1].action");
  EXPECT_EQ(errs[0].line, 22);
  EXPECT_EQ(errs[0].column, 15);
  EXPECT_NE(errs[0].message.find("'notfy'"), std::string::npos);
  EXPECT_EQ(errs[0].suggestion, "did you mean 'notify'?");
}

TEST(BadFixtures, UnknownPolicyType) {
  LoadResult r = load_gateway_config_file(config_fixture("unknown_policy_type.yaml"));
  EXPECT_FALSE(r.ok());
  auto errs = errors_of(r);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].code, "E001");
  EXPECT_EQ(errs[0].path, "policies[0].type");
  EXPECT_EQ(errs[0].line, 32);
  EXPECT_EQ(errs[0].column, 11);
  EXPECT_EQ(errs[0].message, "unknown policy type 'content_filtr'");
  EXPECT_EQ(errs[0].suggestion, "did you mean 'content_filter'?");
}

TEST(BadFixtures, MissingApiKeyPointsAtTheGroup) {
  LoadResult r = load_gateway_config_file(config_fixture("missing_api_key.yaml"));
  EXPECT_FALSE(r.ok());
  auto errs = errors_of(r);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].code, "E005");
  EXPECT_EQ(errs[0].path, "consumer_groups[1].api_key");
  EXPECT_EQ(errs[0].line, 12);  // "  - name: marketing"
  EXPECT_EQ(errs[0].column, 5);
  EXPECT_NE(errs[0].message.find("'api_key'"), std::string::npos);
}

TEST(BadFixtures, YamlSyntaxError) {
  LoadResult r = load_gateway_config_file(config_fixture("syntax_error.yaml"));
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(r.diagnostics.size(), 1u);
  const Diagnostic& d = r.diagnostics[0];
  EXPECT_EQ(d.code, "E000");
  EXPECT_FALSE(d.warning);
  EXPECT_GE(d.line, 17);  // the unterminated flow list opens on line 17; the parser notices later
  EXPECT_GT(d.column, 0);
  EXPECT_NE(d.message.find("invalid YAML"), std::string::npos);
}

TEST(BadFixtures, MissingFile) {
  LoadResult r = load_gateway_config_file(config_fixture("does-not-exist.yaml"));
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].code, "E000");
  EXPECT_EQ(format_diagnostic(r.diagnostics[0], "x.yaml").find("error[E000]: cannot read"), 0u);
}

}  // namespace
}  // namespace kt::config
