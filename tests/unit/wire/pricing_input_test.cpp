// The body of POST /v1/model-pricing as the API reads it (wire/pricing_input.hpp).
#include <gtest/gtest.h>

#include "wire/pricing_input.hpp"

namespace {

using namespace kt;

std::optional<ledger::PricingInput> decode(const std::string& body, ApiError& error) {
  return wire::decode_pricing_input(body, error);
}

TEST(PricingInput, ReadsEveryFieldExactly) {
  ApiError error;
  auto in = decode(R"({"model":"claude-3-5-haiku","provider":"anthropic","input_cost_per_1k_tokens":0.001,
    "output_cost_per_1k_tokens":"0.005","cached_input_cost_per_1k_tokens":0.0001,"cache_creation_cost_per_1k_tokens":null,
    "max_output_tokens":8192,"currency":"USD","effective_from":"2026-05-01T00:00:00Z"})", error);
  ASSERT_TRUE(in) << error.message;
  EXPECT_EQ(in->model, "claude-3-5-haiku");
  EXPECT_EQ(in->provider, "anthropic");
  EXPECT_EQ(in->input_per_1k, *Money::parse("0.001"));
  EXPECT_EQ(in->output_per_1k, *Money::parse("0.005"));
  EXPECT_EQ(in->cached_input_per_1k, Money::parse("0.0001"));
  EXPECT_FALSE(in->cache_creation_per_1k);
  EXPECT_EQ(in->max_output_tokens, 8192);
  EXPECT_EQ(in->effective_from, 1777593600);
}

TEST(PricingInput, RefusesWhatItCannotPriceExactly) {
  const std::pair<const char*, const char*> refused[] = {
      {R"({"model":"m","provider":"p","input_cost_per_1k_token":1,"output_cost_per_1k_tokens":2})", "unknown_field"},
      {R"({"model":"m","provider":"p","input_cost_per_1k_tokens":-1,"output_cost_per_1k_tokens":2})", "invalid_field"},
      {R"({"model":"m","provider":"p","input_cost_per_1k_tokens":1e-10,"output_cost_per_1k_tokens":2})", "invalid_field"},
      {R"({"model":"","provider":"p","input_cost_per_1k_tokens":1,"output_cost_per_1k_tokens":2})", "invalid_field"},
      {R"({"model":"m","provider":"p","input_cost_per_1k_tokens":1,"output_cost_per_1k_tokens":2,"max_output_tokens":0})", "invalid_field"},
      {R"({"model":"m","provider":"p","input_cost_per_1k_tokens":1,"output_cost_per_1k_tokens":2,"currency":"EUR"})", "invalid_field"},
      {R"({"model":"m","provider":"p","input_cost_per_1k_tokens":1,"output_cost_per_1k_tokens":2,"effective_from":"May 1st"})", "invalid_field"},
      {R"({"model":"m","provider":"p","input_cost_per_1k_tokens":1,"output_cost_per_1k_tokens":2} x)", "invalid_json"},
  };
  for (const auto& [body, code] : refused) {
    ApiError error;
    EXPECT_FALSE(decode(body, error)) << body;
    EXPECT_EQ(error.status, 400) << body;
    EXPECT_EQ(error.code, code) << body;
  }
}

// A currency that is not a string used to be ignored (the price was stored as if in USD).
TEST(PricingInput, RefusesACurrencyThatIsNotAString) {
  ApiError error;
  EXPECT_FALSE(decode(R"({"model":"m","provider":"p","input_cost_per_1k_tokens":1,"output_cost_per_1k_tokens":2,"currency":5})", error));
  EXPECT_EQ(error.code, "invalid_field");
  EXPECT_NE(error.message.find("currency"), std::string::npos) << error.message;
  ApiError none;
  EXPECT_TRUE(decode(R"({"model":"m","provider":"p","input_cost_per_1k_tokens":1,"output_cost_per_1k_tokens":2,"currency":null})", none));
}

}  // namespace

namespace {

// Found by the pricing_body fuzzer: On Demand hands over a number's raw text unchecked, so
// {"effective_from":0883612800} (a leading zero: not JSON) was accepted as a timestamp.
TEST(PricingInput, RefusesNumbersThatAreNotJson) {
  const std::string prefix = R"({"model":"m","provider":"p","output_cost_per_1k_tokens":2,"input_cost_per_1k_tokens":)";
  for (const char* number : {"01", "1.", ".5", "-", "1e", "1e+", "+1", "0x10", "1.5e-", "--1"}) {
    kt::ApiError error;
    EXPECT_FALSE(kt::wire::decode_pricing_input(prefix + number + "}", error)) << number;
    EXPECT_EQ(error.code, "invalid_json") << number;
  }
  for (const char* number : {"0", "-0", "1.5", "0.00015", "1e-4", "2E+3", "10"}) {
    kt::ApiError error;
    EXPECT_TRUE(kt::wire::decode_pricing_input(prefix + number + "}", error)) << number << ": " << error.message;
  }
  kt::ApiError error;
  EXPECT_FALSE(kt::wire::decode_pricing_input(
      R"({"model":"m","provider":"p","input_cost_per_1k_tokens":1,"output_cost_per_1k_tokens":2,"effective_from":0883612800})", error));
}

}  // namespace

namespace {

// Found by the pricing_body fuzzer: a value whose first letter is 'n' was taken for null without
// being read, so "cache_creation_cost_per_1k_tokens":n\x7fll was accepted as null.
TEST(PricingInput, RefusesAMisspelledNull) {
  for (const char* bad : {"n\x7fll", "nul", "nullx", "nan"}) {
    kt::ApiError error;
    EXPECT_FALSE(kt::wire::decode_pricing_input(
        std::string(R"({"model":"m","provider":"p","input_cost_per_1k_tokens":1,"output_cost_per_1k_tokens":2,)"
                    R"("cached_input_cost_per_1k_tokens":)") + bad + "}",
        error))
        << bad;
    EXPECT_EQ(error.code, "invalid_json") << bad;
  }
}

}  // namespace
