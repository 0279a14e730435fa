// verify(): the invariants `kt ledger verify` checks, on a healthy ledger and on one corrupted
// behind the store's back.
#include "ledger_test_support.hpp"

namespace kt::ledger::testing {
namespace {

class VerifyTest : public LedgerStoreTest {
 protected:
  VerifyReport verify(int64_t now, int64_t ttl = 900) { return store().verify({now, ttl}); }
  static std::string describe(const VerifyReport& r) {
    std::string out;
    for (const auto& i : r.issues)
      out += (i.severity == VerifyIssue::Severity::violation ? "violation " : "warning ") + i.team_id + " " +
             i.period + ": " + i.message + "\n";
    return out;
  }
  static bool mentions(const VerifyReport& r, VerifyIssue::Severity severity, const std::string& text) {
    for (const auto& i : r.issues)
      if (i.severity == severity && i.message.find(text) != std::string::npos) return true;
    return false;
  }
};
KT_LEDGER_BACKEND_SUITE(VerifyTest);
// Tests that corrupt the database behind the store's back need one they can open twice.
class VerifyTamperTest : public VerifyTest {};
KT_LEDGER_SHARED_BACKEND_SUITE(VerifyTamperTest);

const int64_t kNow = at("2026-04", 12, 3600);
using Severity = VerifyIssue::Severity;

TEST_P(VerifyTest, HealthyLedgerHasNoIssuesAndCountsEverything) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  store().allocate("ops", usd("5"), "USD", "", kNow);
  store().apply({reserve_op("a:0", "eng", usd("2")), reserve_op("b:0", "eng", usd("3")),
                 reserve_op("c:0", "ops", usd("1")), reserve_op("d:0", "ops", usd("9"))},
                kNow);
  store().apply({settle_op("a:0", "eng", usd("1.25")), release_op("b:0", "eng"), settle_op("x:0", "ops", usd("0.5"))},
                kNow + 10);
  store().insert_events({{"evt_1", "decision", 1, "eng", "eng-default", "{}"}});

  VerifyReport r = verify(kNow + 20);
  EXPECT_TRUE(r.issues.empty()) << describe(r);
  EXPECT_EQ(r.violations(), 0);
  EXPECT_EQ(r.wallets, 2);
  EXPECT_EQ(r.held_reservations, 1);  // c:0
  // 2 allocations, 3 reserves, 1 settle, 1 release, 1 charge.
  EXPECT_EQ(r.journal_entries, 8);
  EXPECT_EQ(r.events, 1);
}

TEST_P(VerifyTest, ReservationHeldPastItsTtlIsAViolation) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  apply_one(store(), reserve_op("stuck:0", "eng", usd("2")), kNow);
  EXPECT_EQ(verify(kNow + 900).violations(), 0);  // exactly the TTL: still fine

  VerifyReport r = verify(kNow + 901);
  EXPECT_EQ(r.violations(), 1) << describe(r);
  EXPECT_TRUE(mentions(r, Severity::violation, "reservation stuck:0 of $2 held for 901 s (TTL 900 s)")) << describe(r);
  EXPECT_EQ(r.issues[0].team_id, "eng");
  EXPECT_EQ(r.issues[0].period, "2026-04");

  EXPECT_EQ(verify(kNow + 901, 3600).violations(), 0);  // a longer TTL
}

TEST_P(VerifyTest, NegativeRemainingFromASettleOverItsEstimateIsOnlyAWarning) {
  store().allocate("eng", usd("1"), "USD", "", kNow);
  apply_one(store(), reserve_op("a:0", "eng", usd("0.9")), kNow);
  apply_one(store(), settle_op("a:0", "eng", usd("1.4")), kNow);  // the provider charged more

  VerifyReport r = verify(kNow);
  EXPECT_EQ(r.violations(), 0) << describe(r);
  EXPECT_EQ(r.warnings(), 1) << describe(r);
  EXPECT_TRUE(mentions(r, Severity::warning, "remaining is negative ($-0.4)")) << describe(r);
}

TEST_P(VerifyTest, NegativeRemainingFromALoweredBudgetIsOnlyAWarning) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  apply_one(store(), reserve_op("a:0", "eng", usd("6")), kNow);
  apply_one(store(), settle_op("a:0", "eng", usd("6")), kNow);
  store().allocate("eng", usd("5"), "USD", "", kNow + 1);

  VerifyReport r = verify(kNow + 2);
  EXPECT_EQ(r.violations(), 0) << describe(r);
  EXPECT_EQ(r.warnings(), 1) << describe(r);
}

TEST_P(VerifyTamperTest, SpentThatDisagreesWithTheJournalIsAViolation) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  apply_one(store(), reserve_op("a:0", "eng", usd("2")), kNow);
  apply_one(store(), settle_op("a:0", "eng", usd("1")), kNow);
  db_.tamper("UPDATE wallets SET spent = spent + 1 WHERE team_id = 'eng'");

  VerifyReport r = verify(kNow);
  EXPECT_EQ(r.violations(), 1) << describe(r);
  EXPECT_TRUE(mentions(r, Severity::violation,
                       "spent $1.000000001 but the journal's settle and charge entries sum to $1"))
      << describe(r);
}

TEST_P(VerifyTamperTest, ReservedThatDisagreesWithHeldReservationsIsAViolation) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  apply_one(store(), reserve_op("a:0", "eng", usd("2")), kNow);
  // A leaked hold: the wallet still counts money no reservation holds, which a reserve guard
  // would treat as spent forever; and a remaining below zero nothing explains.
  db_.tamper("UPDATE wallets SET reserved = reserved + 20000000000 WHERE team_id = 'eng'");

  VerifyReport r = verify(kNow);
  EXPECT_EQ(r.violations(), 2) << describe(r);
  EXPECT_TRUE(mentions(r, Severity::violation, "reserved $22 but the held reservations sum to $2")) << describe(r);
  EXPECT_TRUE(mentions(r, Severity::violation, "remaining is negative ($-12) beyond")) << describe(r);
}

TEST_P(VerifyTamperTest, HeldReservationWithoutItsJournalEntryIsAViolation) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  apply_one(store(), reserve_op("a:0", "eng", usd("2")), kNow);
  db_.tamper("DELETE FROM journal WHERE kind = 'reserve'");

  VerifyReport r = verify(kNow);
  EXPECT_EQ(r.violations(), 1) << describe(r);
  EXPECT_TRUE(mentions(r, Severity::violation, "journal's open reserve entries sum to $0")) << describe(r);
}

}  // namespace
}  // namespace kt::ledger::testing
