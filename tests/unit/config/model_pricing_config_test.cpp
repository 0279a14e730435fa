// The optional model_pricing list: exact money from the YAML text, E-codes for malformed
// prices, W007 for a price that looks entered per 1M tokens or per token; api.seed_prices (off by
// default: global prices are an admin token's job) and W008 for a list that would not be seeded.
#include <gtest/gtest.h>

#include "config/gateway_config.hpp"
#include "config/lint_report.hpp"

namespace kt::config {
namespace {

const std::string kSeeding = "api:\n  url: http://localhost:8080\n  seed_prices: true\n";

// The api section comes last (line numbers of the prices stay put); by default it asks for
// seeding, so the only warnings are the prices' own.
LoadResult load(const std::string& pricing, const std::string& api = kSeeding) {
  return load_gateway_config_text("version: '1'\nproviders:\n  targets:\n    - id: o\n      provider: openai\n"
                                  "      secret_key_ref: {env: OPENAI_API_KEY}\nmodel_pricing:\n" + pricing + api,
                                  "p.yaml");
}
const std::string kGpt4o = "  - model: gpt-4o\n    provider: openai\n    input_per_1k: 0.0025\n    output_per_1k: 0.01\n";

std::vector<Diagnostic> with_code(const LoadResult& r, const std::string& code) {
  std::vector<Diagnostic> out;
  for (const auto& d : r.diagnostics)
    if (d.code == code) out.push_back(d);
  return out;
}

TEST(ModelPricingConfig, ReadsExactPrices) {
  auto r = load(
      "  - model: gpt-4o-mini\n    provider: openai\n    input_per_1k: 0.00015\n    output_per_1k: 0.0006\n"
      "  - model: gpt-4o\n    provider: openai\n    input_per_1k: '0.0025'\n    output_per_1k: 1e-2\n"
      "    cached_input_per_1k: 0.00125\n    max_output_tokens: 16384\n");
  ASSERT_TRUE(r.ok()) << render_lint_text(r, "p.yaml");
  EXPECT_TRUE(r.diagnostics.empty()) << render_lint_text(r, "p.yaml");
  const auto& p = r.config->model_pricing;
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].model, "gpt-4o-mini");
  EXPECT_EQ(p[0].input_per_1k, Money::from_nanos(150'000));
  EXPECT_EQ(p[0].output_per_1k, Money::from_nanos(600'000));
  EXPECT_FALSE(p[0].cached_input_per_1k);
  EXPECT_EQ(p[1].output_per_1k, Money::from_nanos(10'000'000));
  EXPECT_EQ(p[1].cached_input_per_1k, Money::from_nanos(1'250'000));
  EXPECT_EQ(p[1].max_output_tokens, 16384);
}

TEST(ModelPricingConfig, WarnsW007ForAPer1MPriceWithPathAndLine) {
  auto r = load("  - model: gpt-4o\n    provider: openai\n    input_per_1k: 2.50\n    output_per_1k: 10\n");
  ASSERT_TRUE(r.ok());  // a warning, not an error
  auto w = with_code(r, "W007");
  ASSERT_EQ(w.size(), 2u);
  EXPECT_TRUE(w[0].warning);
  EXPECT_EQ(w[0].path, "model_pricing[0].input_per_1k");
  EXPECT_EQ(w[0].line, 10);
  EXPECT_NE(w[0].message.find("looks like a per-1M price"), std::string::npos);
  EXPECT_EQ(w[1].path, "model_pricing[0].output_per_1k");
  std::string text = render_lint_text(r, "p.yaml");
  EXPECT_NE(text.find("warning[W007]"), std::string::npos) << text;
  EXPECT_NE(text.find("p.yaml:10:19"), std::string::npos) << text;
}

TEST(ModelPricingConfig, WarnsW007ForAPerTokenPrice) {
  auto r = load("  - model: m\n    provider: openai\n    input_per_1k: 0.00000015\n    output_per_1k: 0.00001\n");
  ASSERT_TRUE(r.ok());
  auto w = with_code(r, "W007");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].path, "model_pricing[0].input_per_1k");
  EXPECT_NE(w[0].message.find("looks like a per-token price"), std::string::npos);
}

TEST(ModelPricingConfig, MalformedMoneyIsAnError) {
  auto r = load("  - model: m\n    provider: openai\n    input_per_1k: 0.0000000001\n    output_per_1k: abc\n"
                "  - model: n\n    provider: openai\n    input_per_1k: -0.1\n    output_per_1k: .nan\n");
  EXPECT_FALSE(r.ok());
  auto e = with_code(r, "E004");
  ASSERT_EQ(e.size(), 4u) << render_lint_text(r, "p.yaml");
  EXPECT_EQ(e[0].path, "model_pricing[0].input_per_1k");  // more than 9 decimals: not exact
  EXPECT_EQ(e[0].line, 10);
  EXPECT_EQ(e[1].path, "model_pricing[0].output_per_1k");
  EXPECT_NE(e[2].message.find("negative"), std::string::npos);
  EXPECT_EQ(e[3].path, "model_pricing[1].output_per_1k");
}

TEST(ModelPricingConfig, MissingFieldsDuplicatesAndUnknownKeys) {
  auto r = load("  - model: m\n    provider: openai\n    input_per_1k: 0.001\n"
                "  - model: m\n    provider: openia\n    input_per_1k: 0.001\n    output_per_1k: 0.002\n"
                "    max_output_tokens: 0\n    output_per_1m: 2\n");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(with_code(r, "E005").size(), 1u);  // output_per_1k missing
  EXPECT_EQ(with_code(r, "E002").size(), 1u);  // output_per_1m unknown
  // duplicate model, unknown provider, max_output_tokens 0
  EXPECT_EQ(with_code(r, "E004").size(), 3u) << render_lint_text(r, "p.yaml");
}

TEST(ModelPricingConfig, SeedingIsOffByDefaultAndAnUnseededListIsW008AtItsLine) {
  for (std::string api : {"api:\n  url: http://localhost:8080\n", "api:\n  url: http://localhost:8080\n  seed_prices: false\n"}) {
    auto r = load(kGpt4o, api);
    ASSERT_TRUE(r.ok()) << "a warning, not an error: " << render_lint_text(r, "p.yaml");
    EXPECT_FALSE(r.config->api->seed_prices);
    auto w = with_code(r, "W008");
    ASSERT_EQ(w.size(), 1u) << render_lint_text(r, "p.yaml");
    EXPECT_TRUE(w[0].warning);
    EXPECT_EQ(w[0].path, "model_pricing");
    EXPECT_EQ(w[0].line, 7);
    EXPECT_NE(w[0].message.find("api.seed_prices"), std::string::npos);
  }
  auto seeded = load(kGpt4o);
  ASSERT_TRUE(seeded.ok());
  EXPECT_TRUE(seeded.config->api->seed_prices);
  EXPECT_TRUE(seeded.diagnostics.empty()) << render_lint_text(seeded, "p.yaml");
}

TEST(ModelPricingConfig, SeedPricesMustBeABooleanAndATypoGetsADidYouMean) {
  EXPECT_FALSE(load(kGpt4o, "api:\n  url: http://localhost:8080\n  seed_prices: sometimes\n").ok());
  auto r = load(kGpt4o, "api:\n  url: http://localhost:8080\n  seed_price: true\n");
  EXPECT_FALSE(r.ok());
  std::string text = render_lint_text(r, "p.yaml");
  EXPECT_NE(text.find("seed_prices"), std::string::npos) << text;
}

}  // namespace
}  // namespace kt::config
