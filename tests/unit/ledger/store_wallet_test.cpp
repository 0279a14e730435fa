// Pricing, allocation, balances, consumer groups and open_store().
#include "ledger_test_support.hpp"

namespace kt::ledger::testing {
namespace {

class WalletTest : public LedgerStoreTest {};
KT_LEDGER_BACKEND_SUITE(WalletTest);
class SharedWalletTest : public LedgerStoreTest {};
KT_LEDGER_SHARED_BACKEND_SUITE(SharedWalletTest);

const int64_t kNow = at("2026-04", 12, 9 * 3600 + 30 * 60);

PricingInput gpt4o() {
  PricingInput p;
  p.model = "gpt-4o";
  p.provider = "openai";
  p.input_per_1k = usd("0.0025");
  p.output_per_1k = usd("0.01");
  p.cached_input_per_1k = usd("0.00125");
  p.max_output_tokens = 16384;
  return p;
}

TEST_P(WalletTest, PricingUpsertStoresExactPricesAtVersionOne) {
  PricingRow row = store().upsert_pricing(gpt4o(), kNow);
  EXPECT_EQ(row.version, 1);
  EXPECT_EQ(row.updated_at, kNow);

  auto all = store().list_pricing();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].model, "gpt-4o");
  EXPECT_EQ(all[0].provider, "openai");
  EXPECT_EQ(all[0].input_per_1k, Money::from_nanos(2'500'000));
  EXPECT_EQ(all[0].output_per_1k, Money::from_nanos(10'000'000));
  EXPECT_EQ(all[0].cached_input_per_1k, Money::from_nanos(1'250'000));
  EXPECT_EQ(all[0].max_output_tokens, 16384);
  EXPECT_EQ(all[0].version, 1);
  EXPECT_EQ(all[0].updated_at, kNow);
}

TEST_P(WalletTest, PricingVersionMovesOnlyWhenThePriceChanges) {
  store().upsert_pricing(gpt4o(), kNow);
  PricingRow same = store().upsert_pricing(gpt4o(), kNow + 10);
  EXPECT_EQ(same.version, 1);
  EXPECT_EQ(same.updated_at, kNow);

  PricingInput cheaper = gpt4o();
  cheaper.output_per_1k = usd("0.0075");
  cheaper.cached_input_per_1k.reset();
  cheaper.max_output_tokens.reset();
  PricingRow v2 = store().upsert_pricing(cheaper, kNow + 20);
  EXPECT_EQ(v2.version, 2);
  EXPECT_EQ(v2.updated_at, kNow + 20);

  PricingInput mini;
  mini.model = "gpt-4o-mini";
  mini.provider = "openai";
  mini.input_per_1k = usd("0.00015");
  mini.output_per_1k = usd("0.0006");
  store().upsert_pricing(mini, kNow + 30);

  auto all = store().list_pricing();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].model, "gpt-4o");
  EXPECT_EQ(all[0].version, 2);
  EXPECT_EQ(all[0].output_per_1k, Money::from_nanos(7'500'000));
  EXPECT_FALSE(all[0].cached_input_per_1k.has_value());
  EXPECT_FALSE(all[0].max_output_tokens.has_value());
  EXPECT_EQ(all[1].model, "gpt-4o-mini");
  EXPECT_EQ(all[1].input_per_1k, Money::from_nanos(150'000));
  EXPECT_EQ(all[1].version, 1);
}

TEST_P(WalletTest, NegativePriceIsRefused) {
  PricingInput p = gpt4o();
  p.input_per_1k = usd("-0.01");
  EXPECT_THROW(store().upsert_pricing(p, kNow), StoreError);
  EXPECT_TRUE(store().list_pricing().empty());
}

TEST_P(WalletTest, AllocateCreatesTheMonthWallet) {
  AllocationResult r = store().allocate("engineering", usd("500"), "USD", "Q2 engineering budget", kNow);
  EXPECT_EQ(r.entry_id.rfind("alloc_", 0), 0u) << r.entry_id;
  EXPECT_EQ(r.balance.team_id, "engineering");
  EXPECT_EQ(r.balance.currency, "USD");
  EXPECT_EQ(r.balance.budget, Money::from_nanos(500'000'000'000));
  EXPECT_EQ(r.balance.spent, Money::zero());
  EXPECT_EQ(r.balance.reserved, Money::zero());
  EXPECT_EQ(r.balance.period.label, "2026-04");
  EXPECT_EQ(r.balance.period.start, month("2026-04").start);
  EXPECT_EQ(r.balance.period.end, month("2026-05").start);

  auto b = store().balance("engineering", kNow);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->budget, usd("500"));
  EXPECT_EQ(b->remaining(), usd("500"));
}

TEST_P(WalletTest, AllocateSetsTheBudgetInsteadOfAddingAndJournalsEachCall) {
  AllocationResult first = store().allocate("marketing", usd("100"), "USD", "initial", kNow);
  apply_one(store(), settle_op("req_1:0", "marketing", usd("12.5")), kNow + 1);
  AllocationResult second = store().allocate("marketing", usd("40"), "USD", "cut back", kNow + 2);
  EXPECT_NE(first.entry_id, second.entry_id);
  EXPECT_EQ(second.balance.budget, usd("40"));
  EXPECT_EQ(second.balance.spent, usd("12.5"));  // spending this month survives a new allocation
  EXPECT_EQ(second.balance.remaining(), usd("27.5"));

  auto entries = store().journal("marketing", month("2026-04"));
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].entry_id, first.entry_id);
  EXPECT_EQ(entries[0].kind, "allocate");
  EXPECT_EQ(entries[0].amount, usd("100"));
  EXPECT_EQ(entries[0].description, "initial");
  EXPECT_EQ(entries[0].created_at, kNow);
  EXPECT_EQ(entries[1].kind, "charge");
  EXPECT_EQ(entries[2].entry_id, second.entry_id);
  EXPECT_EQ(entries[2].kind, "allocate");
  EXPECT_EQ(entries[2].amount, usd("40"));
  EXPECT_EQ(entries[2].description, "cut back");
}

