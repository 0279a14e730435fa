// mode: shadow on policies, rate_limits and budget alerts; content_filter's custom patterns: the
// shapes load, and a bad mode or a bad pattern is an error that names it.
#include <gtest/gtest.h>

#include "config/gateway_config.hpp"

namespace kt::config {
namespace {

std::string all_diagnostics(const LoadResult& r) {
  std::string all;
  for (const auto& d : r.diagnostics) all += d.code + " " + d.path + ": " + d.message + "\n";
  return all;
}

const std::string kHead = R"(version: '1'
api: {url: http://localhost:8080}
)";

TEST(PolicyModes, ShadowLoadsEverywhereAndEnforceIsTheDefault) {
  auto r = load_gateway_config_text(kHead + R"(rate_limit_defaults: {requests_per_minute: 600, mode: shadow}
consumer_groups:
  - name: research
    api_key: kt_cg_research_ghi789
    wallet_team_id: team_research
    rate_limits: {requests_per_minute: 20}
  - name: strict
    api_key: kt_cg_strict_0123456789
    wallet_team_id: team_strict
    rate_limits: {requests_per_minute: 20, mode: enforce}
cost_tracking:
  enabled: true
  budget_alerts:
    - {threshold_percent: 80, action: block, mode: shadow}
    - {threshold_percent: 100, action: block}
policies:
  - name: watch
    type: content_filter
    action: block
    mode: shadow
    config: {categories: [hate]}
  - name: enforce
    type: content_filter
    action: block
    config: {categories: [violence]}
)", "t.yaml");
  ASSERT_TRUE(r.ok()) << all_diagnostics(r);
  const auto& cfg = *r.config;
  EXPECT_TRUE(cfg.consumer_groups.at(0).rate_limits.shadow());  // from the defaults
  EXPECT_FALSE(cfg.consumer_groups.at(1).rate_limits.shadow());
  EXPECT_EQ(cfg.cost_tracking.budget_alerts.at(0).mode, "shadow");
  EXPECT_EQ(cfg.cost_tracking.budget_alerts.at(1).mode, "enforce");
  EXPECT_TRUE(cfg.policies.at(0).shadow());
  EXPECT_FALSE(cfg.policies.at(1).shadow());
}

TEST(PolicyModes, AnUnknownModeIsAnError) {
  auto r = load_gateway_config_text(kHead + R"(policies:
  - name: watch
    type: content_filter
    mode: shadw
    config: {categories: [hate]}
)", "t.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(all_diagnostics(r).find("policies[0].mode"), std::string::npos) << all_diagnostics(r);
}

TEST(ContentPatternsConfig, PatternsLoadWithoutCategories) {
  auto r = load_gateway_config_text(kHead + R"(policies:
  - name: pii
    type: content_filter
    action: redact
    config:
      threshold: low
      patterns:
        - {name: ssn, regex: '\b\d{3}-\d{2}-\d{4}\b'}
)", "t.yaml");
  ASSERT_TRUE(r.ok()) << all_diagnostics(r);
  const auto& p = r.config->policies.at(0);
  ASSERT_EQ(p.patterns.size(), 1u);
  EXPECT_EQ(p.patterns[0].name, "ssn");
  EXPECT_EQ(p.patterns[0].regex, R"(\b\d{3}-\d{2}-\d{4}\b)");
  EXPECT_TRUE(p.categories.empty());
}

TEST(ContentPatternsConfig, ABadPatternIsAnErrorNamingIt) {
  auto r = load_gateway_config_text(kHead + R"(policies:
  - name: pii
    type: content_filter
    config:
      categories: [hate]
      patterns:
        - {name: broken, regex: '(unclosed'}
        - {name: empty, regex: 'x*'}
        - {name: hate, regex: 'x'}
)", "t.yaml");
  ASSERT_FALSE(r.ok());
  std::string all = all_diagnostics(r);
  EXPECT_NE(all.find("policies[0].config.patterns[0].regex: content pattern 'broken' does not compile"), std::string::npos) << all;
  EXPECT_NE(all.find("content pattern 'empty' matches the empty string"), std::string::npos) << all;
  EXPECT_NE(all.find("'hate' is a category's name"), std::string::npos) << all;
}

TEST(ContentPatternsConfig, NoCategoriesAndNoPatternsIsAnError) {
  auto r = load_gateway_config_text(kHead + R"(policies:
  - name: nothing
    type: content_filter
    config: {threshold: low}
)", "t.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(all_diagnostics(r).find("categories"), std::string::npos) << all_diagnostics(r);
}

}  // namespace
}  // namespace kt::config
