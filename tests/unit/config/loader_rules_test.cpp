// Schema rules of the gateway configuration, one inline document per rule.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "config/gateway_config.hpp"

namespace kt::config {
namespace {

const std::string kMinimal = R"(version: '1'
providers:
  targets:
    - id: openai
      provider: openai
      secret_key_ref:
        env: OPENAI_API_KEY
)";

LoadResult load(const std::string& yaml) { return load_gateway_config_text(yaml, "test.yaml"); }

const Diagnostic* find_diag(const LoadResult& r, const std::string& code, const std::string& path) {
  for (const Diagnostic& d : r.diagnostics)
    if (d.code == code && d.path == path) return &d;
  return nullptr;
}

std::string dump(const LoadResult& r) {
  std::string s;
  for (const Diagnostic& d : r.diagnostics) s += format_diagnostic(d, "test.yaml") + "\n";
  return s;
}

TEST(LoaderRules, MinimalConfigIsValid) {
  LoadResult r = load(kMinimal);
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_TRUE(r.diagnostics.empty()) << dump(r);
  EXPECT_FALSE(r.config->api.has_value());
  EXPECT_FALSE(r.config->cost_tracking.enabled);
  EXPECT_EQ(r.config->source_path, "test.yaml");
}

TEST(LoaderRules, VersionMayBeANumberButOnlyOneIsSupported) {
  std::string numeric = kMinimal;
  numeric.replace(0, 12, "version: 1");
  ASSERT_TRUE(load(numeric).ok());
  std::string two = kMinimal;
  two.replace(0, 12, "version: 2");
  LoadResult r = load(two);
  EXPECT_FALSE(r.ok());
  const Diagnostic* d = find_diag(r, "E004", "version");
  ASSERT_NE(d, nullptr) << dump(r);
  EXPECT_EQ(d->line, 1);
  EXPECT_EQ(d->column, 10);
}

TEST(LoaderRules, MissingVersionIsE005AtTheRoot) {
  LoadResult r = load(kMinimal.substr(13));
  EXPECT_FALSE(r.ok());
  const Diagnostic* d = find_diag(r, "E005", "version");
  ASSERT_NE(d, nullptr) << dump(r);
  EXPECT_EQ(d->line, 1);
  EXPECT_EQ(d->column, 1);
}

TEST(LoaderRules, EmptyDocumentAndNonMappingRoot) {
  EXPECT_FALSE(load("").ok());
  EXPECT_EQ(load("").diagnostics.at(0).code, "E005");
  LoadResult list = load("- a\n- b\n");
  EXPECT_FALSE(list.ok());
  EXPECT_EQ(list.diagnostics.at(0).code, "E004");
}

TEST(LoaderRules, UnknownTopLevelKeySuggestsTheClosest) {
  LoadResult r = load(kMinimal + "polices: []\nrate_limits: {}\n");
  EXPECT_FALSE(r.ok());
  const Diagnostic* typo = find_diag(r, "E002", "polices");
  ASSERT_NE(typo, nullptr) << dump(r);
  EXPECT_EQ(typo->line, 8);
  EXPECT_EQ(typo->column, 1);
  EXPECT_EQ(typo->suggestion, "did you mean 'policies'?");
  EXPECT_EQ(typo->message, "unknown key 'polices' at the top level");
  const Diagnostic* far = find_diag(r, "E002", "rate_limits");
  ASSERT_NE(far, nullptr);
  EXPECT_EQ(far->suggestion, "");  // nothing close: no guess
}

TEST(LoaderRules, CollectsAllDiagnosticsInFileOrder) {
  LoadResult r = load(R"(version: '1'
providers:
  targets:
    - id: openai
      provder: openai
      secret_key_ref: {env: OPENAI_API_KEY}
cost_tracking:
  enabled: yes
  unknown_modle: reject
  budget_alerts:
    - threshold_percent: 0
      action: block
)");
  EXPECT_FALSE(r.ok());
  std::vector<std::string> codes;
  for (const Diagnostic& d : r.diagnostics)
    if (!d.warning) codes.push_back(d.code + "@" + std::to_string(d.line));
  // provider misspelt (E002) and so missing (E005 at the target), 'yes' is not a boolean,
  // unknown_modle misspelt, 0 is out of range.
  EXPECT_EQ(codes, (std::vector<std::string>{"E005@4", "E002@5", "E004@8", "E002@9", "E004@11"})) << dump(r);
  EXPECT_EQ(find_diag(r, "E002", "providers.targets[0].provder")->suggestion, "did you mean 'provider'?");
  EXPECT_EQ(find_diag(r, "E002", "cost_tracking.unknown_modle")->suggestion, "did you mean 'unknown_model'?");
}

TEST(LoaderRules, AliasesAreAccepted) {
  LoadResult r = load(kMinimal + R"(api:
  url: https://api.example.com
cost_tracking:
  enabled: true
  enforce_budget: true
  alert_thresholds:
    - threshold_percent: 90
      action: notify
)");
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_TRUE(r.config->cost_tracking.wallet_enforcement);
  ASSERT_EQ(r.config->cost_tracking.budget_alerts.size(), 1u);
  EXPECT_EQ(r.config->cost_tracking.budget_alerts[0].threshold_percent, 90);
}

TEST(LoaderRules, ShorthandThresholdListMeansNotify) {
  LoadResult r = load(kMinimal + "cost_tracking:\n  alert_thresholds: [50, 80]\n");
  ASSERT_TRUE(r.ok()) << dump(r);
  ASSERT_EQ(r.config->cost_tracking.budget_alerts.size(), 2u);
  EXPECT_EQ(r.config->cost_tracking.budget_alerts[1].threshold_percent, 80);
  EXPECT_EQ(r.config->cost_tracking.budget_alerts[1].action, "notify");
}

TEST(LoaderRules, AliasTogetherWithMainKeyIsAnError) {
  LoadResult r = load(kMinimal + R"(cost_tracking:
  wallet_enforcement: true
  enforce_budget: false
  budget_alerts: []
  alert_thresholds: []
)");
  EXPECT_FALSE(r.ok());
  const Diagnostic* a = find_diag(r, "E004", "cost_tracking.enforce_budget");
  ASSERT_NE(a, nullptr) << dump(r);
  EXPECT_EQ(a->line, 10);
  EXPECT_EQ(a->column, 3);
  EXPECT_NE(find_diag(r, "E004", "cost_tracking.alert_thresholds"), nullptr);
}

TEST(LoaderRules, WrongTypes) {
  LoadResult r = load(kMinimal + R"(consumer_groups:
  name: engineering
cost_tracking:
  enabled: "true"
  budget_alerts:
    - threshold_percent: fifty
      action: notify
    - threshold_percent: 1001
      action: notify
)");
  EXPECT_FALSE(r.ok());
  EXPECT_NE(find_diag(r, "E004", "consumer_groups"), nullptr) << dump(r);
  EXPECT_NE(find_diag(r, "E004", "cost_tracking.enabled"), nullptr);  // quoted: a string
  const Diagnostic* fifty = find_diag(r, "E004", "cost_tracking.budget_alerts[0].threshold_percent");
  ASSERT_NE(fifty, nullptr);
  EXPECT_EQ(fifty->line, 13);
  EXPECT_EQ(fifty->column, 26);
  EXPECT_NE(find_diag(r, "E004", "cost_tracking.budget_alerts[1].threshold_percent"), nullptr);
}

TEST(LoaderRules, TargetRules) {
  LoadResult r = load(R"(version: '1'
providers:
  targets:
    - id: a
      provider: opnai
    - id: a
      provider: openai
      base_url: ftp://example.com
      timeout_ms: 0
    - id: c
      provider: anthropic
      secret_key_ref: {env: ANTHROPIC_API_KEY}
      base_url: https://api.anthropic.com/v1
      timeout_ms: 30000
)");
  EXPECT_FALSE(r.ok());
  const Diagnostic* p = find_diag(r, "E004", "providers.targets[0].provider");
  ASSERT_NE(p, nullptr) << dump(r);
  EXPECT_EQ(p->suggestion, "did you mean 'openai'?");
  EXPECT_NE(find_diag(r, "E004", "providers.targets[1].id"), nullptr);  // duplicate id
  EXPECT_NE(find_diag(r, "E005", "providers.targets[1].secret_key_ref"), nullptr);
  EXPECT_NE(find_diag(r, "E004", "providers.targets[1].base_url"), nullptr);
  EXPECT_NE(find_diag(r, "E004", "providers.targets[1].timeout_ms"), nullptr);
  for (const Diagnostic& d : r.diagnostics) EXPECT_EQ(d.path.find("targets[2]"), std::string::npos) << d.message;
}

TEST(LoaderRules, TargetOptionalFieldsAreStored) {
  LoadResult r = load(kMinimal + "      base_url: http://127.0.0.1:9000/v1\n      timeout_ms: 2500\n");
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_EQ(r.config->targets[0].base_url.value(), "http://127.0.0.1:9000/v1");
  EXPECT_EQ(r.config->targets[0].timeout_ms, 2500);
}

TEST(LoaderRules, ConsumerGroupRules) {
  LoadResult r = load(kMinimal + R"(consumer_groups:
  - name: eng
    api_key: kt_cg_engineering_abc123
    wallet_team_id: team_engineering
  - name: eng
    api_key: kt_cg_engineering_abc123
    wallet_team_id: team_engineering
  - name: tiny
    api_key: tiny_k3y
    wallet_team_id: team_tiny
)");
  EXPECT_FALSE(r.ok());
  EXPECT_NE(find_diag(r, "E004", "consumer_groups[1].name"), nullptr) << dump(r);
  const Diagnostic* dup = find_diag(r, "E004", "consumer_groups[1].api_key");
  ASSERT_NE(dup, nullptr);
  EXPECT_EQ(dup->message.find("kt_cg_engineering_abc123"), std::string::npos);  // never echo a key
  const Diagnostic* weak = find_diag(r, "W001", "consumer_groups[2].api_key");
  ASSERT_NE(weak, nullptr);
  EXPECT_TRUE(weak->warning);
  EXPECT_EQ(weak->message.find("tiny_k3y"), std::string::npos);
}

TEST(LoaderRules, WarningsDoNotFailLoading) {
  LoadResult r = load(kMinimal + R"(consumer_groups:
  - name: tiny
    api_key: short
    wallet_team_id: team_tiny
cost_tracking:
  enabled: true
  budget_alerts:
    - threshold_percent: 80
      action: notify
    - threshold_percent: 50
      action: notify
)");
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_NE(find_diag(r, "W001", "consumer_groups[0].api_key"), nullptr);
  EXPECT_NE(find_diag(r, "W002", "api"), nullptr);
  EXPECT_NE(find_diag(r, "W003", "cost_tracking.budget_alerts"), nullptr);
  for (const Diagnostic& d : r.diagnostics) EXPECT_TRUE(d.warning) << d.code;
  EXPECT_EQ(format_diagnostic(*find_diag(r, "W001", "consumer_groups[0].api_key"), "f.yaml").rfind("warning[W001]: ", 0),
            0u);
}

TEST(LoaderRules, CostTrackingOptions) {
  LoadResult r = load(kMinimal + R"(api: {url: 'http://localhost:8080'}
cost_tracking:
  enabled: true
  unknown_model: reject
  alert_webhook_url: https://hooks.example.com/kt
)");
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_EQ(r.config->cost_tracking.unknown_model, "reject");
  EXPECT_EQ(r.config->cost_tracking.alert_webhook_url.value(), "https://hooks.example.com/kt");
  EXPECT_EQ(r.config->api->token_env, "KEEPTRUSTS_API_TOKEN");  // default

  LoadResult bad = load(kMinimal + "cost_tracking:\n  unknown_model: deny\n  alert_webhook_url: hooks\n");
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(find_diag(bad, "E004", "cost_tracking.unknown_model"), nullptr);
  EXPECT_NE(find_diag(bad, "E004", "cost_tracking.alert_webhook_url"), nullptr);
}

TEST(LoaderRules, ApiNeedsAnHttpUrl) {
  LoadResult r = load(kMinimal + "api:\n  token_env: TOKEN\n");
  EXPECT_FALSE(r.ok());
  const Diagnostic* d = find_diag(r, "E005", "api.url");
  ASSERT_NE(d, nullptr) << dump(r);
  EXPECT_EQ(d->line, 9);
  LoadResult bad = load(kMinimal + "api:\n  url: localhost:8080\n");
  EXPECT_NE(find_diag(bad, "E004", "api.url"), nullptr);
  LoadResult bare = load(kMinimal + "api:\n  url: http://\n");
  EXPECT_NE(find_diag(bare, "E004", "api.url"), nullptr);
}

TEST(LoaderRules, PolicyRules) {
  LoadResult r = load(kMinimal + R"(policies:
  - name: cf
    type: content_filter
    action: blok
    config:
      categories: [hate, violense]
      threshold: extreme
      mode: strict
  - name: cf
    type: content_filter
  - name: pii
    type: pii_redaction
    config: {}
  - type: content_filter
    config: {categories: []}
)");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(find_diag(r, "E004", "policies[0].action")->suggestion, "did you mean 'block'?") << dump(r);
  const Diagnostic* cat = find_diag(r, "E004", "policies[0].config.categories[1]");
  ASSERT_NE(cat, nullptr);
  EXPECT_EQ(cat->suggestion, "did you mean 'violence'?");
  EXPECT_EQ(cat->line, 13);
  EXPECT_EQ(cat->column, 26);
  EXPECT_NE(find_diag(r, "E004", "policies[0].config.threshold"), nullptr);
  EXPECT_NE(find_diag(r, "E002", "policies[0].config.mode"), nullptr);
  EXPECT_NE(find_diag(r, "E004", "policies[1].name"), nullptr);  // duplicate
  const Diagnostic* e003 = find_diag(r, "E003", "policies[1].config");
  ASSERT_NE(e003, nullptr);
  EXPECT_EQ(e003->line, 16);
  const Diagnostic* e001 = find_diag(r, "E001", "policies[2].type");
  ASSERT_NE(e001, nullptr);
  EXPECT_EQ(e001->suggestion, "");
  EXPECT_NE(find_diag(r, "E005", "policies[3].name"), nullptr);
  EXPECT_NE(find_diag(r, "E004", "policies[3].config.categories"), nullptr);  // empty list
}

TEST(LoaderRules, PolicyDefaultsAndThreshold) {
  LoadResult r = load(kMinimal + R"(policies:
  - name: strict
    type: content_filter
    config:
      categories: [self_harm, violence, self_harm]
      threshold: high
)");
  ASSERT_TRUE(r.ok()) << dump(r);
  const Policy& p = r.config->policies[0];
  EXPECT_EQ(p.action, "flag");
  EXPECT_EQ(p.threshold, "high");
  EXPECT_EQ(p.categories, (std::vector<std::string>{"self_harm", "violence"}));  // duplicates collapse
}

TEST(LoaderRules, DuplicateKeysAreReported) {
  LoadResult r = load(kMinimal + "api:\n  url: http://a\n  url: http://b\n");
  EXPECT_FALSE(r.ok());
  const Diagnostic* d = find_diag(r, "E004", "api.url");
  ASSERT_NE(d, nullptr) << dump(r);
  EXPECT_EQ(d->line, 10);
}

TEST(LoaderRules, SyntaxErrorPosition) {
  LoadResult r = load("version: '1'\nproviders:\n  targets: [\n");
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].code, "E000");
  EXPECT_GE(r.diagnostics[0].line, 3);
  LoadResult tab = load("version: '1'\nproviders:\n\ttargets: []\n");
  EXPECT_FALSE(tab.ok());
  EXPECT_EQ(tab.diagnostics.at(0).code, "E000");
}

