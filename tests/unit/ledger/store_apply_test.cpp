// reserve / settle / release: fit checks, idempotent replays, alerts and month roll-over.
#include "ledger_test_support.hpp"

namespace kt::ledger::testing {
namespace {

class ApplyTest : public LedgerStoreTest {
 protected:
  Balance wallet(const std::string& team, int64_t now) {
    auto b = store().balance(team, now);
    if (!b) throw std::runtime_error("no wallet for " + team);
    return *b;
  }
};
KT_LEDGER_BACKEND_SUITE(ApplyTest);

const int64_t kNow = at("2026-04", 12, 3600);

TEST_P(ApplyTest, ReserveThatFitsHoldsTheEstimate) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  OpResult r = apply_one(store(), reserve_op("req_a:0", "eng", usd("3.5")), kNow);
  EXPECT_FALSE(r.replay);
  EXPECT_EQ(r.reserve_status, ReserveStatus::reserved);
  EXPECT_EQ(r.balance.team_id, "eng");
  EXPECT_EQ(r.balance.reserved, usd("3.5"));
  EXPECT_EQ(r.balance.spent, Money::zero());
  EXPECT_EQ(r.balance.remaining(), usd("6.5"));
  EXPECT_EQ(wallet("eng", kNow).reserved, usd("3.5"));

  auto entries = store().journal("eng", month("2026-04"));
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].kind, "reserve");
  EXPECT_EQ(entries[1].key, "req_a:0");
  EXPECT_EQ(entries[1].amount, usd("3.5"));
}

TEST_P(ApplyTest, ReserveBeyondTheRemainderIsInsufficientAndChangesNothing) {
  store().allocate("eng", usd("1"), "USD", "", kNow);
  OpResult r = apply_one(store(), reserve_op("req_a:0", "eng", usd("1.000000001")), kNow);
  EXPECT_EQ(r.reserve_status, ReserveStatus::insufficient);
  EXPECT_FALSE(r.replay);
  EXPECT_EQ(r.balance.reserved, Money::zero());
  EXPECT_EQ(r.balance.remaining(), usd("1"));
  EXPECT_EQ(store().journal("eng", month("2026-04")).size(), 1u);  // the allocation only
}

TEST_P(ApplyTest, ReserveOfExactlyTheRemainderFitsAndOneNanoMoreDoesNot) {
  store().allocate("eng", usd("2"), "USD", "", kNow);
  apply_one(store(), settle_op("req_0:0", "eng", usd("0.75")), kNow);
  OpResult exact = apply_one(store(), reserve_op("req_a:0", "eng", usd("1.25")), kNow);
  EXPECT_EQ(exact.reserve_status, ReserveStatus::reserved);
  EXPECT_EQ(exact.balance.remaining(), Money::zero());
  OpResult more = apply_one(store(), reserve_op("req_b:0", "eng", Money::from_nanos(1)), kNow);
  EXPECT_EQ(more.reserve_status, ReserveStatus::insufficient);
  EXPECT_EQ(more.balance.reserved, usd("1.25"));
  EXPECT_EQ(more.balance.spent, usd("0.75"));
}

TEST_P(ApplyTest, ReserveWithoutWalletReportsNoWallet) {
  OpResult r = apply_one(store(), reserve_op("req_a:0", "ghost", usd("1")), kNow);
  EXPECT_EQ(r.reserve_status, ReserveStatus::no_wallet);
  EXPECT_EQ(r.balance.team_id, "ghost");
  EXPECT_EQ(r.balance.budget, Money::zero());
  EXPECT_EQ(r.balance.spent, Money::zero());
  EXPECT_EQ(r.balance.reserved, Money::zero());
  EXPECT_FALSE(store().balance("ghost", kNow).has_value());
}

