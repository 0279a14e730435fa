// The API's store executor: SQLite calls run one at a time on the store thread; PostgreSQL calls
// run concurrently over a pool of connections driven by Asio from that one thread, so a
// transaction stuck on a row lock does not hold up the rest, and shutdown never hangs on it.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <random>

#include "api/store_executor.hpp"
#include "ledger/postgres/pg_db.hpp"

namespace kt::api {
namespace {
namespace asio = boost::asio;
using ledger::LedgerOp;

LedgerOp reserve(const std::string& key, const std::string& team, Money amount) {
  LedgerOp op{};
  op.kind = LedgerOp::Kind::reserve;
  op.reserve.key = key;
  op.reserve.team_id = team;
  op.reserve.amount = amount;
  return op;
}

// Runs `ioc` until `done()` or 10 s pass.
template <class P>
bool run_until(asio::io_context& ioc, P done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    ioc.restart();
    ioc.run_for(std::chrono::milliseconds(20));
  }
  return done();
}

// Runs `ioc` for `ms` (the store thread works meanwhile).
void run_a_while(asio::io_context& ioc, int ms = 300) {
  ioc.restart();
  ioc.run_for(std::chrono::milliseconds(ms));
}

// One reserve through the executor; the outcome lands in `status` (or `error`).
struct Reserve {
  std::optional<ledger::ReserveStatus> status;
  std::optional<std::string> error;
  bool done() const { return status || error; }
};
void spawn_reserve(asio::io_context& ioc, StoreExecutor& ex, LedgerOp op, Reserve& out) {
  asio::co_spawn(
      ioc,
      [&ex, op = std::move(op), &out]() -> asio::awaitable<void> {
        std::vector<LedgerOp> ops{op};
        try {
          auto r = co_await ex.call([&](ledger::Store& s) { return s.apply(ops, now_unix_seconds()); });
          out.status = r.at(0).reserve_status;
        } catch (const std::exception& e) {
          out.error = e.what();
        }
      },
      asio::detached);
}

class PostgresExecutor : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* url = std::getenv("KT_TEST_POSTGRES_URL");
    if (!url || !*url) {
      const char* ci = std::getenv("CI");
      if (ci && std::string(ci) == "true") FAIL() << "KT_TEST_POSTGRES_URL is not set";
      GTEST_SKIP() << "KT_TEST_POSTGRES_URL is not set (bash scripts/postgres.sh start)";
    }
    base_ = url;
    schema_ = "kt_exec_" + std::to_string(getpid()) + "_" + std::to_string(std::random_device{}() % 1000000);
    ledger::postgres::admin_exec(base_, "CREATE SCHEMA " + schema_);
    scoped_ = base_ + (base_.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema_;
  }
  void TearDown() override {
    if (!schema_.empty()) ledger::postgres::admin_exec(base_, "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
  }
  std::unique_ptr<StoreExecutor> executor(size_t connections) {
    std::vector<std::unique_ptr<ledger::Store>> stores;
    for (size_t i = 0; i < connections; ++i) stores.push_back(ledger::open_store(scoped_));
    auto ex = std::make_unique<StoreExecutor>(std::move(stores));
    for (const char* team : {"team_a", "team_b"}) {
      bool done = false;
      asio::co_spawn(
          ioc_,
          [&]() -> asio::awaitable<void> {
            co_await ex->call([&](ledger::Store& s) {
              return s.allocate(team, *Money::parse("1"), "USD", "", now_unix_seconds());
            });
            done = true;
          },
          asio::detached);
      EXPECT_TRUE(run_until(ioc_, [&] { return done; }));
    }
    return ex;
  }
  // Holds team_a's wallet row locked (FOR UPDATE) until `unlock()`.
  void lock_team_a() {
    locker_.emplace(scoped_);
    locker_->exec_script("BEGIN");
    locker_->query("SELECT budget FROM wallets WHERE team_id = $1 FOR UPDATE", {"team_a"});
  }
  void unlock() { locker_->exec_script("COMMIT"); }

  std::string base_, schema_, scoped_;
  asio::io_context ioc_;
  std::optional<ledger::postgres::PgDb> locker_;
};

TEST_F(PostgresExecutor, ACallWaitingOnARowLockDoesNotHoldUpTheOthers) {
  auto ex = executor(2);
  ASSERT_TRUE(ex->concurrent());
  lock_team_a();
  Reserve a, b;
  spawn_reserve(ioc_, *ex, reserve("req_a:1", "team_a", *Money::parse("0.1")), a);
  run_a_while(ioc_);  // long enough for a's UPDATE to be waiting on the lock
  spawn_reserve(ioc_, *ex, reserve("req_b:1", "team_b", *Money::parse("0.1")), b);
  ASSERT_TRUE(run_until(ioc_, [&] { return b.done(); })) << "team_b's reserve waited behind team_a's lock";
  EXPECT_EQ(b.status, ledger::ReserveStatus::reserved);
  EXPECT_FALSE(a.done()) << "team_a's reserve should still wait for the row lock";
  unlock();
  ASSERT_TRUE(run_until(ioc_, [&] { return a.done(); }));
  EXPECT_EQ(a.status, ledger::ReserveStatus::reserved);
}

TEST_F(PostgresExecutor, MoreCallsThanConnectionsQueueAndAllComplete) {
  auto ex = executor(2);
  std::vector<Reserve> rs(20);
  for (size_t i = 0; i < rs.size(); ++i)
    spawn_reserve(ioc_, *ex, reserve("req_" + std::to_string(i) + ":1", i % 2 ? "team_a" : "team_b",
                                     *Money::parse("0.1")), rs[i]);
  ASSERT_TRUE(run_until(ioc_, [&] { return std::all_of(rs.begin(), rs.end(), [](auto& r) { return r.done(); }); }));
  int reserved = 0, insufficient = 0;
  for (auto& r : rs) {
    ASSERT_TRUE(r.status) << *r.error;
    (*r.status == ledger::ReserveStatus::reserved ? reserved : insufficient)++;
  }
  // $1 each, $0.1 a reserve: ten fit per team, and the two teams got ten requests each.
  EXPECT_EQ(reserved, 20);
  EXPECT_EQ(insufficient, 0);
}

TEST_F(PostgresExecutor, ShutdownEndsACallStuckOnTheDatabase) {
  auto ex = executor(1);
  lock_team_a();
  Reserve a;
  spawn_reserve(ioc_, *ex, reserve("req_a:1", "team_a", *Money::parse("0.1")), a);
  run_a_while(ioc_);
  EXPECT_FALSE(a.done());
  ex.reset();  // returns: the stuck wait is cancelled
  ASSERT_TRUE(run_until(ioc_, [&] { return a.done(); }));
  ASSERT_TRUE(a.error);
  EXPECT_NE(a.error->find("shutting down"), std::string::npos) << *a.error;
  unlock();
}

TEST(SqliteExecutor, RunsCallsOneAtATimeOnOneStore) {
  std::vector<std::unique_ptr<ledger::Store>> stores;
  stores.push_back(ledger::open_store("sqlite::memory:"));
  StoreExecutor ex(std::move(stores));
  EXPECT_FALSE(ex.concurrent());
  EXPECT_EQ(ex.pool_size(), 1u);
  asio::io_context ioc;
  std::optional<ledger::ReserveStatus> status;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        co_await ex.call([&](ledger::Store& s) {
          return s.allocate("team_a", *Money::parse("1"), "USD", "", now_unix_seconds());
        });
        std::vector<LedgerOp> ops{reserve("req_1:1", "team_a", *Money::parse("0.5"))};
        auto r = co_await ex.call([&](ledger::Store& s) { return s.apply(ops, now_unix_seconds()); });
        status = r.at(0).reserve_status;
      },
      asio::detached);
  ASSERT_TRUE(run_until(ioc, [&] { return status.has_value(); }));
  EXPECT_EQ(*status, ledger::ReserveStatus::reserved);
}

}  // namespace
}  // namespace kt::api
