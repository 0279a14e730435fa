// The cache-write price (Anthropic) is stored exactly, versioned like the other prices, and absent
// by default; an existing database gains the column by a migration step.
#include <gtest/gtest.h>

#include "ledger/store.hpp"

namespace kt::ledger {
namespace {

PricingInput haiku() {
  PricingInput p;
  p.model = "claude-3-5-haiku";
  p.provider = "anthropic";
  p.input_per_1k = *Money::parse("0.001");
  p.output_per_1k = *Money::parse("0.005");
  p.cached_input_per_1k = *Money::parse("0.0001");
  return p;
}

TEST(PricingCacheCreation, StoredExactlyAndVersioned) {
  auto store = open_store("sqlite::memory:");
  auto v1 = store->upsert_pricing(haiku(), 1000);
  EXPECT_FALSE(v1.cache_creation_per_1k);
  auto in = haiku();
  in.cache_creation_per_1k = *Money::parse("0.00125");
  auto v2 = store->upsert_pricing(in, 1001);
  EXPECT_EQ(v2.version, 2);  // a new cache-write price is a price change
  auto rows = store->list_pricing();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].cache_creation_per_1k, Money::from_nanos(1'250'000));
  EXPECT_EQ(store->upsert_pricing(in, 1002).version, 2);  // the same again is not a change
}

TEST(PricingCacheCreation, NegativeIsRefused) {
  auto store = open_store("sqlite::memory:");
  auto in = haiku();
  in.cache_creation_per_1k = *Money::parse("-0.1");
  EXPECT_THROW(store->upsert_pricing(in, 1000), StoreError);
}

}  // namespace
}  // namespace kt::ledger
