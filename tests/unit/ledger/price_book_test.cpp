// The versioned price book: effective_from, the prices in force at a time, scheduled versions,
// and refusing to rewrite history. Runs against every store backend.
#include "core/price_sanity.hpp"
#include "ledger_test_support.hpp"

namespace kt::ledger::testing {
namespace {

class PriceBookTest : public LedgerStoreTest {};
KT_LEDGER_BACKEND_SUITE(PriceBookTest);
class SharedPriceBookTest : public LedgerStoreTest {};
KT_LEDGER_SHARED_BACKEND_SUITE(SharedPriceBookTest);

const int64_t kNow = at("2026-04", 12, 9 * 3600);

PricingInput mini(const char* input, const char* output, std::optional<int64_t> from = std::nullopt) {
  PricingInput p;
  p.model = "gpt-4o-mini";
  p.provider = "openai";
  p.input_per_1k = usd(input);
  p.output_per_1k = usd(output);
  p.effective_from = from;
  return p;
}

const PricingRow* find(const std::vector<PricingRow>& rows, const std::string& model) {
  for (const auto& r : rows)
    if (r.model == model) return &r;
  return nullptr;
}

TEST_P(PriceBookTest, DefaultEffectiveFromIsNowAndAtLooksUpHistory) {
  auto v1 = store().upsert_pricing(mini("0.00015", "0.0006"), kNow);
  EXPECT_EQ(v1.version, 1);
  EXPECT_EQ(v1.effective_from, kNow);
  auto v2 = store().upsert_pricing(mini("0.0002", "0.0008"), kNow + 100);
  EXPECT_EQ(v2.version, 2);
  EXPECT_EQ(v2.effective_from, kNow + 100);

  EXPECT_TRUE(store().pricing_at(kNow - 1).empty());  // nothing was priced before v1
  auto before = store().pricing_at(kNow + 99);
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(before[0].version, 1);
  EXPECT_EQ(before[0].input_per_1k, usd("0.00015"));
  EXPECT_EQ(before[0].output_per_1k, usd("0.0006"));
  EXPECT_EQ(before[0].effective_from, kNow);
  auto after = store().pricing_at(kNow + 100);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].version, 2);
  EXPECT_EQ(after[0].output_per_1k, usd("0.0008"));
  EXPECT_EQ(after[0].updated_at, kNow + 100);
}

TEST_P(PriceBookTest, FutureVersionTakesOverOnlyWhenItsTimeComes) {
  store().upsert_pricing(mini("0.00015", "0.0006"), kNow);
  auto future = store().upsert_pricing(mini("0.0003", "0.0012", kNow + 3600), kNow + 10);
  EXPECT_EQ(future.version, 2);
  EXPECT_EQ(future.effective_from, kNow + 3600);
  EXPECT_EQ(future.updated_at, kNow + 10);

  auto now_rows = store().pricing_at(kNow + 10);
  ASSERT_EQ(now_rows.size(), 1u);
  EXPECT_EQ(now_rows[0].version, 1);  // the old price stays in force until then
  auto scheduled = store().scheduled_pricing(kNow + 10);
  ASSERT_EQ(scheduled.size(), 1u);
  EXPECT_EQ(scheduled[0].version, 2);
  EXPECT_EQ(scheduled[0].input_per_1k, usd("0.0003"));

  auto then = store().pricing_at(kNow + 3600);
  ASSERT_EQ(then.size(), 1u);
  EXPECT_EQ(then[0].version, 2);
  EXPECT_TRUE(store().scheduled_pricing(kNow + 3600).empty());
  // The cache of latest versions shows the last change, scheduled or not.
  auto latest = store().list_pricing();
  ASSERT_EQ(latest.size(), 1u);
  EXPECT_EQ(latest[0].version, 2);
}

TEST_P(PriceBookTest, PastEffectiveFromBeforeTheLatestVersionIsRefusedAndChangesNothing) {
  store().upsert_pricing(mini("0.00015", "0.0006"), kNow);
  store().upsert_pricing(mini("0.0002", "0.0008"), kNow + 100);
  EXPECT_THROW(store().upsert_pricing(mini("0.0001", "0.0004", kNow + 50), kNow + 200), PricingConflict);
  EXPECT_THROW(store().upsert_pricing(mini("0.0001", "0.0004", kNow - 10), kNow + 200), PricingConflict);
  // A conflict is a StoreError too (callers that only know StoreError still see a failure).
  EXPECT_THROW(store().upsert_pricing(mini("0.0001", "0.0004", kNow + 99), kNow + 200), StoreError);
  auto at_75 = store().pricing_at(kNow + 75);
  ASSERT_EQ(at_75.size(), 1u);
  EXPECT_EQ(at_75[0].version, 1);
  EXPECT_EQ(store().list_pricing()[0].version, 2);

  // In the past but not before the latest version's effective_from: allowed, a new version.
  auto v3 = store().upsert_pricing(mini("0.0001", "0.0004", kNow + 150), kNow + 200);
  EXPECT_EQ(v3.version, 3);
  EXPECT_EQ(store().pricing_at(kNow + 149)[0].version, 2);
  EXPECT_EQ(store().pricing_at(kNow + 150)[0].version, 3);
  // The same effective_from as the latest: the higher version wins from then on.
  auto v4 = store().upsert_pricing(mini("0.00011", "0.0004", kNow + 150), kNow + 201);
  EXPECT_EQ(v4.version, 4);
  EXPECT_EQ(store().pricing_at(kNow + 150)[0].version, 4);
}