TEST_P(ApplyTest, BlockAtPercentRefusesOnceSpendReachesIt) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  apply_one(store(), settle_op("req_0:0", "eng", usd("9")), kNow);  // 90% spent
  OpResult blocked = apply_one(store(), reserve_op("req_a:0", "eng", usd("0.5"), 90), kNow);
  EXPECT_EQ(blocked.reserve_status, ReserveStatus::blocked);
  EXPECT_EQ(blocked.balance.reserved, Money::zero());
  OpResult below = apply_one(store(), reserve_op("req_b:0", "eng", usd("0.5"), 91), kNow);
  EXPECT_EQ(below.reserve_status, ReserveStatus::reserved);
  EXPECT_EQ(below.balance.reserved, usd("0.5"));
  OpResult unset = apply_one(store(), reserve_op("req_c:0", "eng", usd("0.5"), 0), kNow);
  EXPECT_EQ(unset.reserve_status, ReserveStatus::reserved);
  EXPECT_EQ(unset.balance.remaining(), Money::zero());
}

TEST_P(ApplyTest, BlockPercentDoesNotOverflowOnHugeBudgets) {
  Money huge = Money::from_nanos(9'000'000'000'000'000'000);  // $9 billion: budget*100 > INT64_MAX
  store().allocate("big", huge, "USD", "", kNow);
  OpResult r = apply_one(store(), reserve_op("req_a:0", "big", usd("1"), 50), kNow);
  EXPECT_EQ(r.reserve_status, ReserveStatus::reserved);
  EXPECT_EQ(r.balance.remaining(), Money::from_nanos(8'999'999'999'000'000'000));
}

TEST_P(ApplyTest, ReplayedReserveReturnsTheFirstOutcomeAndHoldsOnce) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  apply_one(store(), reserve_op("req_a:0", "eng", usd("4")), kNow);
  OpResult again = apply_one(store(), reserve_op("req_a:0", "eng", usd("4")), kNow);
  EXPECT_TRUE(again.replay);
  EXPECT_EQ(again.reserve_status, ReserveStatus::reserved);
  EXPECT_EQ(again.balance.reserved, usd("4"));
  EXPECT_EQ(store().journal("eng", month("2026-04")).size(), 2u);
}

TEST_P(ApplyTest, ReplayedRefusedReserveStaysRefused) {
  store().allocate("eng", usd("1"), "USD", "", kNow);
  apply_one(store(), reserve_op("req_a:0", "eng", usd("5")), kNow);
  store().allocate("eng", usd("100"), "USD", "top up", kNow);
  OpResult again = apply_one(store(), reserve_op("req_a:0", "eng", usd("5")), kNow);
  EXPECT_TRUE(again.replay);
  EXPECT_EQ(again.reserve_status, ReserveStatus::insufficient);
  EXPECT_EQ(again.balance.reserved, Money::zero());
  EXPECT_EQ(again.balance.remaining(), usd("100"));

  OpResult ghost = apply_one(store(), reserve_op("req_g:0", "ghost", usd("1")), kNow);
  store().allocate("ghost", usd("100"), "USD", "", kNow);
  OpResult ghost_again = apply_one(store(), reserve_op("req_g:0", "ghost", usd("1")), kNow);
  EXPECT_EQ(ghost.reserve_status, ReserveStatus::no_wallet);
  EXPECT_TRUE(ghost_again.replay);
  EXPECT_EQ(ghost_again.reserve_status, ReserveStatus::no_wallet);
  EXPECT_EQ(ghost_again.balance.reserved, Money::zero());
}

