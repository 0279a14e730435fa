// Applying gateway logs: each record once (per-log high-water mark), lease settles summed, one
// journal line and one event per request, rejects kept, close gives back what the log holds,
// leases of an open log wait out the grace, verify stays clean.
#include <deque>

#include "ledger_test_support.hpp"

namespace kt::ledger::testing {
namespace {

const int64_t kNow = at("2026-04", 12, 3600);

// Builds batches whose text fields point at strings the builder owns.
class Batch {
 public:
  explicit Batch(std::string log_id) { b_.log_id = std::move(log_id); b_.holder = "gw_test"; }
  Batch& settle(int64_t seq, const std::string& key, const std::string& team, const std::string& lease, Money actual,
                Money held, bool reserved = false) {
    LogRecord r = base(seq, LogRecord::Kind::settle, key, team, lease);
    r.amount = actual;
    r.estimate = held;
    r.reserved = reserved;
    r.model = own("gpt-4o-mini");
    r.provider = own("openai");
    r.consumer_group = own("engineering");
    r.prompt_tokens = 14;
    r.completion_tokens = 25;
    with_event(r, key);
    b_.records.push_back(r);
    return *this;
  }
  Batch& release(int64_t seq, const std::string& key, const std::string& team, const std::string& lease, bool reserved) {
    LogRecord r = base(seq, LogRecord::Kind::release, key, team, lease);
    r.reserved = reserved;
    with_event(r, key);
    b_.records.push_back(r);
    return *this;
  }
  Batch& intent(int64_t seq, const std::string& key, const std::string& team, Money held) {
    LogRecord r = base(seq, LogRecord::Kind::intent, key, team, "");
    r.amount = held;
    b_.records.push_back(r);
    return *this;
  }
  Batch& lease_return(int64_t seq, const std::string& lease, const std::string& team) {
    b_.records.push_back(base(seq, LogRecord::Kind::lease_return, "", team, lease));
    return *this;
  }
  Batch& close(int64_t seq) {
    b_.records.push_back(base(seq, LogRecord::Kind::close, "", "", ""));
    return *this;
  }
  Batch& thresholds(std::vector<int> t) {
    b_.alert_thresholds = std::move(t);
    return *this;
  }
  Batch& pending(const std::string& team, Money amount, int64_t records) {
    b_.pending.push_back({team, amount, records});
    return *this;
  }
  const LogBatch& get() const { return b_; }

