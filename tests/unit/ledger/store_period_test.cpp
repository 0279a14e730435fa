// Budget periods (issue 4) against every store: weekly/daily/none wallets, time zones,
// credits, changing a team's period kind, alerts once per threshold per period.
#include <climits>

#include "ledger_test_support.hpp"

namespace kt::ledger::testing {
namespace {

class PeriodStoreTest : public LedgerStoreTest {};
KT_LEDGER_BACKEND_SUITE(PeriodStoreTest);

// 2026-03-08 00:00 in New York (EST, UTC-5); that day has 23 hours (DST starts at 02:00).
constexpr int64_t kNyMar8 = 1772946000;
constexpr int64_t kNyMar9 = 1773028800;

const PeriodSpec kNyDaily{PeriodKind::daily, "America/New_York"};
const PeriodSpec kPrepaid{PeriodKind::none, "UTC"};

Money spend_of(Store& s, const std::string& team, const std::string& label, const PeriodSpec& spec, int64_t now) {
  Period p;
  EXPECT_TRUE(parse_period_label(spec, label, p)) << label;
  auto r = s.spend(team, p, now);
  EXPECT_TRUE(r.has_value()) << label;
  return r ? r->balance.spent : Money::zero();
}

TEST_P(PeriodStoreTest, DailyWalletRollsOverAtLocalMidnight) {
  auto a = store().allocate("t1", usd("10"), "USD", "daily", kNyMar8 + 3600, kNyDaily);
  EXPECT_EQ(a.balance.period.label, "2026-03-08");
  EXPECT_EQ(a.balance.period.kind, PeriodKind::daily);
  EXPECT_EQ(a.balance.period.timezone, "America/New_York");
  EXPECT_EQ(a.balance.period.start, kNyMar8);
  EXPECT_EQ(a.balance.period.end, kNyMar9);
  EXPECT_EQ(store().period_spec("t1"), kNyDaily);

  ASSERT_EQ(apply_one(store(), reserve_op("r1", "t1", usd("4")), kNyMar9 - 10).reserve_status,
            ReserveStatus::reserved);
  apply_one(store(), settle_op("r1", "t1", usd("3")), kNyMar9 - 5);
  auto before = store().balance("t1", kNyMar9 - 1);
  ASSERT_TRUE(before);
  EXPECT_EQ(before->spent, usd("3"));

  // Local midnight (05:00 UTC... 04:00 UTC after the shift): a fresh day with the same budget.
  auto after = store().balance("t1", kNyMar9);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->period.label, "2026-03-09");
  EXPECT_EQ(after->budget, usd("10"));
  EXPECT_EQ(after->spent, Money::zero());
  EXPECT_EQ(after->remaining(), usd("10"));

  // The past day stays queryable by its label.
  EXPECT_EQ(spend_of(store(), "t1", "2026-03-08", kNyDaily, kNyMar9 + 60), usd("3"));
  EXPECT_EQ(spend_of(store(), "t1", "2026-03-09", kNyDaily, kNyMar9 + 60), Money::zero());
  Period unknown_day;
  ASSERT_TRUE(parse_period_label(kNyDaily, "2026-03-01", unknown_day));
  EXPECT_FALSE(store().spend("t1", unknown_day, kNyMar9 + 60).has_value());
}

TEST_P(PeriodStoreTest, WeeklyWalletResetsOnMonday) {
  const PeriodSpec weekly{PeriodKind::weekly, "UTC"};
  const int64_t sunday = at("2026-04", 12, 23 * 3600);  // in 2026-W15
  const int64_t monday = at("2026-04", 13);
  auto a = store().allocate("t1", usd("5"), "USD", "", sunday, weekly);
  EXPECT_EQ(a.balance.period.label, "2026-W15");
  apply_one(store(), settle_op("k1", "t1", usd("2")), sunday + 60);
  auto b = store().balance("t1", monday);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->period.label, "2026-W16");
  EXPECT_EQ(b->spent, Money::zero());
  EXPECT_EQ(b->budget, usd("5"));
  EXPECT_EQ(spend_of(store(), "t1", "2026-W15", weekly, monday), usd("2"));
}

TEST_P(PeriodStoreTest, PrepaidWalletRunsOutAndIsToppedUp) {
  const int64_t t0 = at("2026-04", 30, 23 * 3600);
  auto a = store().allocate("t1", usd("1"), "USD", "prepaid", t0, kPrepaid);
  EXPECT_EQ(a.balance.period.label, "all");
  EXPECT_EQ(a.balance.period.start, 0);
  EXPECT_EQ(a.balance.period.end, INT64_MAX);
  apply_one(store(), settle_op("k1", "t1", usd("0.75")), t0 + 1);
  // Months later it is still the same period: no reset for a prepaid wallet.
  const int64_t later = at("2026-07", 2);
  EXPECT_EQ(apply_one(store(), reserve_op("k2", "t1", usd("0.50")), later).reserve_status,
            ReserveStatus::insufficient);
  auto c = store().credit("t1", usd("2"), "top-up", later + 1);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->balance.budget, usd("3"));
  EXPECT_EQ(c->balance.spent, usd("0.75"));
  EXPECT_EQ(c->balance.remaining(), usd("2.25"));
  EXPECT_EQ(apply_one(store(), reserve_op("k3", "t1", usd("0.50")), later + 2).reserve_status,
            ReserveStatus::reserved);
  apply_one(store(), settle_op("k3", "t1", usd("0.40")), later + 3);

  auto journal = store().journal("t1", period_of(kPrepaid, later));
  int credits = 0;
  for (const auto& e : journal)
    if (e.kind == "credit") {
      ++credits;
      EXPECT_EQ(e.amount, usd("2"));
      EXPECT_EQ(e.description, "top-up");
    }
  EXPECT_EQ(credits, 1);
  EXPECT_EQ(spend_of(store(), "t1", "all", kPrepaid, later + 4), usd("1.15"));
  auto report = store().verify({later + 5, 900});
  EXPECT_EQ(report.violations(), 0);
}

