// Anthropic's cache writes and reads, each at its own price (issue 3, "Token kinds").
#include <gtest/gtest.h>

#include "gateway/pipeline/phases.hpp"

namespace kt::gateway {
namespace {

Money money(const char* s) { return *Money::parse(s); }

ledger::PricingRow haiku() {
  ledger::PricingRow p;
  p.model = "claude-3-5-haiku";
  p.provider = "anthropic";
  p.input_per_1k = money("0.001");
  p.output_per_1k = money("0.005");
  return p;
}

providers::Usage cached_usage() {
  providers::Usage u;
  u.prompt_tokens = 1115;  // 15 fresh + 100 written to the cache + 1000 read from it
  u.cache_creation_tokens = 100;
  u.cached_tokens = 1000;
  u.completion_tokens = 20;
  return u;
}

TEST(TokenKindsCost, CacheWritesAndReadsAtTheirOwnPrices) {
  auto p = haiku();
  p.cached_input_per_1k = money("0.0001");
  p.cache_creation_per_1k = money("0.00125");
  // 15 x 0.001 + 1000 x 0.0001 + 100 x 0.00125 + 20 x 0.005, per 1K
  EXPECT_EQ(cost_of_usage(cached_usage(), p), money("0.00034"));
}

TEST(TokenKindsCost, WithoutTheirPricesEveryInputTokenCostsTheInputPrice) {
  // 1115 x 0.001 + 20 x 0.005, per 1K
  EXPECT_EQ(cost_of_usage(cached_usage(), haiku()), money("0.001215"));
}

}  // namespace
}  // namespace kt::gateway