TEST(FormatDiagnostic, WithoutSuggestionOrPosition) {
  Diagnostic d{"E005", "api.url", 9, 1, "missing required key 'url' in api", "", false};
  EXPECT_EQ(format_diagnostic(d, "p.yaml"), "error[E005]: missing required key 'url' in api\n  --> p.yaml:9:1");
  d.line = 0;
  EXPECT_EQ(format_diagnostic(d, "p.yaml"), "error[E005]: missing required key 'url' in api\n  --> p.yaml");
}

// `metrics: {token_env: NAME}`: the gateway's /metrics behind a token; open without it.
TEST(LoaderRules, MetricsAreOpenByDefault) {
  LoadResult r = load(kMinimal);
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_FALSE(r.config->metrics.token_env.has_value());
}

TEST(LoaderRules, MetricsTokenEnvNamesTheVariable) {
  LoadResult r = load(kMinimal + "metrics:\n  token_env: KT_METRICS_TOKEN\n");
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_EQ(r.config->metrics.token_env.value_or(""), "KT_METRICS_TOKEN");
}

TEST(LoaderRules, MetricsTypoIsAnErrorWithASuggestion) {
  LoadResult r = load(kMinimal + "metrics:\n  token_evn: KT_METRICS_TOKEN\n");
  EXPECT_FALSE(r.ok());
  const Diagnostic* d = find_diag(r, "E002", "metrics.token_evn");
  ASSERT_NE(d, nullptr) << dump(r);
  EXPECT_NE(d->suggestion.find("token_env"), std::string::npos) << dump(r);
}

TEST(LoaderRules, MetricsEmptyNameOrWrongShapeIsAnError) {
  EXPECT_FALSE(load(kMinimal + "metrics:\n  token_env: \"\"\n").ok());
  EXPECT_FALSE(load(kMinimal + "metrics: open\n").ok());
}

}  // namespace
}  // namespace kt::config
