// Exports on every backend: events paged in time order by cursor, spend grouped.
#include "ledger_test_support.hpp"

namespace kt::ledger::testing {
namespace {

class ExportStoreTest : public LedgerStoreTest {};
KT_LEDGER_BACKEND_SUITE(ExportStoreTest);

EventRecord ev(const char* id, int64_t ts, const char* type = "decision", const char* team = "eng") {
  return EventRecord{id, type, ts, team, "web", std::string("{\"id\":\"") + id + "\"}"};
}

TEST_P(ExportStoreTest, PagesInTimeOrderByCursor) {
  // Inserted out of time order; two share a timestamp (the sequence breaks the tie).
  store().insert_events({ev("c", 30), ev("a", 10), ev("b1", 20), ev("b2", 20), ev("x", 20, "alert"),
                         ev("o", 20, "decision", "ops"), ev("late", 50)});
  EventExportQuery q;
  q.since_micros = 10;
  q.until_micros = 50;  // exclusive: "late" is out
  q.type = "decision";
  q.team_id = "eng";
  q.limit = 2;
  std::vector<std::string> ids;
  for (int page = 0; page < 5; ++page) {
    auto rows = store().export_events(q);
    for (const auto& r : rows) ids.push_back(r.json);
    if (int64_t(rows.size()) < q.limit) break;
    q.after_ts = rows.back().ts_micros;
    q.after_seq = rows.back().seq;
  }
  EXPECT_EQ(ids, (std::vector<std::string>{R"({"id":"a"})", R"({"id":"b1"})", R"({"id":"b2"})", R"({"id":"c"})"}));
}

TEST_P(ExportStoreTest, SpendGroupedByModelDayAndGroup) {
  const int64_t day1 = at("2026-04", 1, 3600), day2 = at("2026-04", 2, 3600);
  store().allocate("eng", usd("10"), "USD", "", day1);
  auto settle = [&](const char* key, const char* amount, const char* model, const char* group, int64_t now) {
    LedgerOp op = settle_op(key, "eng", usd(amount), model, 10, 5);
    op.settle.consumer_group = group;
    apply_one(store(), op, now);
  };
  settle("s1", "0.01", "gpt-4o", "web", day1);
  settle("s2", "0.02", "gpt-4o-mini", "batch", day1);
  settle("s3", "0.04", "gpt-4o", "web", day2);
  auto by_day = store().spend_by("eng", month("2026-04"), SpendGrouping::day);
  ASSERT_EQ(by_day.size(), 2u);
  EXPECT_EQ(by_day[0].key, std::to_string(day1 / 86400));
  EXPECT_EQ(by_day[0].cost, usd("0.03"));
  EXPECT_EQ(by_day[0].requests, 2);
  EXPECT_EQ(by_day[1].cost, usd("0.04"));
  auto by_model = store().spend_by("eng", month("2026-04"), SpendGrouping::model);
  ASSERT_EQ(by_model.size(), 2u);
  EXPECT_EQ(by_model[0].key, "gpt-4o");
  EXPECT_EQ(by_model[0].cost, usd("0.05"));
  EXPECT_EQ(by_model[0].prompt_tokens, 20);
  auto by_group = store().spend_by("eng", month("2026-04"), SpendGrouping::group);
  ASSERT_EQ(by_group.size(), 2u);
  EXPECT_EQ(by_group[0].key, "web");
  EXPECT_EQ(by_group[1].key, "batch");
  EXPECT_EQ(by_group[1].completion_tokens, 5);
}

}  // namespace
}  // namespace kt::ledger::testing