 private:
  std::string_view own(std::string s) {
    strings_.push_back(std::move(s));
    return strings_.back();
  }
  LogRecord base(int64_t seq, LogRecord::Kind kind, const std::string& key, const std::string& team,
                 const std::string& lease) {
    LogRecord r;
    r.seq = seq;
    r.kind = kind;
    r.key = own(key);
    r.team_id = own(team);
    r.lease_id = own(lease);
    r.raw = own("{\"s\":" + std::to_string(seq) + "}");
    return r;
  }
  void with_event(LogRecord& r, const std::string& key) {
    r.event_id = own("evt_" + key);
    r.event_type = own("decision");
    r.ts_micros = kNow * 1000000;
    r.event_json = own("{\"id\":\"evt_" + key + "\",\"type\":\"decision\"}");
  }
  LogBatch b_;
  std::deque<std::string> strings_;
};

LedgerOp acquire(const std::string& id, const std::string& team, Money want, const std::string& log_id) {
  LedgerOp op{};
  op.kind = LedgerOp::Kind::lease_acquire;
  op.lease_acquire = LeaseAcquireOp{id, team, "gw_test-w0", want, want, 60, 0, log_id};
  return op;
}

class LogTest : public LedgerStoreTest {
 protected:
  Balance wallet(const std::string& team, int64_t now = kNow) { return *store().balance(team, now); }
  int64_t events() {
    EventQuery q;
    q.last = 100000;
    q.type = "all";
    return int64_t(store().query_events(q).size());
  }
  int64_t journal_kind(const std::string& team, const std::string& kind) {
    int64_t n = 0;
    for (const auto& e : store().journal(team, month("2026-04"))) n += e.kind == kind;
    return n;
  }
  void expect_clean() {
    VerifyOptions o;
    o.now = kNow;
    auto report = store().verify(o);
    EXPECT_EQ(report.violations(), 0);
    for (const auto& i : report.issues) ADD_FAILURE_IF_VIOLATION(i);
  }
  static void ADD_FAILURE_IF_VIOLATION(const VerifyIssue& i) {
    if (i.severity == VerifyIssue::Severity::violation) ADD_FAILURE() << i.team_id << " " << i.message;
  }
};
KT_LEDGER_BACKEND_SUITE(LogTest);

TEST_P(LogTest, LeaseSettlesAreSummedButEachRequestKeepsItsLineAndEvent) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  apply_one(store(), acquire("L1", "eng", usd("1"), "log-a"), kNow);
  Batch b("log-a");
  b.intent(1, "r1:1", "eng", usd("0.1"));
  for (int i = 1; i <= 20; ++i)
    b.settle(i + 1, "r" + std::to_string(i) + ":1", "eng", "L1", usd("0.01"), usd("0.1"));
  auto result = store().apply_log(b.get(), kNow);
  EXPECT_EQ(result.applied_seq, 21);
  EXPECT_EQ(result.applied, 21);
  ASSERT_EQ(result.teams.size(), 1u);
  EXPECT_EQ(result.teams[0].settled, usd("0.2"));
  EXPECT_EQ(result.teams[0].balance.spent, usd("0.2"));
  Balance w = wallet("eng");
  EXPECT_EQ(w.spent, usd("0.2"));
  EXPECT_EQ(w.leased, usd("0.8"));
  EXPECT_EQ(journal_kind("eng", "settle"), 20);
  EXPECT_EQ(events(), 20);
  expect_clean();
}

TEST_P(LogTest, ARecordIsAppliedOnceWhateverIsResent) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  apply_one(store(), acquire("L1", "eng", usd("1"), "log-a"), kNow);
  Batch first("log-a"), overlap("log-a");
  for (int i = 1; i <= 10; ++i) first.settle(i, "k" + std::to_string(i), "eng", "L1", usd("0.01"), usd("0.02"));
  for (int i = 5; i <= 15; ++i) overlap.settle(i, "k" + std::to_string(i), "eng", "L1", usd("0.01"), usd("0.02"));
  store().apply_log(first.get(), kNow);
  auto again = store().apply_log(first.get(), kNow);
  EXPECT_EQ(again.skipped, 10);
  EXPECT_EQ(again.applied, 0);
  auto r = store().apply_log(overlap.get(), kNow);
  EXPECT_EQ(r.skipped, 6);
  EXPECT_EQ(r.applied, 5);
  EXPECT_EQ(r.applied_seq, 15);
  EXPECT_EQ(wallet("eng").spent, usd("0.15"));
  EXPECT_EQ(journal_kind("eng", "settle"), 15);
  EXPECT_EQ(events(), 15);
  // Another log's sequence numbers are its own.
  apply_one(store(), acquire("L2", "eng", usd("1"), "log-b"), kNow);
  Batch other("log-b");
  other.settle(1, "other1", "eng", "L2", usd("0.5"), usd("0.5"));
  EXPECT_EQ(store().apply_log(other.get(), kNow).applied, 1);
  EXPECT_EQ(wallet("eng").spent, usd("0.65"));
  expect_clean();
}

TEST_P(LogTest, DirectChargesReservationsAndReleasesByKey) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  LedgerOp reserve = reserve_op("held:1", "eng", usd("1"));
  reserve.reserve.log_id = "log-a";
  apply_one(store(), reserve, kNow);
  LedgerOp reserve2 = reserve_op("held:2", "eng", usd("2"));
  reserve2.reserve.log_id = "log-a";
  apply_one(store(), reserve2, kNow);
  EXPECT_EQ(wallet("eng").reserved, usd("3"));
  Batch b("log-a");
  b.settle(1, "direct:1", "eng", "", usd("0.25"), usd("0.3"));     // no hold: a charge
  b.settle(2, "held:1", "eng", "", usd("0.4"), usd("1"), true);    // its reservation settles
  b.release(3, "held:2", "eng", "", true);                          // nothing served
  store().apply_log(b.get(), kNow);
  Balance w = wallet("eng");
  EXPECT_EQ(w.spent, usd("0.65"));
  EXPECT_EQ(w.reserved, Money::zero());
  EXPECT_EQ(journal_kind("eng", "charge"), 1);
  EXPECT_EQ(journal_kind("eng", "settle"), 1);
  EXPECT_EQ(journal_kind("eng", "release"), 1);
  EXPECT_EQ(events(), 3);
  expect_clean();
}

