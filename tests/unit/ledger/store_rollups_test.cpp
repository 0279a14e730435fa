// Spend rollups and event retention on every backend: the rollups are the journal's sums (spend
// reports, forecasts and verify read or check them), and events leave in bounded batches while
// the money stays.
#include "ledger_test_support.hpp"

namespace kt::ledger::testing {
namespace {

class RollupStoreTest : public LedgerStoreTest {
 protected:
  void settle(const std::string& key, Money amount, const char* model, const char* group, int64_t now,
              int64_t prompt = 10, int64_t completion = 5) {
    LedgerOp op = settle_op(key, "eng", amount, model, prompt, completion);
    op.settle.consumer_group = group;
    apply_one(store(), op, now);
  }
  int64_t violations() {
    VerifyOptions o;
    o.now = at("2026-05", 2);
    auto report = store().verify(o);
    for (const auto& i : report.issues)
      if (i.severity == VerifyIssue::Severity::violation) last_violation_ = i.message;
    return report.violations();
  }
  std::string last_violation_;
};
KT_LEDGER_BACKEND_SUITE(RollupStoreTest);

Money nanos(int64_t n) { return Money::from_nanos(n); }

TEST_P(RollupStoreTest, ReportsReadTheRollupsExactlyAsTheJournalSumsThem) {
  store().allocate("eng", usd("10"), "USD", "", at("2026-04", 1));
  // Reserve then settle, a direct charge, two in one hour and key, a late settle of an April hold
  // in May (April's money, May's hour), and a reserve that is only released (no spend).
  apply_one(store(), reserve_op("a", "eng", usd("0.5")), at("2026-04", 3, 3600));
  settle("a", usd("0.01"), "gpt-4o", "web", at("2026-04", 3, 3601), 100, 20);
  settle("b", usd("0.02"), "gpt-4o-mini", "batch", at("2026-04", 3, 3700), 7, 3);
  settle("c", usd("0.04"), "gpt-4o", "web", at("2026-04", 3, 7199), 1, 1);
  apply_one(store(), reserve_op("late", "eng", usd("0.5")), at("2026-04", 30, 86399));
  settle("late", usd("0.08"), "gpt-4o", "web", at("2026-05", 1, 60), 2, 2);
  apply_one(store(), reserve_op("gone", "eng", usd("0.5")), at("2026-04", 3, 3600));
  apply_one(store(), release_op("gone", "eng"), at("2026-04", 3, 3650));

  auto report = store().spend("eng", month("2026-04"), at("2026-05", 1, 120));
  ASSERT_TRUE(report.has_value());
  ASSERT_EQ(report->models.size(), 2u);
  EXPECT_EQ(report->models[0].model, "gpt-4o");
  EXPECT_EQ(report->models[0].cost, usd("0.13"));
  EXPECT_EQ(report->models[0].requests, 3);
  EXPECT_EQ(report->models[0].prompt_tokens, 103);
  EXPECT_EQ(report->models[0].completion_tokens, 23);
  EXPECT_EQ(report->models[1].cost, usd("0.02"));
  EXPECT_EQ(report->balance.spent, usd("0.15"));

  auto by_day = store().spend_by("eng", month("2026-04"), SpendGrouping::day);
  ASSERT_EQ(by_day.size(), 2u);
  EXPECT_EQ(by_day[0].key, std::to_string(at("2026-04", 3) / 86400));
  EXPECT_EQ(by_day[0].cost, usd("0.07"));
  EXPECT_EQ(by_day[0].requests, 3);
  EXPECT_EQ(by_day[1].key, std::to_string(at("2026-05", 1) / 86400));  // settled on May 1st (UTC), April's money
  EXPECT_EQ(by_day[1].cost, usd("0.08"));
  auto by_group = store().spend_by("eng", month("2026-04"), SpendGrouping::group);
  ASSERT_EQ(by_group.size(), 2u);
  EXPECT_EQ(by_group[0].key, "web");
  EXPECT_EQ(by_group[0].cost, usd("0.13"));
  EXPECT_EQ(by_group[1].prompt_tokens, 7);
  EXPECT_TRUE(store().spend_by("eng", month("2026-05"), SpendGrouping::model).empty());
  EXPECT_EQ(violations(), 0) << last_violation_;

  if (!db_.tamper) return;  // a private in-memory database cannot be corrupted from outside
  db_.tamper("UPDATE spend_rollups SET cost = cost + 1 WHERE model = 'gpt-4o-mini'");
  EXPECT_EQ(violations(), 1);
  EXPECT_NE(last_violation_.find("spend rollup of the hour from 2026-04-03T01:00:00.000000Z (model 'gpt-4o-mini', "
                                 "group 'batch') differs from its journal lines: journal minus rollup is -$0.000000001"),
            std::string::npos)
      << last_violation_;
}

TEST_P(RollupStoreTest, ForecastWindowsAreExactAcrossHourEdges) {
  // now is 12:30:00: the hour's window is (11:30:00, 12:30:00], the day's from Apr 9th 12:30:00.
  const int64_t now = at("2026-04", 10, 12 * 3600 + 1800);
  store().allocate("eng", usd("100"), "USD", "", at("2026-04", 1));
  struct Line {
    int64_t at, nanos;
  } lines[] = {
      {now - 3600, 1},            // on the hour's edge: out of the hour, in the day
      {now - 3599, 2},            // hour, day, week
      {now / 3600 * 3600, 4},     // the current hour's first second
      {now, 8},                   // now itself
      {now + 1, 16},              // after now: in no window
      {now - 86400, 32},          // on the day's edge: week only
      {now - 86399, 64},          // day and week (a partial hour of the day's window)
      {now - 86400 + 1800, 128},  // the day's first whole hour
      {now - 7 * 86400, 256},     // on the week's edge: out
      {now - 7 * 86400 + 1, 512}, // week
      {at("2026-04", 5), 1024},   // week (a whole hour)
  };
  int i = 0;
  for (const auto& l : lines) settle("k" + std::to_string(i++), nanos(l.nanos), "gpt-4o", "web", l.at);
  SpendHistory h = store().spend_history("eng", now);
  EXPECT_EQ(h.last_hour, nanos(2 + 4 + 8));
  EXPECT_EQ(h.last_day, nanos(1 + 2 + 4 + 8 + 64 + 128));
  EXPECT_EQ(h.last_7_days, nanos(1 + 2 + 4 + 8 + 32 + 64 + 128 + 512 + 1024));
  EXPECT_EQ(violations(), 0) << last_violation_;
}

TEST_P(RollupStoreTest, RetentionDeletesOldEventsInBoundedBatchesAndKeepsTheMoney) {
  store().allocate("eng", usd("10"), "USD", "", at("2026-04", 1));
  settle("s", usd("0.25"), "gpt-4o", "web", at("2026-04", 2));
  auto ev = [](const char* id, int64_t ts) { return EventRecord{id, "decision", ts, "eng", "web", "{}"}; };
  store().insert_events({ev("e40", 40), ev("e10", 10), ev("e30", 30), ev("e20", 20), ev("e35", 35)});
  EXPECT_EQ(store().prune_events(35, 2), 2);  // the two oldest
  EXPECT_FALSE(store().event_by_id("e10").has_value());
  EXPECT_FALSE(store().event_by_id("e20").has_value());
  EXPECT_TRUE(store().event_by_id("e30").has_value());
  EXPECT_EQ(store().prune_events(35, 2), 1);  // 35 itself is not before 35
  EXPECT_EQ(store().prune_events(35, 2), 0);
  EXPECT_TRUE(store().event_by_id("e35").has_value());
  EXPECT_TRUE(store().event_by_id("e40").has_value());
  auto report = store().spend("eng", month("2026-04"), at("2026-04", 3));
  ASSERT_EQ(report->models.size(), 1u);
  EXPECT_EQ(report->models[0].cost, usd("0.25"));
  EXPECT_EQ(violations(), 0) << last_violation_;
}

}  // namespace
}  // namespace kt::ledger::testing
