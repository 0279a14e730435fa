// Forecasts (ledger/forecast.hpp): the pace's window, the exhaustion date and the sentence, exact.
#include <gtest/gtest.h>

#include <limits>

#include "ledger/forecast.hpp"

namespace kt::ledger {
namespace {

constexpr int64_t kDec1 = 1796083200;  // 2026-12-01T00:00:00Z
constexpr int64_t kDay = 86400;

Money usd(const char* s) { return *Money::parse(s); }

Balance december(const char* budget, const char* spent) {
  Balance b;
  b.team_id = "team_a";
  b.budget = usd(budget);
  b.spent = spent ? usd(spent) : Money::zero();
  b.period = month_period_of(kDec1);
  return b;
}

TEST(Forecast, SevenDayPaceRunsOutBeforeThePeriodEnds) {
  SpendHistory h{kDec1 - 10 * kDay, usd("0.5"), usd("4"), usd("28")};
  Forecast f = make_forecast(december("100", "40"), h, kDec1);
  EXPECT_EQ(f.pace, "last_7_days");
  EXPECT_EQ(f.pace_per_day, usd("4"));
  EXPECT_EQ(f.windows[0].per_day, usd("12"));  // 0.5 an hour
  EXPECT_TRUE(f.windows[0].complete && f.windows[2].complete);
  EXPECT_EQ(f.left, usd("60"));
  ASSERT_TRUE(f.exhausts_at);
  EXPECT_EQ(*f.exhausts_at, kDec1 + 15 * kDay);
  EXPECT_TRUE(f.before_period_end);
  EXPECT_EQ(forecast_sentence(f),
            "At the last 7 days' pace the budget runs out on 2026-12-16 (16 days before the period ends)");
}

TEST(Forecast, ShorterHistoryUsesTheLongestCompleteWindow) {
  SpendHistory h{kDec1 - 2 * kDay, Money::zero(), usd("1"), usd("3")};
  Forecast f = make_forecast(december("100", "3"), h, kDec1);
  EXPECT_EQ(f.pace, "last_day");
  EXPECT_FALSE(f.windows[2].complete);
  ASSERT_TRUE(f.exhausts_at);
  EXPECT_EQ(*f.exhausts_at, kDec1 + 97 * kDay);
  EXPECT_FALSE(f.before_period_end);
  EXPECT_EQ(forecast_sentence(f), "At the last day's pace the budget lasts the period (it would run out on 2027-03-08).");
}

TEST(Forecast, YoungHistoryAndNoSpend) {
  SpendHistory young{kDec1 - 600, usd("0.01"), usd("0.01"), usd("0.01")};
  Forecast f = make_forecast(december("1", "0.01"), young, kDec1);
  EXPECT_EQ(f.pace, "since_first_allocation");
  EXPECT_EQ(f.pace_seconds, 600);
  ASSERT_TRUE(f.exhausts_at);
  EXPECT_EQ(*f.exhausts_at, kDec1 + 99 * 600);  // 0.99 left at 0.01 per 600 s
  SpendHistory quiet{kDec1 - 30 * kDay, Money::zero(), Money::zero(), Money::zero()};
  Forecast q = make_forecast(december("1", nullptr), quiet, kDec1);
  EXPECT_FALSE(q.exhausts_at);
  EXPECT_EQ(forecast_sentence(q), "No spend in the last 7 days: no forecast.");
  Forecast none = make_forecast(december("1", nullptr), SpendHistory{}, kDec1);
  EXPECT_TRUE(none.pace.empty());
}

TEST(Forecast, SpentBudgetAndHugeFiguresDoNotOverflow) {
  SpendHistory h{kDec1 - 30 * kDay, Money::zero(), Money::zero(), Money::from_nanos(1)};
  Forecast f = make_forecast(december("9000000000", nullptr), h, kDec1);
  ASSERT_TRUE(f.exhausts_at);
  EXPECT_EQ(*f.exhausts_at, std::numeric_limits<int64_t>::max());
  Forecast used = make_forecast(december("1", "1"), h, kDec1);
  EXPECT_EQ(*used.exhausts_at, kDec1);
  EXPECT_EQ(forecast_sentence(used), "The budget is used up.");
}

}  // namespace
}  // namespace kt::ledger