TEST_P(LogTest, EveryKindOfSettleInABatchIsRolledUpOnceEvenWhenResent) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  apply_one(store(), acquire("L1", "eng", usd("1"), "log-a"), kNow);
  LedgerOp reserve = reserve_op("held:1", "eng", usd("1"));
  reserve.reserve.log_id = "log-a";
  apply_one(store(), reserve, kNow);
  Batch b("log-a");
  b.settle(1, "lease:1", "eng", "L1", usd("0.01"), usd("0.1"));   // summed on the lease
  b.settle(2, "held:1", "eng", "", usd("0.4"), usd("1"), true);   // the per-op path, mid-batch
  b.settle(3, "direct:1", "eng", "", usd("0.25"), usd("0.3"));    // a direct charge
  b.settle(4, "lease:2", "eng", "L1", usd("0.02"), usd("0.1"));
  store().apply_log(b.get(), kNow);
  store().apply_log(b.get(), kNow);  // re-sent: skipped, rolled up once
  auto report = store().spend("eng", month("2026-04"), kNow);
  ASSERT_EQ(report->models.size(), 1u);
  EXPECT_EQ(report->models[0].model, "gpt-4o-mini");
  EXPECT_EQ(report->models[0].cost, usd("0.68"));
  EXPECT_EQ(report->models[0].requests, 4);
  EXPECT_EQ(report->models[0].prompt_tokens, 4 * 14);
  EXPECT_EQ(report->models[0].completion_tokens, 4 * 25);
  auto by_group = store().spend_by("eng", month("2026-04"), SpendGrouping::group);
  ASSERT_EQ(by_group.size(), 1u);
  EXPECT_EQ(by_group[0].key, "engineering");
  EXPECT_EQ(by_group[0].cost, usd("0.68"));
  EXPECT_EQ(store().spend_history("eng", kNow).last_hour, usd("0.68"));
  expect_clean();  // verify: the rollups equal the journal's lines
}

TEST_P(LogTest, AReturnAfterTheSettlesGivesBackTheRest) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  apply_one(store(), acquire("L1", "eng", usd("2"), "log-a"), kNow);
  Batch b("log-a");
  b.settle(1, "a", "eng", "L1", usd("0.5"), usd("0.5")).settle(2, "b", "eng", "L1", usd("0.25"), usd("0.5"));
  b.lease_return(3, "L1", "eng");
  store().apply_log(b.get(), kNow);
  Balance w = wallet("eng");
  EXPECT_EQ(w.spent, usd("0.75"));
  EXPECT_EQ(w.leased, Money::zero());
  EXPECT_EQ(w.remaining(), usd("9.25"));
  expect_clean();
}

TEST_P(LogTest, ARecordTheStoreCannotApplyIsKeptAsideAndTheRestGoesOn) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  Batch b("log-a");
  b.settle(1, "ok1", "eng", "", usd("0.1"), usd("0.1"));
  b.settle(2, "bad", "", "", usd("0.1"), usd("0.1"));  // no team (a config with wallet_team_id: "")
  b.settle(3, "ok2", "eng", "", usd("0.1"), usd("0.1"));
  auto r = store().apply_log(b.get(), kNow);
  EXPECT_EQ(r.applied, 2);
  EXPECT_EQ(r.rejected, 1);
  EXPECT_EQ(r.applied_seq, 3);
  EXPECT_EQ(wallet("eng").spent, usd("0.2"));
}

TEST_P(LogTest, AlertsFireOncePerThresholdForTheWholeBatch) {
  store().allocate("eng", usd("1"), "USD", "", kNow);
  Batch b("log-a");
  b.thresholds({50, 80});
  for (int i = 1; i <= 9; ++i) b.settle(i, "k" + std::to_string(i), "eng", "", usd("0.1"), usd("0.1"));
  auto r = store().apply_log(b.get(), kNow);
  ASSERT_EQ(r.teams.size(), 1u);
  EXPECT_EQ(r.teams[0].fired, (std::vector<int>{50, 80}));
  Batch next("log-a");
  next.thresholds({50, 80}).settle(10, "k10", "eng", "", usd("0.05"), usd("0.1"));
  EXPECT_TRUE(store().apply_log(next.get(), kNow).teams[0].fired.empty());
}

