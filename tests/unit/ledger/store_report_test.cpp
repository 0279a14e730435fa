// Spend reports and the event log.
#include "ledger_test_support.hpp"

namespace kt::ledger::testing {
namespace {

class ReportTest : public LedgerStoreTest {};
KT_LEDGER_BACKEND_SUITE(ReportTest);

const int64_t kNow = at("2026-04", 20, 7200);

TEST_P(ReportTest, SpendBreaksCostDownPerModel) {
  store().allocate("eng", usd("500"), "USD", "", kNow);
  store().allocate("other", usd("500"), "USD", "", kNow);
  apply_one(store(), reserve_op("r1", "eng", usd("1")), kNow);
  apply_one(store(), settle_op("r1", "eng", usd("0.01"), "gpt-4o", 1000, 500), kNow);
  apply_one(store(), settle_op("c1", "eng", usd("0.005"), "gpt-4o", 400, 100), kNow);  // charged directly
  apply_one(store(), settle_op("c2", "eng", usd("0.02"), "claude-3-5-sonnet", 2000, 700), kNow);
  apply_one(store(), settle_op("c3", "eng", usd("0.015"), "b-model", 10, 1), kNow);     // ties with gpt-4o
  apply_one(store(), settle_op("c4", "eng", usd("0.015"), "a-model", 20, 2), kNow);
  apply_one(store(), reserve_op("held", "eng", usd("2")), kNow);                        // not spend
  apply_one(store(), reserve_op("gone", "eng", usd("2")), kNow);
  apply_one(store(), release_op("gone", "eng"), kNow);
  apply_one(store(), settle_op("x", "other", usd("9"), "gpt-4o", 1, 1), kNow);          // another team

  auto report = store().spend("eng", month("2026-04"), kNow);
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->balance.spent, usd("0.065"));
  EXPECT_EQ(report->balance.reserved, usd("2"));
  EXPECT_EQ(report->balance.remaining(), usd("497.935"));
  ASSERT_EQ(report->models.size(), 4u);
  EXPECT_EQ(report->models[0].model, "claude-3-5-sonnet");
  EXPECT_EQ(report->models[0].cost, usd("0.02"));
  EXPECT_EQ(report->models[0].requests, 1);
  EXPECT_EQ(report->models[1].model, "a-model");
  EXPECT_EQ(report->models[1].cost, usd("0.015"));
  EXPECT_EQ(report->models[2].model, "b-model");
  EXPECT_EQ(report->models[2].cost, usd("0.015"));
  EXPECT_EQ(report->models[3].model, "gpt-4o");
  EXPECT_EQ(report->models[3].cost, usd("0.015"));
  EXPECT_EQ(report->models[3].prompt_tokens, 1400);
  EXPECT_EQ(report->models[3].completion_tokens, 600);
  EXPECT_EQ(report->models[3].requests, 2);
}

TEST_P(ReportTest, SpendOfAPeriodWithoutWalletIsEmpty) {
  EXPECT_FALSE(store().spend("eng", month("2026-04"), kNow).has_value());
  store().allocate("eng", usd("5"), "USD", "", kNow);
  EXPECT_FALSE(store().spend("eng", month("2026-03"), kNow).has_value());
  auto report = store().spend("eng", month("2026-04"), kNow);
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->models.empty());
  EXPECT_EQ(report->balance.budget, usd("5"));
}

EventRecord event(const std::string& id, const std::string& type, const std::string& team, const std::string& group) {
  EventRecord e;
  e.id = id;
  e.type = type;
  e.ts_micros = 1'776'000'000'000'000;
  e.team_id = team;
  e.consumer_group = group;
  e.json = "{\"id\":\"" + id + "\"}";
  return e;
}

std::vector<std::string> jsons(const std::vector<StoredEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.json);
  return out;
}

std::string j(const char* id) { return std::string("{\"id\":\"") + id + "\"}"; }