TEST_P(ApplyTest, SettleReplacesTheEstimateWithTheActualCost) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  apply_one(store(), reserve_op("req_a:0", "eng", usd("2")), kNow);
  apply_one(store(), reserve_op("req_b:0", "eng", usd("1")), kNow);
  OpResult r = apply_one(store(), settle_op("req_a:0", "eng", usd("1.234567891"), "gpt-4o", 1200, 300), kNow + 5);
  EXPECT_FALSE(r.replay);
  EXPECT_EQ(r.balance.spent, usd("1.234567891"));
  EXPECT_EQ(r.balance.reserved, usd("1"));
  EXPECT_EQ(r.balance.remaining(), usd("7.765432109"));

  auto entries = store().journal("eng", month("2026-04"));
  ASSERT_EQ(entries.size(), 4u);
  const JournalEntry& s = entries[3];
  EXPECT_EQ(s.kind, "settle");
  EXPECT_EQ(s.key, "req_a:0");
  EXPECT_EQ(s.amount, usd("1.234567891"));
  EXPECT_EQ(s.model, "gpt-4o");
  EXPECT_EQ(s.provider, "openai");
  EXPECT_EQ(s.consumer_group, "eng-default");
  EXPECT_EQ(s.prompt_tokens, 1200);
  EXPECT_EQ(s.completion_tokens, 300);
  EXPECT_EQ(s.created_at, kNow + 5);
}

TEST_P(ApplyTest, ReplayedSettleChangesNothing) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  apply_one(store(), reserve_op("req_a:0", "eng", usd("2")), kNow);
  apply_one(store(), settle_op("req_a:0", "eng", usd("1.5")), kNow);
  OpResult again = apply_one(store(), settle_op("req_a:0", "eng", usd("1.5")), kNow);
  EXPECT_TRUE(again.replay);
  EXPECT_EQ(again.balance.spent, usd("1.5"));
  EXPECT_EQ(again.balance.reserved, Money::zero());
  // A release after the settle is a replay too: the reservation is gone already.
  OpResult late = apply_one(store(), release_op("req_a:0", "eng"), kNow);
  EXPECT_TRUE(late.replay);
  EXPECT_EQ(late.balance.spent, usd("1.5"));
  EXPECT_EQ(late.balance.reserved, Money::zero());
  EXPECT_EQ(store().journal("eng", month("2026-04")).size(), 3u);
}

TEST_P(ApplyTest, SettleMayPushSpendPastTheBudget) {
  store().allocate("eng", usd("1"), "USD", "", kNow);
  apply_one(store(), reserve_op("req_a:0", "eng", usd("1")), kNow);
  OpResult r = apply_one(store(), settle_op("req_a:0", "eng", usd("1.5")), kNow);
  EXPECT_EQ(r.balance.spent, usd("1.5"));
  EXPECT_EQ(r.balance.reserved, Money::zero());
  EXPECT_EQ(r.balance.remaining(), usd("-0.5"));
}

TEST_P(ApplyTest, SettleWithoutReservationChargesDirectlyOnce) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  OpResult r = apply_one(store(), settle_op("req_a:0", "eng", usd("0.02"), "gpt-4o-mini", 10, 20), kNow);
  EXPECT_FALSE(r.replay);
  EXPECT_EQ(r.balance.spent, usd("0.02"));
  EXPECT_EQ(r.balance.reserved, Money::zero());
  OpResult again = apply_one(store(), settle_op("req_a:0", "eng", usd("0.02")), kNow);
  EXPECT_TRUE(again.replay);
  EXPECT_EQ(again.balance.spent, usd("0.02"));

  auto entries = store().journal("eng", month("2026-04"));
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].kind, "charge");
  EXPECT_EQ(entries[1].amount, usd("0.02"));
  EXPECT_EQ(entries[1].model, "gpt-4o-mini");
}

TEST_P(ApplyTest, ReleaseGivesTheHoldBackOnce) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  apply_one(store(), reserve_op("req_a:0", "eng", usd("6")), kNow);
  OpResult r = apply_one(store(), release_op("req_a:0", "eng"), kNow);
  EXPECT_FALSE(r.replay);
  EXPECT_EQ(r.balance.reserved, Money::zero());
  EXPECT_EQ(r.balance.remaining(), usd("10"));
  OpResult again = apply_one(store(), release_op("req_a:0", "eng"), kNow);
  EXPECT_TRUE(again.replay);
  EXPECT_EQ(again.balance.reserved, Money::zero());
  OpResult settle_after = apply_one(store(), settle_op("req_a:0", "eng", usd("1")), kNow);
  EXPECT_TRUE(settle_after.replay);
  EXPECT_EQ(settle_after.balance.spent, Money::zero());
  OpResult unknown = apply_one(store(), release_op("req_never:0", "eng"), kNow);
  EXPECT_TRUE(unknown.replay);

  auto entries = store().journal("eng", month("2026-04"));
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[2].kind, "release");
  EXPECT_EQ(entries[2].amount, usd("6"));
}

