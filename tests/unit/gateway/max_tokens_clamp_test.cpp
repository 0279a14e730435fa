// on_insufficient: clamp — the largest affordable output, and the body edits that ask for it.
#include <gtest/gtest.h>

#include "core/money.hpp"
#include "gateway/budget/max_tokens_clamp.hpp"

namespace kt::gateway {
namespace {

Money money(const char* s) { return *Money::parse(s); }

TEST(LargestAffordableOutput, FitsExactlyAtTheReservationsRounding) {
  Money in = money("0.00015"), out = money("0.0006");
  Money remaining = money("0.0001");  // 100000 nanos
  int64_t n = largest_affordable_output(remaining, 15, in, out, 1);
  // 15 x 150 = 2250 nanos of prompt; (100000 - 2.25) / 0.6 per token.
  EXPECT_EQ(n, 162);
  auto cost = [&](int64_t k) { return cost_of_terms({{15, PricePer1k(in)}, {k, PricePer1k(out)}}); };
  EXPECT_LE(cost(n), remaining);
  EXPECT_GT(cost(n + 1), remaining);
}

TEST(LargestAffordableOutput, SplitsAcrossChoicesAndHandlesEdges) {
  Money in = money("0.00015"), out = money("0.0006");
  EXPECT_EQ(largest_affordable_output(money("0.0001"), 15, in, out, 2), 81);
  EXPECT_EQ(largest_affordable_output(money("0.000001"), 15, in, out, 1), 0);  // the prompt alone does not fit
  EXPECT_EQ(largest_affordable_output(Money::zero() - money("1"), 0, in, out, 1), 0);
  EXPECT_EQ(largest_affordable_output(money("1"), 0, in, Money::zero(), 1), INT64_MAX);
}

TEST(BodyWithMaxTokens, ReplacesOnlyThatField) {
  EXPECT_EQ(*body_with_max_tokens(R"({"model":"m", "max_tokens" : 4096 ,"temperature":0.70})", 162),
            R"({"model":"m", "max_tokens" : 162 ,"temperature":0.70})");
  EXPECT_EQ(*body_with_max_tokens(R"({"max_completion_tokens":9000,"max_tokens":null,"n":1})", 50),
            R"({"max_completion_tokens":50,"max_tokens":50,"n":1})");
}

TEST(BodyWithMaxTokens, AddsTheFieldWhenAbsent) {
  EXPECT_EQ(*body_with_max_tokens(R"({"model":"m","messages":[]})", 20), R"({"max_tokens":20,"model":"m","messages":[]})");
  EXPECT_EQ(*body_with_max_tokens("{ }", 20), R"({"max_tokens":20 })");
  EXPECT_FALSE(body_with_max_tokens("[1]", 20).has_value());
  EXPECT_FALSE(body_with_max_tokens("not json", 20).has_value());
}

TEST(BodyWithStringField, RewritesTheModel) {
  EXPECT_EQ(*body_with_string_field(R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"model"}]})", "model",
                                    "gpt-4o"),
            R"({"model":"gpt-4o","messages":[{"role":"user","content":"model"}]})");
  // Nested "model" keys are not touched.
  EXPECT_EQ(*body_with_string_field(R"({"meta":{"model":"x"},"model":"a"})", "model", "b\"c"),
            R"({"meta":{"model":"x"},"model":"b\"c"})");
}

}  // namespace
}  // namespace kt::gateway

namespace kt::gateway {
namespace {

TEST(BodyWithIntField, SetsOrAddsOneField) {
  EXPECT_EQ(*body_with_int_field(R"({"model":"m","max_output_tokens":900,"input":"x"})", "max_output_tokens", 64),
            R"({"model":"m","max_output_tokens":64,"input":"x"})");
  EXPECT_EQ(*body_with_int_field(R"({"model":"m"})", "max_output_tokens", 64), R"({"max_output_tokens":64,"model":"m"})");
}

}  // namespace
}  // namespace kt::gateway
