// A consumer key's own budget inside its team's wallet, in the store: a reservation must fit both
// (the key's refusal undoes the wallet's hold in the same transaction), settles and releases move
// the key's spent and reserved exactly, an expired hold gives the key's room back and a late
// settle still counts, a rotation's successor shares the budget, monthly budgets reset.
#include "ledger_test_support.hpp"

namespace kt::ledger::testing {
namespace {

class KeyBudgetStoreTest : public LedgerStoreTest {};
KT_LEDGER_BACKEND_SUITE(KeyBudgetStoreTest);

const int64_t kNow = at("2026-04", 12, 9 * 3600);

ConsumerKeyRow budgeted(const std::string& id, char hash_digit, const char* budget, const char* period = "monthly") {
  ConsumerKeyRow k{id, "engineering", "kt_ck_" + std::string(8, hash_digit), std::string(64, hash_digit), 0, {}, {}, {}, {}, {}, std::nullopt, {}, {}, {}};
  k.budget = usd(budget);
  k.budget_period = period;
  return k;
}

LedgerOp keyed_reserve(const std::string& key, Money amount, const std::string& key_id) {
  LedgerOp op = reserve_op(key, "eng", amount);
  op.reserve.key_id = key_id;
  return op;
}

ConsumerKeyRow listed(Store& s, const std::string& id, int64_t now) {
  auto all = s.list_consumer_keys();
  s.fill_key_spend(all, now);
  for (const auto& k : all)
    if (k.id == id) return k;
  throw std::runtime_error("no key " + id);
}

TEST_P(KeyBudgetStoreTest, BothMustFitAndTheKeysRefusalHoldsNothing) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  store().create_consumer_key(budgeted("ck_1", 'a', "1"), kNow);
  EXPECT_EQ(apply_one(store(), keyed_reserve("r1", usd("0.6"), "ck_1"), kNow).reserve_status, ReserveStatus::reserved);
  auto refused = apply_one(store(), keyed_reserve("r2", usd("0.5"), "ck_1"), kNow);
  EXPECT_EQ(refused.reserve_status, ReserveStatus::key_budget);
  EXPECT_EQ(refused.balance.reserved, usd("0.6"));  // the wallet's hold for r2 was undone
  // A replay of the refused reserve stays refused, and holds nothing.
  EXPECT_EQ(apply_one(store(), keyed_reserve("r2", usd("0.5"), "ck_1"), kNow).reserve_status, ReserveStatus::key_budget);
  EXPECT_EQ(store().balance("eng", kNow)->reserved, usd("0.6"));
  // The team's own refusal wins when both are short.
  EXPECT_EQ(apply_one(store(), keyed_reserve("r3", usd("20"), "ck_1"), kNow).reserve_status, ReserveStatus::insufficient);
  // Without the key the wallet alone decides.
  EXPECT_EQ(apply_one(store(), reserve_op("r4", "eng", usd("0.5")), kNow).reserve_status, ReserveStatus::reserved);
  auto k = listed(store(), "ck_1", kNow);
  EXPECT_EQ(k.reserved, usd("0.6"));
  EXPECT_EQ(k.spent, Money::zero());
}

TEST_P(KeyBudgetStoreTest, SettleAndReleaseMoveTheKeysFiguresExactly) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  store().create_consumer_key(budgeted("ck_1", 'a', "1"), kNow);
  apply_one(store(), keyed_reserve("r1", usd("0.4"), "ck_1"), kNow);
  apply_one(store(), keyed_reserve("r2", usd("0.4"), "ck_1"), kNow);
  apply_one(store(), settle_op("r1", "eng", usd("0.123456789")), kNow);
  apply_one(store(), settle_op("r1", "eng", usd("0.123456789")), kNow);  // a replay moves nothing
  apply_one(store(), release_op("r2", "eng"), kNow);
  auto k = listed(store(), "ck_1", kNow);
  EXPECT_EQ(k.spent, usd("0.123456789"));
  EXPECT_EQ(k.reserved, Money::zero());
  EXPECT_EQ(store().balance("eng", kNow)->spent, usd("0.123456789"));
  // What is left of the key's budget is usable to the nano-dollar, and not one more.
  EXPECT_EQ(apply_one(store(), keyed_reserve("r3", usd("0.876543212"), "ck_1"), kNow).reserve_status, ReserveStatus::key_budget);
  EXPECT_EQ(apply_one(store(), keyed_reserve("r4", usd("0.876543211"), "ck_1"), kNow).reserve_status, ReserveStatus::reserved);
}

TEST_P(KeyBudgetStoreTest, AnExpiredHoldGivesTheKeyItsRoomBackAndALateSettleStillCounts) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  store().create_consumer_key(budgeted("ck_1", 'a', "1"), kNow);
  apply_one(store(), keyed_reserve("r1", usd("0.9"), "ck_1"), kNow);
  EXPECT_EQ(store().expire(kNow + 901, 900, 900).reservations, 1);
  EXPECT_EQ(listed(store(), "ck_1", kNow + 901).reserved, Money::zero());
  apply_one(store(), settle_op("r1", "eng", usd("0.25")), kNow + 902);
  auto k = listed(store(), "ck_1", kNow + 902);
  EXPECT_EQ(k.spent, usd("0.25"));
  EXPECT_EQ(k.reserved, Money::zero());
}

TEST_P(KeyBudgetStoreTest, ASuccessorSharesTheBudgetAndMonthlyBudgetsReset) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  store().create_consumer_key(budgeted("ck_1", 'a', "1"), kNow);
  apply_one(store(), keyed_reserve("r1", usd("0.7"), "ck_1"), kNow);
  apply_one(store(), settle_op("r1", "eng", usd("0.7")), kNow);
  ConsumerKeyRow fresh{"ck_2", "", "kt_ck_bbbbbbbb", std::string(64, 'b'), 0, {}, {}, {}, {}, {}, std::nullopt, {}, {}, {}};
  auto pair = store().rotate_consumer_key("ck_1", fresh, kNow + 60, kNow);
  ASSERT_TRUE(pair);
  EXPECT_EQ(pair->second.budget, usd("1"));
  EXPECT_EQ(listed(store(), "ck_2", kNow).spent, usd("0.7"));
  EXPECT_EQ(apply_one(store(), keyed_reserve("r2", usd("0.5"), "ck_2"), kNow).reserve_status, ReserveStatus::key_budget);
  // May: a new month, a new budget (the wallet needs one too).
  const int64_t may = at("2026-05", 2);
  store().allocate("eng", usd("10"), "USD", "", may);
  EXPECT_EQ(apply_one(store(), keyed_reserve("r3", usd("0.9"), "ck_2"), may).reserve_status, ReserveStatus::reserved);
  // A budget without a period never resets.
  store().create_consumer_key(budgeted("ck_3", 'c', "0.5", "none"), kNow);
  apply_one(store(), keyed_reserve("r4", usd("0.5"), "ck_3"), kNow);
  apply_one(store(), settle_op("r4", "eng", usd("0.5")), kNow);
  EXPECT_EQ(apply_one(store(), keyed_reserve("r5", usd("0.01"), "ck_3"), may).reserve_status, ReserveStatus::key_budget);
}

}  // namespace
}  // namespace kt::ledger::testing