// A gateway that gave up on a stalled API logs the release; the API may apply it before the
// stalled reserve arrives. The late reserve must hold nothing (not money until the TTL).
TEST_P(ApplyTest, AReleaseThatOvertakesItsReserveLeavesNothingHeld) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  OpResult early = apply_one(store(), release_op("req_stalled:0", "eng"), kNow);
  EXPECT_TRUE(early.replay);
  OpResult late = apply_one(store(), reserve_op("req_stalled:0", "eng", usd("6")), kNow);
  EXPECT_TRUE(late.replay);
  EXPECT_EQ(late.balance.reserved, Money::zero());
  EXPECT_EQ(late.balance.remaining(), usd("10"));
  OpResult settle = apply_one(store(), settle_op("req_stalled:0", "eng", usd("1")), kNow);
  EXPECT_TRUE(settle.replay);
  EXPECT_EQ(settle.balance.spent, Money::zero());
  EXPECT_TRUE(store().journal("eng", month("2026-04")).size() == 1u);  // the allocation alone
}

TEST_P(ApplyTest, BatchAppliesInOrderWithOneResultPerOp) {
  store().allocate("eng", usd("5"), "USD", "", kNow);
  auto results = store().apply({reserve_op("a", "eng", usd("3")), reserve_op("b", "eng", usd("3")),
                                settle_op("a", "eng", usd("1")), reserve_op("b2", "eng", usd("3")),
                                release_op("b2", "eng")},
                               kNow);
  ASSERT_EQ(results.size(), 5u);
  EXPECT_EQ(results[0].reserve_status, ReserveStatus::reserved);
  EXPECT_EQ(results[1].reserve_status, ReserveStatus::insufficient);  // 3 + 3 > 5
  EXPECT_EQ(results[2].balance.spent, usd("1"));
  EXPECT_EQ(results[3].reserve_status, ReserveStatus::reserved);      // 1 + 3 <= 5
  EXPECT_EQ(results[3].balance.reserved, usd("3"));
  EXPECT_EQ(results[4].balance.reserved, Money::zero());
  EXPECT_EQ(results[4].balance.remaining(), usd("4"));
}

TEST_P(ApplyTest, InvalidOpFailsTheWholeBatch) {
  store().allocate("eng", usd("5"), "USD", "", kNow);
  EXPECT_THROW(store().apply({reserve_op("a", "eng", usd("1")), settle_op("b", "eng", usd("-1"))}, kNow),
               StoreError);
  EXPECT_THROW(store().apply({reserve_op("", "eng", usd("1"))}, kNow), StoreError);
  Balance b = wallet("eng", kNow);
  EXPECT_EQ(b.reserved, Money::zero());
  EXPECT_EQ(b.spent, Money::zero());
  // The key of the failed batch was not consumed.
  EXPECT_FALSE(apply_one(store(), reserve_op("a", "eng", usd("1")), kNow).replay);
}

