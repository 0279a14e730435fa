// Several stores (connections) on one database reserving from one wallet at once: the
// guarded update inside a write transaction must never over-commit the budget.
#include <atomic>
#include <thread>

#include "ledger_test_support.hpp"

namespace kt::ledger::testing {
namespace {

class ConcurrencyTest : public LedgerStoreTest {};
KT_LEDGER_SHARED_BACKEND_SUITE(ConcurrencyTest);

TEST_P(ConcurrencyTest, ParallelReservesNeverExceedTheBudget) {
  const int64_t now = at("2026-04", 15);
  store().allocate("eng", usd("100"), "USD", "", now);

  constexpr int kThreads = 8, kPerThread = 100;
  // Open every connection before starting, so the race is on the reserves only.
  std::vector<std::unique_ptr<Store>> stores;
  for (int t = 0; t < kThreads; ++t) stores.push_back(db_.open());

  std::atomic<int> reserved{0}, insufficient{0}, other{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (int i = 0; i < kPerThread; ++i) {
          auto key = "req_" + std::to_string(t) + "_" + std::to_string(i) + ":0";
          OpResult r = apply_one(*stores[t], reserve_op(key, "eng", usd("1")), now);
          if (r.reserve_status == ReserveStatus::reserved) ++reserved;
          else if (r.reserve_status == ReserveStatus::insufficient) ++insufficient;
          else ++other;
          // Invariant at every step, as this connection sees it.
          if (r.balance.spent + r.balance.reserved > r.balance.budget) failed = true;
        }
      } catch (const std::exception& e) {
        ADD_FAILURE() << "thread " << t << ": " << e.what();
        failed = true;
      }
    });
  }
  for (auto& th : threads) th.join();

  EXPECT_FALSE(failed.load());
  EXPECT_EQ(reserved.load(), 100);
  EXPECT_EQ(insufficient.load(), kThreads * kPerThread - 100);
  EXPECT_EQ(other.load(), 0);
  auto b = store().balance("eng", now);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->reserved, usd("100"));
  EXPECT_EQ(b->spent, Money::zero());
  EXPECT_EQ(b->remaining(), Money::zero());
  // 1 allocation + exactly 100 reserve entries.
  EXPECT_EQ(store().journal("eng", month("2026-04")).size(), 101u);
}

TEST_P(ConcurrencyTest, ConnectionsOpenedConcurrentlyMigrateOnce) {
  std::vector<std::thread> threads;
  std::atomic<int> opened{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      try {
        auto s = db_.open();
        s->list_pricing();
        ++opened;
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(opened.load(), 4);
}

// The same ops (a retry sent to another API replica) on several connections at once: each
// key moves money exactly once.
TEST_P(ConcurrencyTest, ConcurrentReplaysOfOneKeyMoveMoneyOnce) {
  const int64_t now = at("2026-04", 15);
  store().allocate("eng", usd("100"), "USD", "", now);
  constexpr int kThreads = 6, kKeys = 40;
  std::vector<std::unique_ptr<Store>> stores;
  for (int t = 0; t < kThreads; ++t) stores.push_back(db_.open());
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (int i = 0; i < kKeys; ++i) {
          auto key = "req_" + std::to_string(i) + ":0";
          stores[t]->apply({reserve_op(key, "eng", usd("1"))}, now);
          stores[t]->apply({settle_op(key, "eng", usd("0.25"))}, now);
          // A settle with no reservation at all, raced too: charged once.
          stores[t]->apply({settle_op("direct_" + std::to_string(i) + ":0", "eng", usd("0.5"))}, now);
        }
      } catch (const std::exception& e) {
        ADD_FAILURE() << "thread " << t << ": " << e.what();
      }
    });
  }
  for (auto& th : threads) th.join();
  auto b = store().balance("eng", now);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->reserved, Money::zero());
  EXPECT_EQ(b->spent, usd("30"));  // 40 x 0.25 + 40 x 0.5
  // 1 allocation + 40 reserves + 40 settles + 40 charges.
  EXPECT_EQ(store().journal("eng", month("2026-04")).size(), 121u);
  EXPECT_EQ(store().verify({now, 900}).violations(), 0);
}

// Batches touching two wallets in opposite orders may deadlock on PostgreSQL; the store
// retries the whole transaction, so callers never see it and the money still adds up.
TEST_P(ConcurrencyTest, BatchesOverTwoWalletsInOppositeOrdersAllSucceed) {
  const int64_t now = at("2026-04", 15);
  store().allocate("eng", usd("1000"), "USD", "", now);
  store().allocate("ops", usd("1000"), "USD", "", now);
  constexpr int kThreads = 4, kBatches = 40;
  std::vector<std::unique_ptr<Store>> stores;
  for (int t = 0; t < kThreads; ++t) stores.push_back(db_.open());
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        const char* first = t % 2 ? "eng" : "ops";
        const char* second = t % 2 ? "ops" : "eng";
        for (int i = 0; i < kBatches; ++i) {
          auto k = std::to_string(t) + "_" + std::to_string(i);
          stores[t]->apply({reserve_op("a" + k, first, usd("1")), reserve_op("b" + k, second, usd("1")),
                            settle_op("a" + k, first, usd("0.5")), settle_op("b" + k, second, usd("0.5"))},
                           now);
        }
      } catch (const std::exception& e) {
        ADD_FAILURE() << "thread " << t << ": " << e.what();
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const char* team : {"eng", "ops"}) {
    auto b = store().balance(team, now);
    ASSERT_TRUE(b.has_value());
    EXPECT_EQ(b->reserved, Money::zero()) << team;
    EXPECT_EQ(b->spent, usd("80")) << team;  // 4 threads x 40 batches x 0.5
  }
  EXPECT_EQ(store().verify({now, 900}).violations(), 0);
}

}  // namespace
}  // namespace kt::ledger::testing