TEST_P(LogTest, CloseGivesBackTheLogsLeasesAndReservations) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  apply_one(store(), acquire("L1", "eng", usd("2"), "log-a"), kNow);
  LedgerOp reserve = reserve_op("held:1", "eng", usd("1"));
  reserve.reserve.log_id = "log-a";
  apply_one(store(), reserve, kNow);
  Batch b("log-a");
  b.settle(1, "a", "eng", "L1", usd("0.5"), usd("0.5")).close(2);
  store().apply_log(b.get(), kNow);
  Balance w = wallet("eng");
  EXPECT_EQ(w.spent, usd("0.5"));
  EXPECT_EQ(w.leased, Money::zero());
  EXPECT_EQ(w.reserved, Money::zero());
  auto logs = store().gateway_logs(0);
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_TRUE(logs[0].closed_at.has_value());
  expect_clean();
}

TEST_P(LogTest, AnOpenLogsLeaseWaitsOutTheGraceBeforeItsRoomGoesBack) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  apply_one(store(), acquire("L1", "eng", usd("2"), "log-a"), kNow);  // expires at kNow + 60
  EXPECT_EQ(store().expire(kNow + 61, 900, 300).leases, 0) << "its gateway's settles may still come";
  // The killed gateway's log arrives after the TTL: its settles still land on the lease.
  Batch b("log-a");
  b.settle(1, "late", "eng", "L1", usd("0.5"), usd("0.5"));
  store().apply_log(b.get(), kNow + 120);
  EXPECT_EQ(wallet("eng", kNow + 120).leased, usd("1.5"));
  EXPECT_EQ(store().expire(kNow + 60 + 300, 900, 300).leases, 1);
  Balance w = wallet("eng", kNow + 400);
  EXPECT_EQ(w.leased, Money::zero());
  EXPECT_EQ(w.spent, usd("0.5"));
}

TEST_P(LogTest, TheGatewaysReportOfWhatIsNotAppliedYetIsKept) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  Batch b("log-a");
  b.settle(1, "a", "eng", "", usd("0.5"), usd("0.5")).pending("eng", usd("1.25"), 42);
  store().apply_log(b.get(), kNow);
  auto logs = store().gateway_logs(kNow + 1);
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0].applied_seq, 1);
  ASSERT_EQ(logs[0].pending.size(), 1u);
  EXPECT_EQ(logs[0].pending[0].amount, usd("1.25"));
  EXPECT_EQ(logs[0].pending[0].records, 42);
}

TEST_P(LogTest, VerifySaysWhatGatewaysHaveAnsweredButTheLedgerHasNot) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  Batch b("log-a");
  b.settle(1, "a", "eng", "", usd("0.5"), usd("0.5")).pending("eng", usd("1.25"), 42);
  store().apply_log(b.get(), kNow);
  VerifyOptions o;
  o.now = kNow + 5;
  auto report = store().verify(o);
  EXPECT_EQ(report.violations(), 0);
  ASSERT_EQ(report.open_logs.size(), 1u);
  bool said = false;
  for (const auto& i : report.issues) said = said || i.message.find("answered but not yet applied") != std::string::npos;
  EXPECT_TRUE(said);
  o.now = kNow + 600;  // the gateway has been silent for 10 minutes: ship its spool
  report = store().verify(o);
  said = false;
  for (const auto& i : report.issues) said = said || i.message.find("kt gateway drain") != std::string::npos;
  EXPECT_TRUE(said);
  Batch closing("log-a");
  closing.close(2);
  store().apply_log(closing.get(), kNow + 601);
  report = store().verify(o);
  EXPECT_TRUE(report.open_logs.empty());
  EXPECT_EQ(report.warnings(), 0);
}

TEST_P(LogTest, ARejectedRecordIsAViolationForVerify) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  Batch b("log-a");
  b.settle(1, "bad", "", "", usd("0.1"), usd("0.1")).close(2);
  store().apply_log(b.get(), kNow);
  VerifyOptions o;
  o.now = kNow;
  auto report = store().verify(o);
  EXPECT_EQ(report.log_rejects, 1);
  EXPECT_EQ(report.violations(), 1);
}

TEST_P(LogTest, ABatchOutOfOrderIsRefusedWhole) {
  store().allocate("eng", usd("10"), "USD", "", kNow);
  Batch b("log-a");
  b.settle(2, "a", "eng", "", usd("0.5"), usd("0.5")).settle(1, "b", "eng", "", usd("0.5"), usd("0.5"));
  EXPECT_THROW(store().apply_log(b.get(), kNow), StoreError);
  EXPECT_EQ(wallet("eng").spent, Money::zero());
}

}  // namespace
}  // namespace kt::ledger::testing
