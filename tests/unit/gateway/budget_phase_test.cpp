// The gateway's money rules: the 402 body, the cost of a usage, and the output caps behind estimates.
#include <gtest/gtest.h>

#include "gateway/budget/model_limits.hpp"
#include "gateway/pipeline/phases.hpp"

namespace kt::gateway {
namespace {

Money money(const char* s) { return *Money::parse(s); }

TEST(BudgetExceededBody, MatchesTheTutorialByteForByte) {
  EXPECT_EQ(budget_exceeded_body("marketing", money("0.01"), money("0.01"), money("0.05"), false),
            R"({"error":{"message":"Budget exceeded for consumer group: marketing","type":"budget_exceeded",)"
            R"("code":"insufficient_balance","details":{"team":"marketing","budget":0.01,"spent":0.01,"estimated_cost":0.05}}})");
}

TEST(BudgetExceededBody, KeepsSubCentFiguresExact) {
  std::string body = budget_exceeded_body("marketing", money("0.01"), money("0.00480255"), money("0.0098331"), false);
  EXPECT_NE(body.find(R"("spent":0.00480255,"estimated_cost":0.0098331)"), std::string::npos) << body;
}

TEST(BudgetExceededBody, NamesAMissingWallet) {
  std::string body = budget_exceeded_body("ops", Money::zero(), Money::zero(), money("0.001"), true);
  EXPECT_NE(body.find(R"("message":"No wallet allocated for consumer group: ops")"), std::string::npos) << body;
  EXPECT_NE(body.find(R"("code":"wallet_not_found")"), std::string::npos) << body;
}

ledger::PricingRow mini() {
  ledger::PricingRow p;
  p.model = "gpt-4o-mini";
  p.input_per_1k = money("0.00015");
  p.output_per_1k = money("0.0006");
  return p;
}

TEST(CostOfUsage, TutorialHaikuIsExact) {
  EXPECT_EQ(cost_of_usage({14, 25}, mini()), money("0.0000171"));
}

TEST(CostOfUsage, CachedTokensUseTheirOwnPriceOrTheInputPrice) {
  auto p = mini();
  // 1000 prompt tokens, 400 of them cached; no cached price: all at the input price.
  EXPECT_EQ(cost_of_usage({1000, 0, 400, 0}, p), money("0.00015"));
  p.cached_input_per_1k = money("0.000075");
  EXPECT_EQ(cost_of_usage({1000, 0, 400, 0}, p), money("0.00012"));  // 600 x 0.00015/1k + 400 x 0.000075/1k
}

TEST(CostOfUsage, ReasoningTokensAreNotCountedTwice) {
  // OpenAI reports reasoning tokens inside completion_tokens.
  EXPECT_EQ(cost_of_usage({0, 100, 0, 60}, mini()), money("0.00006"));
}

TEST(ModelLimits, KnownModelsAndDefault) {
  EXPECT_EQ(default_max_output_tokens("gpt-4o-mini"), 16384);
  EXPECT_EQ(default_max_output_tokens("gpt-4o-mini-2024-07-18"), 16384);
  EXPECT_EQ(default_max_output_tokens("gpt-4.1-nano"), 32768);
  EXPECT_EQ(default_max_output_tokens("some-local-model"), 16384);
}

}  // namespace
}  // namespace kt::gateway