TEST_P(ApplyTest, AlertThresholdsFireOncePerPeriod) {
  store().allocate("eng", usd("100"), "USD", "", kNow);
  std::vector<int> th = {50, 80, 100};
  EXPECT_TRUE(apply_one(store(), settle_op("s1", "eng", usd("30"), "m", 0, 0, th), kNow).fired_thresholds.empty());
  EXPECT_EQ(apply_one(store(), settle_op("s2", "eng", usd("25"), "m", 0, 0, th), kNow).fired_thresholds,
            std::vector<int>{50});
  EXPECT_TRUE(apply_one(store(), settle_op("s3", "eng", usd("1"), "m", 0, 0, th), kNow).fired_thresholds.empty());
  // A replay of the settle that fired must not fire again.
  EXPECT_TRUE(apply_one(store(), settle_op("s2", "eng", usd("25"), "m", 0, 0, th), kNow).fired_thresholds.empty());
  EXPECT_EQ(apply_one(store(), settle_op("s4", "eng", usd("24"), "m", 0, 0, th), kNow).fired_thresholds,
            std::vector<int>{80});  // exactly 80%
  EXPECT_TRUE(apply_one(store(), settle_op("s5", "eng", usd("19.999999999"), "m", 0, 0, th), kNow)
                  .fired_thresholds.empty());
  EXPECT_EQ(apply_one(store(), settle_op("s6", "eng", Money::from_nanos(1), "m", 0, 0, th), kNow).fired_thresholds,
            std::vector<int>{100});
}

TEST_P(ApplyTest, OneSettleCrossingTwoThresholdsFiresBoth) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  apply_one(store(), reserve_op("r", "eng", usd("9")), kNow);
  OpResult r = apply_one(store(), settle_op("r", "eng", usd("8.5"), "m", 0, 0, {80, 50, 95}), kNow);
  EXPECT_EQ(r.fired_thresholds, (std::vector<int>{50, 80}));
  // The next month fires again.
  int64_t may = at("2026-05", 3);
  OpResult next = apply_one(store(), settle_op("n", "eng", usd("6"), "m", 0, 0, {50, 80}), may);
  EXPECT_EQ(next.fired_thresholds, std::vector<int>{50});
  EXPECT_EQ(next.balance.period.label, "2026-05");
}

TEST_P(ApplyTest, NewMonthRollsTheWalletAndKeepsTheOldOne) {
  store().allocate("eng", usd("100"), "EUR", "", kNow);
  apply_one(store(), settle_op("a", "eng", usd("40"), "gpt-4o", 100, 10), kNow);
  apply_one(store(), reserve_op("held", "eng", usd("10")), kNow);

  int64_t may = at("2026-05", 3, 60);
  Balance b = wallet("eng", may);
  EXPECT_EQ(b.period.label, "2026-05");
  EXPECT_EQ(b.currency, "EUR");
  EXPECT_EQ(b.budget, usd("100"));
  EXPECT_EQ(b.spent, Money::zero());
  EXPECT_EQ(b.reserved, Money::zero());

  // The April reservation settles against April, even when settled in May.
  OpResult late = apply_one(store(), settle_op("held", "eng", usd("7"), "gpt-4o", 50, 5), may);
  EXPECT_EQ(late.balance.period.label, "2026-05");
  EXPECT_EQ(late.balance.spent, Money::zero());
  auto april = store().spend("eng", month("2026-04"), may);
  ASSERT_TRUE(april.has_value());
  EXPECT_EQ(april->balance.period.label, "2026-04");
  EXPECT_EQ(april->balance.spent, usd("47"));
  EXPECT_EQ(april->balance.reserved, Money::zero());
  ASSERT_EQ(april->models.size(), 1u);
  EXPECT_EQ(april->models[0].cost, usd("47"));
  EXPECT_EQ(april->models[0].requests, 2);

  // A May allocation changes May only.
  store().allocate("eng", usd("60"), "EUR", "", may);
  EXPECT_EQ(wallet("eng", may).budget, usd("60"));
  EXPECT_EQ(store().spend("eng", month("2026-04"), may)->balance.budget, usd("100"));
  // Rolling from May to July carries May's budget.
  EXPECT_EQ(wallet("eng", at("2026-07", 1)).budget, usd("60"));
}

}  // namespace
}  // namespace kt::ledger::testing
