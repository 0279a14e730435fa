// rate_limit_defaults, a group's rate_limits and allowed_models, and the default group: the
// issue's shapes load exactly; defaults fill what a group leaves out; globs match as documented.
#include <gtest/gtest.h>

#include "config/gateway_config.hpp"
#include "config/traffic_rules_loader.hpp"

namespace kt::config {
namespace {

const std::string kHead = R"(version: '1'
api: {url: http://localhost:8080}
)";

TEST(RateLimitsConfig, TheIssueShapeLoadsExactly) {
  auto r = load_gateway_config_text(kHead + R"(rate_limit_defaults: {requests_per_minute: 600, tokens_per_minute: 200000, response_headers: true}
consumer_groups:
  - name: research
    api_key: kt_cg_research_ghi789
    wallet_team_id: team_research
    allowed_models: ["gpt-4o-mini", "claude-*"]
    rate_limits: {requests_per_minute: 20, tokens_per_minute: 40000, tokens_per_day: 1000000,
                  max_spend_per_minute: 0.50, max_spend_per_hour: 5.00}
  - name: plain
    api_key: kt_cg_plain_0123456789
    wallet_team_id: team_plain
    rate_limits: {max_spend_per_minute: 0.1}
)", "t.yaml");
  ASSERT_TRUE(r.ok());
  const auto& g = r.config->consumer_groups.at(0);
  EXPECT_EQ(*g.rate_limits.requests_per_minute, 20);
  EXPECT_EQ(*g.rate_limits.tokens_per_minute, 40000);
  EXPECT_EQ(*g.rate_limits.tokens_per_day, 1000000);
  EXPECT_EQ(g.rate_limits.max_spend_per_minute->nanos(), 500'000'000);
  EXPECT_EQ(g.rate_limits.max_spend_per_hour->nanos(), 5'000'000'000);
  EXPECT_TRUE(*g.rate_limits.response_headers);  // from the defaults
  EXPECT_TRUE(g.allows_model("gpt-4o-mini"));
  EXPECT_TRUE(g.allows_model("claude-3-5-sonnet"));
  EXPECT_FALSE(g.allows_model("gpt-4o"));
  const auto& p = r.config->consumer_groups.at(1);
  EXPECT_EQ(*p.rate_limits.requests_per_minute, 600);  // each limit it leaves out is the default's
  EXPECT_EQ(*p.rate_limits.tokens_per_minute, 200000);
  EXPECT_FALSE(p.rate_limits.tokens_per_day);
  EXPECT_EQ(p.rate_limits.max_spend_per_minute->nanos(), 100'000'000);
  EXPECT_TRUE(p.allows_model("anything"));
}

TEST(RateLimitsConfig, BadValuesAreErrorsWithTheirPath) {
  auto r = load_gateway_config_text(kHead + R"(rate_limit_defaults: {requests_per_minut: 5}
consumer_groups:
  - name: research
    api_key: kt_cg_research_ghi789
    wallet_team_id: team_research
    allowed_models: []
    rate_limits: {requests_per_minute: 0, max_spend_per_minute: 0.1.2, max_spend_per_hour: 0}
)", "t.yaml");
  ASSERT_FALSE(r.ok());
  std::string all;
  for (const auto& d : r.diagnostics) all += d.code + " " + d.path + ": " + d.message + " | " + d.suggestion + "\n";
  EXPECT_NE(all.find("E002 rate_limit_defaults.requests_per_minut"), std::string::npos) << all;
  EXPECT_NE(all.find("did you mean 'requests_per_minute'?"), std::string::npos) << all;
  EXPECT_NE(all.find("E004 consumer_groups[0].rate_limits.requests_per_minute"), std::string::npos) << all;
  EXPECT_NE(all.find("E004 consumer_groups[0].rate_limits.max_spend_per_minute"), std::string::npos) << all;
  EXPECT_NE(all.find("E004 consumer_groups[0].rate_limits.max_spend_per_hour"), std::string::npos) << all;
  EXPECT_NE(all.find("E004 consumer_groups[0].allowed_models"), std::string::npos) << all;
}

TEST(RateLimitsConfig, LimitsNeedTheApi) {
  auto r = load_gateway_config_text(R"(version: '1'
consumer_groups:
  - name: research
    api_key: kt_cg_research_ghi789
    wallet_team_id: team_research
    rate_limits: {requests_per_minute: 5}
)", "t.yaml");
  ASSERT_FALSE(r.ok());
  bool said = false;
  for (const auto& d : r.diagnostics) said |= !d.warning && d.code == "E005" && d.path == "api";
  EXPECT_TRUE(said);
}

TEST(DefaultGroup, OnlyTheGroupNamedDefaultMayLeaveOutItsKey) {
  auto r = load_gateway_config_text(kHead + R"(consumer_groups:
  - name: default
    wallet_team_id: team_guests
  - name: guests
    wallet_team_id: team_guests
)", "t.yaml");
  ASSERT_FALSE(r.ok());
  std::vector<std::string> errors;
  for (const auto& d : r.diagnostics)
    if (!d.warning) errors.push_back(d.path);
  EXPECT_EQ(errors, std::vector<std::string>{"consumer_groups[1].api_key"});
  auto ok = load_gateway_config_text(kHead + "consumer_groups: [{name: default, wallet_team_id: team_guests}]\n", "t.yaml");
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok.config->consumer_groups[0].is_default());
}

TEST(GlobMatch, StarAndQuestionMark) {
  EXPECT_TRUE(glob_match("claude-*", "claude-"));
  EXPECT_TRUE(glob_match("claude-*", "claude-3-opus"));
  EXPECT_FALSE(glob_match("claude-*", "claude"));
  EXPECT_TRUE(glob_match("gpt-4o?", "gpt-4oX"));
  EXPECT_FALSE(glob_match("gpt-4o?", "gpt-4o"));
  EXPECT_TRUE(glob_match("*mini*", "gpt-4o-mini-2024"));
  EXPECT_TRUE(glob_match("gpt-4o-mini", "gpt-4o-mini"));
  EXPECT_FALSE(glob_match("gpt-4o-mini", "gpt-4o-mini-2024"));
  EXPECT_TRUE(glob_match("*", ""));
}

}  // namespace
}  // namespace kt::config