class EventsTest : public LedgerStoreTest {
 protected:
  void SetUp() override {
    LedgerStoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;  // backend not available here
    store().insert_events({event("d1", "decision", "eng", "web"), event("d2", "decision", "mkt", "ads"),
                           event("a1", "alert", "eng", "")});
    store().insert_events({event("d3", "decision", "eng", "batch"), event("d4", "decision", "eng", "web"),
                           event("a2", "alert", "mkt", "")});
  }
};
KT_LEDGER_BACKEND_SUITE(EventsTest);

TEST_P(EventsTest, DefaultQueryReturnsDecisionsOldestFirst) {
  auto got = store().query_events(EventQuery{});
  EXPECT_EQ(jsons(got), (std::vector<std::string>{j("d1"), j("d2"), j("d3"), j("d4")}));
  for (size_t i = 1; i < got.size(); ++i) EXPECT_LT(got[i - 1].seq, got[i].seq);
}

TEST_P(EventsTest, TypeFilter) {
  EventQuery alerts;
  alerts.type = "alert";
  EXPECT_EQ(jsons(store().query_events(alerts)), (std::vector<std::string>{j("a1"), j("a2")}));
  EventQuery all;
  all.type = "all";
  EXPECT_EQ(jsons(store().query_events(all)),
            (std::vector<std::string>{j("d1"), j("d2"), j("a1"), j("d3"), j("d4"), j("a2")}));
}

TEST_P(EventsTest, TeamAndGroupFilters) {
  EventQuery team;
  team.team_id = "eng";
  EXPECT_EQ(jsons(store().query_events(team)), (std::vector<std::string>{j("d1"), j("d3"), j("d4")}));
  team.type = "all";
  EXPECT_EQ(jsons(store().query_events(team)), (std::vector<std::string>{j("d1"), j("a1"), j("d3"), j("d4")}));
  EventQuery group;
  group.consumer_group = "web";
  EXPECT_EQ(jsons(store().query_events(group)), (std::vector<std::string>{j("d1"), j("d4")}));
  group.team_id = "mkt";
  EXPECT_TRUE(store().query_events(group).empty());
}

TEST_P(EventsTest, LastKeepsTheNewestInChronologicalOrder) {
  EventQuery q;
  q.last = 2;
  EXPECT_EQ(jsons(store().query_events(q)), (std::vector<std::string>{j("d3"), j("d4")}));
  q.last = 0;
  EXPECT_TRUE(store().query_events(q).empty());
}

TEST_P(EventsTest, DuplicateIdKeepsTheFirstCopy) {
  EventRecord dup = event("d2", "decision", "mkt", "ads");
  dup.json = "{\"id\":\"d2\",\"resent\":true}";
  store().insert_events({dup, event("d5", "decision", "eng", "web")});
  EventQuery q;
  q.team_id = "mkt";
  EXPECT_EQ(jsons(store().query_events(q)), (std::vector<std::string>{j("d2")}));
  q.team_id.reset();
  EXPECT_EQ(store().query_events(q).size(), 5u);
}

TEST_P(EventsTest, AfterSeqReturnsOnlyNewerEvents) {
  auto first = store().query_events(EventQuery{});
  ASSERT_EQ(first.size(), 4u);
  int64_t cursor = first.back().seq;
  EventQuery follow;
  follow.after_seq = cursor;
  EXPECT_TRUE(store().query_events(follow).empty());
  store().insert_events({event("d5", "decision", "eng", "web"), event("d6", "decision", "eng", "web")});
  auto next = store().query_events(follow);
  EXPECT_EQ(jsons(next), (std::vector<std::string>{j("d5"), j("d6")}));
  EXPECT_GT(next.front().seq, cursor);
  follow.after_seq = first[1].seq;  // after d2
  EXPECT_EQ(jsons(store().query_events(follow)), (std::vector<std::string>{j("d3"), j("d4"), j("d5"), j("d6")}));
}

}  // namespace
}  // namespace kt::ledger::testing
