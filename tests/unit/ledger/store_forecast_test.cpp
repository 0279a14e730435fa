// The store's side of forecasts and explain-why: spend history windows, one price version, one
// event by id — on every backend.
#include "ledger_test_support.hpp"

namespace kt::ledger::testing {
namespace {

class ForecastStoreTest : public LedgerStoreTest {};
KT_LEDGER_BACKEND_SUITE(ForecastStoreTest);

TEST_P(ForecastStoreTest, SpendHistoryWindowsAndFirstAllocation) {
  const int64_t start = at("2026-03", 20);
  const int64_t now = at("2026-04", 10, 12 * 3600);
  store().allocate("eng", usd("100"), "USD", "", start);
  store().allocate("eng", usd("100"), "USD", "", now - 8 * 86400);  // a later allocation: not the start
  apply_one(store(), settle_op("old", "eng", usd("1"), "gpt-4o"), now - 7 * 86400);      // on the 7-day edge: out
  apply_one(store(), settle_op("week", "eng", usd("2"), "gpt-4o"), now - 3 * 86400);
  apply_one(store(), settle_op("day", "eng", usd("0.5"), "gpt-4o"), now - 7200);
  apply_one(store(), settle_op("hour", "eng", usd("0.25"), "gpt-4o"), now - 60);
  apply_one(store(), reserve_op("held", "eng", usd("3")), now - 30);                      // not spend
  apply_one(store(), settle_op("later", "eng", usd("9"), "gpt-4o"), now + 60);            // after now
  apply_one(store(), settle_op("other", "ops", usd("9"), "gpt-4o"), now - 60);            // another team
  SpendHistory h = store().spend_history("eng", now);
  EXPECT_EQ(h.first_at, start);
  EXPECT_EQ(h.last_hour, usd("0.25"));
  EXPECT_EQ(h.last_day, usd("0.75"));
  EXPECT_EQ(h.last_7_days, usd("2.75"));
  EXPECT_EQ(store().spend_history("nobody", now).first_at, 0);
}

TEST_P(ForecastStoreTest, PricingVersionAndEventById) {
  PricingInput p;
  p.model = "gpt-4o", p.provider = "openai", p.input_per_1k = usd("0.0025"), p.output_per_1k = usd("0.01");
  store().upsert_pricing(p, 100);
  p.output_per_1k = usd("0.02");
  store().upsert_pricing(p, 200);
  auto v1 = store().pricing_version("gpt-4o", 1);
  ASSERT_TRUE(v1.has_value());
  EXPECT_EQ(v1->output_per_1k, usd("0.01"));
  EXPECT_EQ(store().pricing_version("gpt-4o", 2)->output_per_1k, usd("0.02"));
  EXPECT_FALSE(store().pricing_version("gpt-4o", 3).has_value());
  store().insert_events({EventRecord{"evt_a", "decision", 5, "eng", "web", R"({"id":"evt_a"})"}});
  auto e = store().event_by_id("evt_a");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->json, R"({"id":"evt_a"})");
  EXPECT_FALSE(store().event_by_id("evt_b").has_value());
}

}  // namespace
}  // namespace kt::ledger::testing