TEST_P(PriceBookTest, FutureVersionBeforeAScheduledOneIsAllowed) {
  store().upsert_pricing(mini("0.00015", "0.0006"), kNow);
  store().upsert_pricing(mini("0.0003", "0.0012", kNow + 1000), kNow);
  // No price already in force is touched: allowed, in force between the two.
  auto v3 = store().upsert_pricing(mini("0.0002", "0.0008", kNow + 500), kNow + 1);
  EXPECT_EQ(v3.version, 3);
  EXPECT_EQ(store().pricing_at(kNow + 499)[0].version, 1);
  EXPECT_EQ(store().pricing_at(kNow + 500)[0].version, 3);
  EXPECT_EQ(store().pricing_at(kNow + 1000)[0].version, 2);
  auto scheduled = store().scheduled_pricing(kNow + 1);
  ASSERT_EQ(scheduled.size(), 2u);
  EXPECT_EQ(scheduled[0].version, 3);  // by effective_from
  EXPECT_EQ(scheduled[1].version, 2);
}

TEST_P(PriceBookTest, SamePriceAgainIsNoChangeButAScheduledDifferentOneIs) {
  store().upsert_pricing(mini("0.00015", "0.0006"), kNow);
  EXPECT_EQ(store().upsert_pricing(mini("0.00015", "0.0006"), kNow + 5).version, 1);
  // Re-posting the price already in force, effective later, is still no change.
  EXPECT_EQ(store().upsert_pricing(mini("0.00015", "0.0006", kNow + 60), kNow + 6).version, 1);
  // Going back to the old price after a scheduled change is a change.
  store().upsert_pricing(mini("0.0003", "0.0012", kNow + 100), kNow + 7);
  auto back = store().upsert_pricing(mini("0.00015", "0.0006", kNow + 200), kNow + 8);
  EXPECT_EQ(back.version, 3);
  EXPECT_EQ(store().pricing_at(kNow + 150)[0].version, 2);
  EXPECT_EQ(store().pricing_at(kNow + 250)[0].version, 3);
}

TEST_P(PriceBookTest, AtListsEveryModelInForce) {
  store().upsert_pricing(mini("0.00015", "0.0006"), kNow);
  PricingInput gpt4o;
  gpt4o.model = "gpt-4o";
  gpt4o.provider = "openai";
  gpt4o.input_per_1k = usd("0.0025");
  gpt4o.output_per_1k = usd("0.01");
  store().upsert_pricing(gpt4o, kNow + 50);
  EXPECT_EQ(store().pricing_at(kNow + 10).size(), 1u);
  auto both = store().pricing_at(kNow + 50);
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].model, "gpt-4o");  // by model
  ASSERT_NE(find(both, "gpt-4o-mini"), nullptr);
  EXPECT_EQ(find(both, "gpt-4o-mini")->version, 1);
}

TEST_P(SharedPriceBookTest, HistorySurvivesReopening) {
  store().upsert_pricing(mini("0.00015", "0.0006"), kNow);
  store().upsert_pricing(mini("0.0003", "0.0012", kNow + 100), kNow + 1);
  auto again = db_.open();
  EXPECT_EQ(again->pricing_at(kNow + 99)[0].version, 1);
  EXPECT_EQ(again->pricing_at(kNow + 100)[0].version, 2);
  EXPECT_THROW(again->upsert_pricing(mini("0.0001", "0.0001", kNow + 50), kNow + 200), PricingConflict);
}

TEST(PriceSanity, FlagsPer1MAndPerTokenLookingPrices) {
  EXPECT_TRUE(pricing_unit_warnings(usd("0.00015"), usd("0.0006")).empty());
  EXPECT_TRUE(pricing_unit_warnings(usd("0"), usd("0")).empty());          // free is fine
  EXPECT_TRUE(pricing_unit_warnings(usd("0.00002"), usd("1")).empty());    // $1 per 1K: the limit, allowed
  EXPECT_TRUE(pricing_unit_warnings(usd("0.00001"), usd("0.6")).empty());  // the per-token limit, allowed

  auto per_1m = pricing_unit_warnings(usd("2.5"), usd("10"));  // gpt-4o's per-1M price
  ASSERT_EQ(per_1m.size(), 2u);
  EXPECT_NE(per_1m[0].find("looks like a per-1M price"), std::string::npos);
  EXPECT_NE(per_1m[0].find("input_cost_per_1k_tokens 2.5"), std::string::npos);
  auto per_token = pricing_unit_warnings(usd("0.00000015"), usd("0.01"));  // gpt-4o-mini's per-token input price
  ASSERT_EQ(per_token.size(), 1u);
  EXPECT_NE(per_token[0].find("looks like a per-token price"), std::string::npos);
  auto cached = pricing_unit_warnings(usd("0.001"), usd("0.002"), usd("1.25"));
  ASSERT_EQ(cached.size(), 1u);
  EXPECT_NE(cached[0].find("cached_input_cost_per_1k_tokens"), std::string::npos);
}

}  // namespace
}  // namespace kt::ledger::testing