TEST_P(WalletTest, NegativeAllocationIsRefused) {
  EXPECT_THROW(store().allocate("t", usd("-1"), "USD", "", kNow), StoreError);
  EXPECT_FALSE(store().balance("t", kNow).has_value());
}

TEST_P(WalletTest, TeamWithoutWalletHasNoBalance) {
  store().allocate("engineering", usd("1"), "USD", "", kNow);
  EXPECT_FALSE(store().balance("nobody", kNow).has_value());
}

TEST_P(WalletTest, ListBalancesIsOrderedByTeamAndRollsIntoTheCurrentMonth) {
  store().allocate("zeta", usd("5"), "USD", "", kNow);
  store().allocate("alpha", usd("7.25"), "EUR", "", kNow);
  apply_one(store(), settle_op("k", "alpha", usd("1.25")), kNow);

  auto april = store().list_balances(kNow);
  ASSERT_EQ(april.size(), 2u);
  EXPECT_EQ(april[0].team_id, "alpha");
  EXPECT_EQ(april[0].currency, "EUR");
  EXPECT_EQ(april[0].budget, usd("7.25"));
  EXPECT_EQ(april[0].spent, usd("1.25"));
  EXPECT_EQ(april[1].team_id, "zeta");
  EXPECT_EQ(april[1].budget, usd("5"));

  auto may = store().list_balances(at("2026-05", 2));
  ASSERT_EQ(may.size(), 2u);
  EXPECT_EQ(may[0].team_id, "alpha");
  EXPECT_EQ(may[0].period.label, "2026-05");
  EXPECT_EQ(may[0].currency, "EUR");
  EXPECT_EQ(may[0].budget, usd("7.25"));
  EXPECT_EQ(may[0].spent, Money::zero());
  EXPECT_EQ(may[1].team_id, "zeta");
  EXPECT_EQ(may[1].budget, usd("5"));
}

TEST_P(WalletTest, ConsumerGroupsAreUpsertedByName) {
  store().register_groups({{"web", "engineering"}, {"batch", "data"}});
  store().register_groups({{"web", "marketing"}});
  auto groups = store().list_groups();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].name, "batch");
  EXPECT_EQ(groups[0].team_id, "data");
  EXPECT_EQ(groups[1].name, "web");
  EXPECT_EQ(groups[1].team_id, "marketing");
}

TEST_P(WalletTest, MigrateTwiceIsHarmless) {
  store().allocate("t", usd("3"), "USD", "", kNow);
  store().migrate();
  store().migrate();
  EXPECT_EQ(store().balance("t", kNow)->budget, usd("3"));
}

TEST_P(SharedWalletTest, DataSurvivesReopeningASharedDatabase) {
  store().allocate("t", usd("3.000000001"), "USD", "", kNow);
  store_.reset();
  auto again = db_.open();
  auto b = again->balance("t", kNow);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->budget, Money::from_nanos(3'000'000'001));
}

// --- open_store -------------------------------------------------------------------------

TEST(OpenStore, InMemorySqliteOpensMigrated) {
  auto s = open_store("sqlite::memory:");
  ASSERT_NE(s, nullptr);
  EXPECT_TRUE(s->list_pricing().empty());
}

TEST(OpenStore, UnreachablePostgresIsAnErrorWithoutThePassword) {
  // Port 1 on loopback: nothing listens there, so the connection is refused at once.
  for (const char* url : {"postgresql://kt:hunter2@127.0.0.1:1/kt", "postgres://kt:hunter2@127.0.0.1:1/kt"}) {
    try {
      open_store(url);
      ADD_FAILURE() << "expected StoreError for " << url;
    } catch (const StoreError& e) {
      std::string msg = e.what();
      EXPECT_NE(msg.find("cannot connect to postgresql"), std::string::npos) << msg;
      EXPECT_EQ(msg.find("hunter2"), std::string::npos) << msg;
    }
  }
}

TEST(OpenStore, RedactedUrlMasksOnlyThePassword) {
  EXPECT_EQ(redact_database_url("postgresql://kt:hunter2@db:5432/kt"), "postgresql://kt:***@db:5432/kt");
  EXPECT_EQ(redact_database_url("postgres://kt@db/kt"), "postgres://kt@db/kt");
  EXPECT_EQ(redact_database_url("postgresql://db:5432/kt"), "postgresql://db:5432/kt");
  EXPECT_EQ(redact_database_url("sqlite:/var/lib/kt/ledger.db"), "sqlite:/var/lib/kt/ledger.db");
}

TEST(OpenStore, UnknownSchemeNamesTheAcceptedOnesWithoutLeakingTheUrl) {
  try {
    open_store("mysql://root:hunter2@db/kt");
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("'mysql'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("sqlite:PATH"), std::string::npos) << msg;
    EXPECT_NE(msg.find("sqlite::memory:"), std::string::npos) << msg;
    EXPECT_NE(msg.find("postgresql://"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("hunter2"), std::string::npos) << msg;
  }
}

TEST(OpenStore, EmptyPathAndUnopenableFileAreErrors) {
  EXPECT_THROW(open_store("sqlite:"), StoreError);
  EXPECT_THROW(open_store("sqlite:/nonexistent-kt-dir/sub/ledger.db"), StoreError);
}

}  // namespace
}  // namespace kt::ledger::testing