TEST_P(PeriodStoreTest, CreditOnARecurringWalletCountsForThisPeriodOnly) {
  const int64_t apr = at("2026-04", 10);
  store().allocate("t1", usd("10"), "USD", "", apr);
  auto c = store().credit("t1", usd("5"), "extra", apr + 10);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->balance.budget, usd("15"));
  // Re-allocating in the same month keeps the month's credit on top.
  auto a = store().allocate("t1", usd("12"), "USD", "", apr + 20);
  EXPECT_EQ(a.balance.budget, usd("17"));
  // May starts from the allocated budget, without April's credit.
  auto may = store().balance("t1", at("2026-05", 1));
  ASSERT_TRUE(may);
  EXPECT_EQ(may->budget, usd("12"));
  EXPECT_EQ(store().verify({at("2026-05", 1), 900}).violations(), 0);
}

TEST_P(PeriodStoreTest, CreditNeedsAWalletAndAPositiveAmount) {
  EXPECT_FALSE(store().credit("nobody", usd("1"), "", at("2026-04", 2)).has_value());
  store().allocate("t1", usd("1"), "USD", "", at("2026-04", 2));
  EXPECT_THROW(store().credit("t1", Money::zero(), "", at("2026-04", 2)), StoreError);
  EXPECT_THROW(store().credit("t1", usd("-1"), "", at("2026-04", 2)), StoreError);
  EXPECT_EQ(store().balance("t1", at("2026-04", 2))->budget, usd("1"));
}

TEST_P(PeriodStoreTest, UnknownTimeZoneChangesNothing) {
  store().allocate("t1", usd("1"), "USD", "", at("2026-04", 2));
  EXPECT_THROW(store().allocate("t1", usd("9"), "USD", "", at("2026-04", 3), PeriodSpec{PeriodKind::daily, "Mars/Base"}),
               StoreError);
  EXPECT_EQ(store().period_spec("t1"), PeriodSpec{});
  auto b = store().balance("t1", at("2026-04", 3));
  ASSERT_TRUE(b);
  EXPECT_EQ(b->budget, usd("1"));
  EXPECT_EQ(b->period.label, "2026-04");
}

TEST_P(PeriodStoreTest, ChangingTheKindTakesEffectFromTheCurrentPeriod) {
  const int64_t apr10 = at("2026-04", 10, 12 * 3600);
  store().allocate("t1", usd("100"), "USD", "", at("2026-04", 2));
  apply_one(store(), settle_op("k1", "t1", usd("30")), at("2026-04", 3));
  auto a = store().allocate("t1", usd("5"), "USD", "", apr10, PeriodSpec{PeriodKind::daily, "+02:00"});
  EXPECT_EQ(a.balance.period.label, "2026-04-10");
  EXPECT_EQ(a.balance.period.start, at("2026-04", 10) - 2 * 3600);
  EXPECT_EQ(a.balance.budget, usd("5"));
  EXPECT_EQ(a.balance.spent, Money::zero());
  // The April month keeps its own label and spend.
  Period april;
  ASSERT_TRUE(parse_period_label(PeriodSpec{}, "2026-04", april));
  auto old = store().spend("t1", april, apr10 + 60);
  ASSERT_TRUE(old);
  EXPECT_EQ(old->balance.spent, usd("30"));
  EXPECT_EQ(old->balance.period.kind, PeriodKind::monthly);
  // The next local day starts with the daily budget; the list shows the current day.
  auto next = store().balance("t1", at("2026-04", 11) - 2 * 3600);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->period.label, "2026-04-11");
  EXPECT_EQ(next->budget, usd("5"));
  auto all = store().list_balances(at("2026-04", 11));
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].period.label, "2026-04-11");
  // Allocating without a spec keeps the team's spec.
  auto again = store().allocate("t1", usd("6"), "USD", "", at("2026-04", 11));
  EXPECT_EQ(again.balance.period.kind, PeriodKind::daily);
  EXPECT_EQ(again.balance.period.timezone, "+02:00");
}

TEST_P(PeriodStoreTest, AlertsFireOncePerThresholdPerDailyPeriod) {
  const PeriodSpec utc_daily{PeriodKind::daily, "UTC"};
  store().allocate("t1", usd("10"), "USD", "", at("2026-04", 1), utc_daily);
  auto first = apply_one(store(), settle_op("k1", "t1", usd("6"), "gpt-4o", 0, 0, {50}), at("2026-04", 1, 60));
  EXPECT_EQ(first.fired_thresholds, std::vector<int>{50});
  auto again = apply_one(store(), settle_op("k2", "t1", usd("1"), "gpt-4o", 0, 0, {50}), at("2026-04", 1, 120));
  EXPECT_TRUE(again.fired_thresholds.empty());
  auto next_day = apply_one(store(), settle_op("k3", "t1", usd("6"), "gpt-4o", 0, 0, {50}), at("2026-04", 2, 60));
  EXPECT_EQ(next_day.fired_thresholds, std::vector<int>{50});
}

}  // namespace
}  // namespace kt::ledger::testing
