// Text and JSON lint reports; the JSON is parsed back with Boost.JSON.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <boost/json/src.hpp>  // unit_config links only kt_config: compile Boost.JSON here

#include "config/gateway_config.hpp"
#include "config/lint_report.hpp"
#include "fixture_path.hpp"

namespace kt::config {
namespace {

TEST(LintText, SuccessSummarisesTheTutorialConfig) {
  LoadResult r = load_gateway_config_file(config_fixture("tutorial.yaml"));
  EXPECT_EQ(render_lint_text(r, "policy-config.yaml"),
            "OK policy-config.yaml is valid: 1 target, 2 consumer groups, 4 budget alerts, 1 policy\n");
}

TEST(LintText, SuccessListsWarnings) {
  LoadResult r = load_gateway_config_text(R"(version: '1'
consumer_groups:
  - name: a
    api_key: k
    wallet_team_id: t
)", "w.yaml");
  ASSERT_TRUE(r.ok());
  std::string text = render_lint_text(r, "w.yaml");
  EXPECT_EQ(text.rfind("OK w.yaml is valid: 0 targets, 1 consumer group, 0 budget alerts, 0 policies\n", 0), 0u)
      << text;
  EXPECT_NE(text.find("warning[W001]"), std::string::npos);
  EXPECT_NE(text.find("warning[W005]"), std::string::npos);
  EXPECT_NE(text.find("2 warnings"), std::string::npos);
}

TEST(LintText, FailureListsEveryDiagnosticAndCounts) {
  LoadResult r = load_gateway_config_file(config_fixture("typo_key.yaml"));
  EXPECT_EQ(render_lint_text(r, "policy-config.yaml"),
            "error[E002]: unknown key 'wallet_enforcment' in cost_tracking\n"
            "  --> policy-config.yaml:17:3\n"
            "  help: did you mean 'wallet_enforcement'?\n\n"
            "1 error\n");
  LoadResult two = load_gateway_config_text("version: '3'\npolicies: {}\n", "x.yaml");
  std::string text = render_lint_text(two, "x.yaml");
  EXPECT_NE(text.find("2 errors, 1 warning\n"), std::string::npos) << text;
}

TEST(LintJson, Valid) {
  LoadResult r = load_gateway_config_file(config_fixture("tutorial.yaml"));
  boost::json::value v = boost::json::parse(render_lint_json(r, "policy-config.yaml"));
  EXPECT_EQ(v.at("valid").as_bool(), true);
  EXPECT_EQ(v.at("file").as_string(), "policy-config.yaml");
  EXPECT_EQ(v.at("policy_count").to_number<int>(), 1);
  EXPECT_EQ(v.at("consumer_group_count").to_number<int>(), 2);
  EXPECT_EQ(v.at("budget_alert_count").to_number<int>(), 4);
  EXPECT_TRUE(v.at("warnings").as_array().empty());
  EXPECT_FALSE(v.as_object().contains("errors"));
}

TEST(LintJson, Invalid) {
  LoadResult r = load_gateway_config_file(config_fixture("unknown_policy_type.yaml"));
  boost::json::value v = boost::json::parse(render_lint_json(r, "p.yaml"));
  EXPECT_EQ(v.at("valid").as_bool(), false);
  const auto& errors = v.at("errors").as_array();
  ASSERT_EQ(errors.size(), 1u);
  const auto& e = errors[0].as_object();
  EXPECT_EQ(e.at("code").as_string(), "E001");
  EXPECT_EQ(e.at("path").as_string(), "policies[0].type");
  EXPECT_EQ(e.at("line").to_number<int>(), 32);
  EXPECT_EQ(e.at("column").to_number<int>(), 11);
  EXPECT_EQ(e.at("message").as_string(), "unknown policy type 'content_filtr'");
  EXPECT_EQ(e.at("suggestion").as_string(), "did you mean 'content_filter'?");
  EXPECT_FALSE(v.as_object().contains("policy_count"));
}

}  // namespace
}  // namespace kt::config
