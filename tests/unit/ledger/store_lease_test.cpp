// Budget leases in the store: grants inside the remaining budget (a quarter at most, exactly one
// request near exhaustion), settles against a lease, returns, renewals, expiry, replays, verify.
#include "ledger/ledger_rules.hpp"
#include "ledger_test_support.hpp"

namespace kt::ledger::testing {
namespace {

class LeaseTest : public LedgerStoreTest {
 protected:
  Balance wallet(const std::string& team, int64_t now) {
    auto b = store().balance(team, now);
    if (!b) throw std::runtime_error("no wallet for " + team);
    return *b;
  }
};
KT_LEDGER_BACKEND_SUITE(LeaseTest);

const int64_t kNow = at("2026-04", 12, 3600);

LedgerOp acquire_op(const std::string& id, const std::string& team, Money want, Money min, int64_t ttl = 60) {
  LedgerOp op{};
  op.kind = LedgerOp::Kind::lease_acquire;
  op.lease_acquire = LeaseAcquireOp{id, team, "gw_test-w0", want, min, ttl, 0, ""};
  return op;
}
LedgerOp return_op(const std::string& id, const std::string& team) {
  LedgerOp op{};
  op.kind = LedgerOp::Kind::lease_return;
  op.lease_return = LeaseReturnOp{id, team};
  return op;
}
LedgerOp renew_op(const std::string& id, const std::string& team, int64_t ttl) {
  LedgerOp op{};
  op.kind = LedgerOp::Kind::lease_renew;
  op.lease_renew = LeaseRenewOp{id, team, ttl};
  return op;
}
LedgerOp lease_settle(const std::string& key, const std::string& lease, const std::string& team, Money estimate,
                      Money actual) {
  LedgerOp op = settle_op(key, team, actual);
  op.settle.lease_id = lease;
  op.settle.estimate = estimate;
  return op;
}

TEST(LeaseGrantRule, AQuarterOfWhatRemainsUnlessTheRequestNeedsMore) {
  EXPECT_EQ(lease_grant(usd("100"), usd("50"), usd("1")), usd("25"));
  EXPECT_EQ(lease_grant(usd("100"), usd("10"), usd("1")), usd("10"));
  EXPECT_EQ(lease_grant(usd("2"), usd("10"), usd("1")), usd("1"));     // near exhaustion: one request
  EXPECT_EQ(lease_grant(usd("1"), usd("10"), usd("1")), usd("1"));     // exactly the remainder
  EXPECT_EQ(lease_grant(usd("0.999999999"), usd("10"), usd("1")), Money::zero());  // does not fit
  EXPECT_EQ(lease_grant(Money::zero(), usd("1"), Money::zero()), Money::zero());
}

TEST_P(LeaseTest, GrantIsHeldAsLeasedAndCountsAgainstRemaining) {
  store().allocate("eng", usd("100"), "USD", "", kNow);
  OpResult r = apply_one(store(), acquire_op("L1", "eng", usd("50"), usd("1")), kNow);
  EXPECT_EQ(r.reserve_status, ReserveStatus::reserved);
  ASSERT_TRUE(r.lease);
  EXPECT_EQ(r.lease->state, "active");
  EXPECT_EQ(r.lease->amount, usd("25"));
  EXPECT_EQ(r.lease->expires_at, kNow + 60);
  EXPECT_EQ(r.lease->period_end, month("2026-04").end);
  EXPECT_EQ(wallet("eng", kNow).leased, usd("25"));
  EXPECT_EQ(wallet("eng", kNow).remaining(), usd("75"));
  // A reservation cannot take what is leased.
  EXPECT_EQ(apply_one(store(), reserve_op("r:1", "eng", usd("75.000000001")), kNow).reserve_status,
            ReserveStatus::insufficient);
  EXPECT_EQ(apply_one(store(), reserve_op("r:2", "eng", usd("75")), kNow).reserve_status, ReserveStatus::reserved);
  // Nor can another lease.
  OpResult none = apply_one(store(), acquire_op("L2", "eng", usd("1"), usd("0.000000001")), kNow);
  EXPECT_EQ(none.reserve_status, ReserveStatus::insufficient);
  EXPECT_EQ(none.lease->state, "refused");
}

TEST_P(LeaseTest, LeasesNeverAddUpToMoreThanTheBudget) {
  store().allocate("eng", usd("1"), "USD", "", kNow);
  Money total;
  for (int i = 0; i < 200; ++i) {
    OpResult r = apply_one(store(), acquire_op("L" + std::to_string(i), "eng", usd("1"), usd("0.01")), kNow);
    if (r.reserve_status == ReserveStatus::reserved) total += r.lease->amount;
  }
  EXPECT_LE(total, usd("1"));
  EXPECT_GE(total, usd("0.99"));  // shrinking to one request's worth uses (almost) all of it
  EXPECT_EQ(wallet("eng", kNow).leased, total);
}

TEST_P(LeaseTest, SettleConsumesTheLeaseAndReturnGivesBackTheRest) {
  store().allocate("eng", usd("100"), "USD", "", kNow);
  apply_one(store(), acquire_op("L1", "eng", usd("10"), usd("1")), kNow);
  OpResult s = apply_one(store(), lease_settle("req_a:1", "L1", "eng", usd("1"), usd("0.25")), kNow);
  EXPECT_FALSE(s.replay);
  EXPECT_EQ(s.balance.spent, usd("0.25"));
  EXPECT_EQ(s.balance.leased, usd("9.75"));
  EXPECT_EQ(s.balance.remaining(), usd("90"));
  // Replayed settle: nothing changes.
  EXPECT_TRUE(apply_one(store(), lease_settle("req_a:1", "L1", "eng", usd("1"), usd("0.25")), kNow).replay);
  EXPECT_EQ(wallet("eng", kNow).spent, usd("0.25"));

  OpResult back = apply_one(store(), return_op("L1", "eng"), kNow);
  EXPECT_EQ(back.lease->state, "returned");
  EXPECT_EQ(back.balance.leased, Money::zero());
  EXPECT_EQ(back.balance.remaining(), usd("99.75"));
  EXPECT_TRUE(apply_one(store(), return_op("L1", "eng"), kNow).replay);
  EXPECT_EQ(wallet("eng", kNow).remaining(), usd("99.75"));

  auto entries = store().journal("eng", month("2026-04"));
  ASSERT_EQ(entries.size(), 4u);  // allocate, lease, settle, lease_return
  EXPECT_EQ(entries[1].kind, "lease");
  EXPECT_EQ(entries[1].amount, usd("10"));
  EXPECT_EQ(entries[2].kind, "settle");
  EXPECT_EQ(entries[3].kind, "lease_return");
  EXPECT_EQ(entries[3].amount, usd("9.75"));
  EXPECT_EQ(store().verify({kNow, 900}).violations(), 0);
}

TEST_P(LeaseTest, ReplayedAcquireReturnsTheFirstGrant) {
  store().allocate("eng", usd("100"), "USD", "", kNow);
  OpResult a = apply_one(store(), acquire_op("L1", "eng", usd("10"), usd("1")), kNow);
  OpResult b = apply_one(store(), acquire_op("L1", "eng", usd("10"), usd("1")), kNow + 5);
  EXPECT_TRUE(b.replay);
  EXPECT_EQ(b.lease->amount, a.lease->amount);
  EXPECT_EQ(wallet("eng", kNow).leased, usd("10"));
}

TEST_P(LeaseTest, UnrenewedLeaseExpiresAndItsSettleStillCharges) {
  store().allocate("eng", usd("100"), "USD", "", kNow);
  apply_one(store(), acquire_op("L1", "eng", usd("10"), usd("1"), 30), kNow);
  apply_one(store(), acquire_op("L2", "eng", usd("10"), usd("1"), 30), kNow);
  apply_one(store(), lease_settle("req_a:1", "L1", "eng", usd("1"), usd("2")), kNow);
  // L2 is renewed, L1 is not.
  OpResult renewed = apply_one(store(), renew_op("L2", "eng", 30), kNow + 20);
  EXPECT_EQ(renewed.lease->expires_at, kNow + 50);
  ExpiryReport early = store().expire(kNow + 29, 900, 900);
  EXPECT_EQ(early.leases, 0);
  ExpiryReport due = store().expire(kNow + 30, 900, 900);
  EXPECT_EQ(due.leases, 1);
  EXPECT_EQ(due.returned, usd("8"));
  EXPECT_EQ(wallet("eng", kNow + 30).leased, usd("10"));  // L2 only
  EXPECT_EQ(store().expire(kNow + 31, 900, 900).leases, 0);     // once
  // A renewal of the expired lease tells the gateway to stop using it.
  EXPECT_EQ(apply_one(store(), renew_op("L1", "eng", 30), kNow + 31).lease->state, "expired");
  // A request that was in flight settles after the expiry: charged, nothing taken from `leased`.
  apply_one(store(), lease_settle("req_b:1", "L1", "eng", usd("1"), usd("0.5")), kNow + 32);
  Balance b = wallet("eng", kNow + 32);
  EXPECT_EQ(b.spent, usd("2.5"));
  EXPECT_EQ(b.leased, usd("10"));
  EXPECT_EQ(store().verify({kNow + 32, 900}).violations(), 0);
}

TEST_P(LeaseTest, StaleReservationsAreReturnedAndALateSettleStillCharges) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  apply_one(store(), reserve_op("req_a:1", "eng", usd("4")), kNow);
  EXPECT_EQ(store().expire(kNow + 899, 900, 900).reservations, 0);
  ExpiryReport r = store().expire(kNow + 900, 900, 900);
  EXPECT_EQ(r.reservations, 1);
  EXPECT_EQ(r.returned, usd("4"));
  EXPECT_EQ(wallet("eng", kNow + 900).reserved, Money::zero());
  apply_one(store(), settle_op("req_a:1", "eng", usd("3")), kNow + 901);
  EXPECT_EQ(wallet("eng", kNow + 901).spent, usd("3"));
  EXPECT_EQ(store().verify({kNow + 901, 900}).violations(), 0);
}

TEST_P(LeaseTest, VerifyFlagsALeaseNobodyExpiredAndALeasedFigureThatDoesNotAddUp) {
  store().allocate("eng", usd("100"), "USD", "", kNow);
  apply_one(store(), acquire_op("L1", "eng", usd("10"), usd("1"), 30), kNow);
  EXPECT_EQ(store().verify({kNow + 30, 900}).violations(), 0);
  EXPECT_EQ(store().verify({kNow + 60, 900}).violations(), 1);  // no API swept it
  if (!db_.tamper) return;
  store().expire(kNow + 60, 900, 900);
  db_.tamper("UPDATE wallets SET leased = leased + 1");
  EXPECT_EQ(store().verify({kNow + 60, 900}).violations(), 1);
}

TEST_P(LeaseTest, LeaseForAnotherPeriodEndsAtItsBoundary) {
  store().allocate("eng", usd("100"), "USD", "", kNow);
  int64_t last_second = month("2026-04").end - 1;
  OpResult r = apply_one(store(), acquire_op("L1", "eng", usd("10"), usd("1"), 3600), last_second - 10);
  EXPECT_EQ(r.lease->period_end, month("2026-04").end);
  EXPECT_EQ(store().expire(last_second, 900, 900).leases, 0);
  EXPECT_EQ(store().expire(month("2026-04").end, 900, 900).leases, 1);  // its period is over
  EXPECT_EQ(store().spend("eng", month("2026-04"), month("2026-04").end)->balance.leased, Money::zero());
}

}  // namespace
}  // namespace kt::ledger::testing
