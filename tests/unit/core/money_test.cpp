// Money: exact nano-dollar parsing, printing and cost arithmetic.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "core/money.hpp"

namespace kt {
namespace {

int64_t nanos_of(const char* text) {
  auto m = Money::parse(text);
  EXPECT_TRUE(m.has_value()) << "expected '" << text << "' to parse";
  return m ? m->nanos() : INT64_MIN;
}

TEST(MoneyParse, TutorialPrices) {
  EXPECT_EQ(nanos_of("0.00015"), 150'000);
  EXPECT_EQ(nanos_of("0.0006"), 600'000);
  EXPECT_EQ(nanos_of("500.00"), 500'000'000'000);
  EXPECT_EQ(nanos_of("500"), 500'000'000'000);
  EXPECT_EQ(nanos_of("100.00"), 100'000'000'000);
  EXPECT_EQ(nanos_of("0.01"), 10'000'000);
}

TEST(MoneyParse, ExponentsAndSigns) {
  EXPECT_EQ(nanos_of("1.5e-4"), 150'000);
  EXPECT_EQ(nanos_of("1E3"), 1'000'000'000'000);
  EXPECT_EQ(nanos_of("2e+2"), 200'000'000'000);
  EXPECT_EQ(nanos_of("15e-5"), 150'000);
  EXPECT_EQ(nanos_of("1e-9"), 1);
  EXPECT_EQ(nanos_of("-2"), -2'000'000'000);
  EXPECT_EQ(nanos_of("+3"), 3'000'000'000);
  EXPECT_EQ(nanos_of("-1.5"), -1'500'000'000);
  EXPECT_EQ(nanos_of("0"), 0);
  EXPECT_EQ(nanos_of("-0"), 0);
  EXPECT_EQ(nanos_of("0e999"), 0);
}

TEST(MoneyParse, SmallestUnitAndTrailingZeros) {
  EXPECT_EQ(nanos_of("0.000000001"), 1);
  EXPECT_EQ(nanos_of("0.0000000010"), 1);  // the tenth digit is zero: still exact
  EXPECT_EQ(nanos_of("1.000000000000000000000000000000"), 1'000'000'000);
  EXPECT_EQ(nanos_of("0000000000000000000000000000012"), 12'000'000'000);
  EXPECT_EQ(nanos_of("1.10e1"), 11'000'000'000);
}

TEST(MoneyParse, Rejects) {
  for (const char* bad : {"", "abc", "NaN", "nan", "Infinity", "-Infinity", "1.2.3", "1e", "1e+", "1e-",
                          "e5", ".", "-", "+", "--1", "+-1", " 1", "1 ", "1,5", "$5", "1x", "0x10", "1e5.5",
                          "0.0000000001", "1e-10", "0.1234567891"}) {
    EXPECT_FALSE(Money::parse(bad).has_value()) << "accepted '" << bad << "'";
  }
}

TEST(MoneyParse, Overflow) {
  // INT64_MAX nanos = 9223372036.854775807 dollars.
  EXPECT_EQ(nanos_of("9223372036.854775807"), INT64_MAX);
  EXPECT_FALSE(Money::parse("9223372036.854775808").has_value());
  EXPECT_FALSE(Money::parse("10000000000").has_value());
  EXPECT_FALSE(Money::parse("1e10").has_value());
  EXPECT_FALSE(Money::parse("1e400").has_value());
  EXPECT_FALSE(Money::parse("99999999999999999999999999999999999999999999").has_value());
  EXPECT_FALSE(Money::parse("-99999999999999999999999999999999999999999999").has_value());
  EXPECT_EQ(nanos_of("-9223372036.854775807"), -INT64_MAX);
}

TEST(MoneyFormat, ToDecimal) {
  EXPECT_EQ(Money::from_nanos(500'000'000'000).to_decimal(), "500");
  EXPECT_EQ(Money::from_nanos(10'000'000).to_decimal(), "0.01");
  EXPECT_EQ(Money::from_nanos(17'100).to_decimal(), "0.0000171");
  EXPECT_EQ(Money::from_nanos(-2'500'000'000).to_decimal(), "-2.5");
  EXPECT_EQ(Money::from_nanos(1).to_decimal(), "0.000000001");
  EXPECT_EQ(Money::zero().to_decimal(), "0");
  EXPECT_EQ(Money::from_nanos(INT64_MIN).to_decimal(), "-9223372036.854775808");
}

TEST(MoneyFormat, ToDisplay) {
  EXPECT_EQ(Money::from_nanos(500'000'000'000).to_display(), "$500.00");
  EXPECT_EQ(Money::from_nanos(20'000'000).to_display(), "$0.02");
  EXPECT_EQ(Money::from_nanos(17'100).to_display(), "$0.0000171");
  EXPECT_EQ(Money::zero().to_display(), "$0.00");
  EXPECT_EQ(Money::from_nanos(-1'500'000'000).to_display(), "-$1.50");
  EXPECT_EQ(Money::from_nanos(499'980'000'000).to_display(), "$499.98");
  EXPECT_EQ(Money::from_nanos(1).to_display(), "$0.000000001");
}

TEST(MoneyFormat, RoundTripsThroughParse) {
  for (int64_t n : {int64_t{0}, int64_t{1}, int64_t{17'100}, int64_t{150'000}, int64_t{-987'654'321'012},
                    int64_t{500'000'000'000}, INT64_MAX, -INT64_MAX}) {
    auto back = Money::parse(Money::from_nanos(n).to_decimal());
    ASSERT_TRUE(back.has_value()) << n;
    EXPECT_EQ(back->nanos(), n);
  }
}

TEST(MoneyArithmetic, AddSubCompare) {
  Money a = Money::from_nanos(150'000), b = Money::from_nanos(600'000);
  EXPECT_EQ((a + b).nanos(), 750'000);
  EXPECT_EQ((a - b).nanos(), -450'000);
  EXPECT_TRUE((a - b).is_negative());
  EXPECT_LT(a, b);
  EXPECT_EQ(a, Money::from_nanos(150'000));
  Money c = a;
  c += b;
  c -= a;
  EXPECT_EQ(c, b);
  EXPECT_TRUE(Money::zero().is_zero());
}

TEST(MoneyArithmetic, SumsAndDifferencesAtTheBoundsAreExact) {
  const Money max = Money::from_nanos(INT64_MAX), min = Money::from_nanos(INT64_MIN);
  EXPECT_EQ((max - Money::from_nanos(1) + Money::from_nanos(1)).nanos(), INT64_MAX);
  EXPECT_EQ((min + Money::from_nanos(1) - Money::from_nanos(1)).nanos(), INT64_MIN);
  EXPECT_EQ((max + min).nanos(), -1);
  EXPECT_EQ((Money::zero() - max).nanos(), -INT64_MAX);
}

TEST(MoneyArithmetic, OverflowThrowsInsteadOfWrapping) {
  const Money max = Money::from_nanos(INT64_MAX), min = Money::from_nanos(INT64_MIN), one = Money::from_nanos(1);
  EXPECT_THROW(max + one, MoneyOverflow);
  EXPECT_THROW(min - one, MoneyOverflow);
  EXPECT_THROW(Money::zero() - min, MoneyOverflow);
  Money m = max;
  EXPECT_THROW(m += one, MoneyOverflow);
  EXPECT_EQ(m, max);  // unchanged by the failed sum
  EXPECT_THROW(m -= Money::from_nanos(-1), MoneyOverflow);
  EXPECT_FALSE(max.checked_add(one));
  EXPECT_FALSE(min.checked_sub(one));
  EXPECT_EQ(max.checked_add(Money::zero()), max);
}

TEST(MoneyArithmetic, ProductIsCheckedBothWays) {
  const Money dollar = *Money::parse("1");
  EXPECT_EQ((dollar * 128).to_decimal(), "128");
  EXPECT_EQ((Money::from_nanos(INT64_MAX) * 1).nanos(), INT64_MAX);
  EXPECT_EQ((Money::from_nanos(-3) * -3).nanos(), 9);
  // 9,223,372,037 dollars is past the range; 9,223,372,036 is not.
  EXPECT_EQ((dollar * 9'223'372'036).nanos(), 9'223'372'036'000'000'000);
  EXPECT_THROW(dollar * 9'223'372'037, MoneyOverflow);
  EXPECT_THROW(Money::from_nanos(INT64_MIN) * -1, MoneyOverflow);
  EXPECT_FALSE(Money::from_nanos(2).checked_mul(INT64_MAX / 2 + 1));
}

TEST(CheckedTokenArithmetic, ProductsAndSumsReportOverflow) {
  EXPECT_EQ(checked_mul(4096, 128), 524'288);
  EXPECT_EQ(checked_mul(INT64_MAX, 1), INT64_MAX);
  EXPECT_FALSE(checked_mul(int64_t{1} << 32, int64_t{1} << 31));
  EXPECT_FALSE(checked_mul(INT64_MAX / 128 + 1, 128));
  EXPECT_EQ(checked_mul(INT64_MAX / 128, 128), INT64_MAX / 128 * 128);
  EXPECT_EQ(checked_add(INT64_MAX - 1, 1), INT64_MAX);
  EXPECT_FALSE(checked_add(INT64_MAX, 1));
}

TEST(PricePer1k, TutorialRequestCostsExactly) {
  PricePer1k input(*Money::parse("0.00015")), output(*Money::parse("0.0006"));
  // 14 prompt tokens: 14 * 150000 / 1000 = 2100 nanos; 25 completion: 25 * 600000 / 1000 = 15000.
  EXPECT_EQ(input.cost_of(14).nanos(), 2'100);
  EXPECT_EQ(output.cost_of(25).nanos(), 15'000);
  Money total = cost_of_terms({{14, input}, {25, output}});
  EXPECT_EQ(total.to_decimal(), "0.0000171");
  EXPECT_EQ(total.to_display(), "$0.0000171");
}

TEST(PricePer1k, RoundsSubNanoRemainderUp) {
  PricePer1k price(Money::from_nanos(1));  // $0.000000001 per 1k tokens
  EXPECT_EQ(price.cost_of(0).nanos(), 0);
  EXPECT_EQ(price.cost_of(1).nanos(), 1);     // 0.001 nano -> 1
  EXPECT_EQ(price.cost_of(1000).nanos(), 1);  // exactly 1
  EXPECT_EQ(price.cost_of(1001).nanos(), 2);
  PricePer1k p333(Money::from_nanos(333));
  EXPECT_EQ(p333.cost_of(3).nanos(), 1);  // 0.999 -> 1
  EXPECT_EQ(p333.cost_of(1000).nanos(), 333);
}

TEST(PricePer1k, TermsRoundOnceAtTheEnd) {
  PricePer1k a(Money::from_nanos(500));  // 0.5 nano per token
  // Each term alone rounds 1 token up to 1 nano; summed first, 0.5 + 0.5 = exactly 1 nano.
  EXPECT_EQ(a.cost_of(1).nanos(), 1);
  EXPECT_EQ(cost_of_terms({{1, a}, {1, a}}).nanos(), 1);
  EXPECT_EQ(cost_of_terms({}).nanos(), 0);
}

TEST(PricePer1k, HugeCountsSaturateInsteadOfWrapping) {
  PricePer1k expensive(Money::from_nanos(INT64_MAX));
  EXPECT_EQ(expensive.cost_of(INT64_MAX).nanos(), INT64_MAX);
  // Four products of 2^126 each would overflow a 128-bit total: the running sum saturates.
  EXPECT_EQ(cost_of_terms({{INT64_MAX, expensive}, {INT64_MAX, expensive}, {INT64_MAX, expensive},
                           {INT64_MAX, expensive}})
                .nanos(),
            INT64_MAX);
  EXPECT_EQ(cost_of_terms({{INT64_MIN, expensive}, {INT64_MIN, expensive}, {INT64_MIN, expensive}}).nanos(), -INT64_MAX);
  // A large term cancelled by a negative one is still exact when the total fits.
  PricePer1k dollar(*Money::parse("1"));
  EXPECT_EQ(cost_of_terms({{1'000'000, dollar}, {-999'000, dollar}}).to_decimal(), "1");
}

TEST(Percent, OfBudget) {
  Money budget = *Money::parse("500.00");
  EXPECT_EQ(percent_nanos(Money::from_nanos(17'100), budget), 3'420);
  EXPECT_EQ(format_percent(percent_nanos(Money::from_nanos(17'100), budget)), "0.00000342");
  EXPECT_EQ(format_percent(percent_nanos(*Money::parse("0.02"), budget)), "0.004");
  EXPECT_EQ(format_percent(percent_nanos(*Money::parse("250"), budget)), "50");
  EXPECT_EQ(format_percent(percent_nanos(budget, budget)), "100");
  EXPECT_EQ(format_percent(percent_nanos(*Money::parse("750"), budget)), "150");
  EXPECT_EQ(format_percent(percent_nanos(Money::zero(), budget)), "0.0");
  EXPECT_EQ(format_percent(0), "0.0");
}

TEST(Percent, ZeroOrNegativeWholeGivesZero) {
  EXPECT_EQ(percent_nanos(Money::from_nanos(5), Money::zero()), 0);
  EXPECT_EQ(percent_nanos(Money::from_nanos(5), Money::from_nanos(-5)), 0);
}

TEST(Percent, SaturatesOnExtremes) {
  EXPECT_EQ(percent_nanos(Money::from_nanos(INT64_MAX), Money::from_nanos(1)), INT64_MAX);
  EXPECT_EQ(percent_nanos(Money::from_nanos(-INT64_MAX), Money::from_nanos(1)), -INT64_MAX);
  EXPECT_EQ(format_percent(percent_nanos(Money::from_nanos(-250'000'000'000), *Money::parse("500"))), "-50");
}

}  // namespace
}  // namespace kt
