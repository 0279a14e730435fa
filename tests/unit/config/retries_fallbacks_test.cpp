// Schema of retries, fallbacks and cost_tracking.on_insufficient (issue 3).
#include <gtest/gtest.h>

#include <string>

#include "config/gateway_config.hpp"

namespace kt::config {
namespace {

LoadResult load(const std::string& yaml) { return load_gateway_config_text(yaml, "test.yaml"); }

std::string dump(const LoadResult& r) {
  std::string s;
  for (const Diagnostic& d : r.diagnostics) s += format_diagnostic(d, "test.yaml") + "\n";
  return s;
}

const Diagnostic* find_diag(const LoadResult& r, const std::string& code, const std::string& path) {
  for (const Diagnostic& d : r.diagnostics)
    if (d.code == code && d.path == path) return &d;
  return nullptr;
}

std::string two_targets(const std::string& primary_extra) {
  return "version: '1'\nproviders:\n  targets:\n"
         "    - id: primary\n      provider: openai\n      secret_key_ref: {env: K}\n" +
         primary_extra +
         "    - id: backup\n      provider: openai\n      secret_key_ref: {env: K}\n      model: gpt-4o\n";
}

TEST(RetriesFallbacks, DefaultsAreNoRetryNoFallbackAndReject) {
  LoadResult r = load(two_targets(""));
  ASSERT_TRUE(r.ok()) << dump(r);
  const Target& t = r.config->targets[0];
  EXPECT_EQ(t.retries.max, 0);
  EXPECT_EQ(t.retries.backoff_ms, 200);
  EXPECT_TRUE(t.fallbacks.empty());
  EXPECT_FALSE(t.model.has_value());
  EXPECT_EQ(r.config->targets[1].model.value_or(""), "gpt-4o");
  EXPECT_EQ(r.config->cost_tracking.on_insufficient, "reject");
}

TEST(RetriesFallbacks, ReadsBothFallbackForms) {
  LoadResult r = load(two_targets(
      "      retries: {max: 2, backoff_ms: 50}\n"
      "      fallbacks:\n        - backup\n        - {target: backup, model: gpt-4.1}\n"));
  ASSERT_TRUE(r.ok()) << dump(r);
  const Target& t = r.config->targets[0];
  EXPECT_EQ(t.retries.max, 2);
  EXPECT_EQ(t.retries.backoff_ms, 50);
  ASSERT_EQ(t.fallbacks.size(), 2u);
  EXPECT_EQ(t.fallbacks[0].target, "backup");
  EXPECT_FALSE(t.fallbacks[0].model.has_value());
  EXPECT_EQ(t.fallbacks[1].model.value_or(""), "gpt-4.1");
}

TEST(RetriesFallbacks, UnknownFallbackTargetSuggestsTheId) {
  LoadResult r = load(two_targets("      fallbacks: [bakcup]\n"));
  ASSERT_FALSE(r.ok());
  const Diagnostic* d = find_diag(r, "E004", "providers.targets[0].fallbacks[0]");
  ASSERT_NE(d, nullptr) << dump(r);
  EXPECT_NE(d->message.find("'bakcup'"), std::string::npos);
  EXPECT_EQ(d->suggestion, "did you mean 'backup'?");
}

TEST(RetriesFallbacks, SelfFallbackAndBadRetryValuesAreErrors) {
  LoadResult r = load(two_targets("      retries: {max: 11, backof_ms: 5}\n      fallbacks: [primary]\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(find_diag(r, "E004", "providers.targets[0].fallbacks[0]"), nullptr) << dump(r);
  EXPECT_NE(find_diag(r, "E004", "providers.targets[0].retries.max"), nullptr) << dump(r);
  const Diagnostic* typo = find_diag(r, "E002", "providers.targets[0].retries.backof_ms");
  ASSERT_NE(typo, nullptr) << dump(r);
  EXPECT_NE(typo->suggestion.find("backoff_ms"), std::string::npos);
}

TEST(RetriesFallbacks, OnInsufficientTakesClampOrRejectWithDidYouMean) {
  std::string base = "version: '1'\ncost_tracking:\n  enabled: true\n  on_insufficient: ";
  LoadResult ok = load(base + "clamp\n");
  ASSERT_TRUE(ok.ok()) << dump(ok);
  EXPECT_EQ(ok.config->cost_tracking.on_insufficient, "clamp");
  LoadResult bad = load(base + "clamps\n");
  ASSERT_FALSE(bad.ok());
  const Diagnostic* d = find_diag(bad, "E004", "cost_tracking.on_insufficient");
  ASSERT_NE(d, nullptr) << dump(bad);
  EXPECT_NE(d->suggestion.find("clamp"), std::string::npos) << d->suggestion;
}

}  // namespace
}  // namespace kt::config
