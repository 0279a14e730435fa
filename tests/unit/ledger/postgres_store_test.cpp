// PostgreSQL-only behaviour the shared suite cannot express: reconnecting after the server
// drops the connection and refusing a schema newer than the build.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <string>

#include "ledger/postgres/pg_db.hpp"
#include "ledger_test_support.hpp"

namespace kt::ledger::testing {
namespace {

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* url = std::getenv("KT_TEST_POSTGRES_URL");
    if (!url || !*url) {
      const char* msg = "KT_TEST_POSTGRES_URL is not set: PostgreSQL-only tests not run";
      if (running_in_ci()) FAIL() << msg;
      GTEST_SKIP() << msg;
    }
    base_ = url;
    schema_ = "kt_pgonly_" + std::to_string(getpid()) + "_" + std::to_string(std::random_device{}() % 1000000);
    postgres::admin_exec(base_, "CREATE SCHEMA " + schema_);
    // application_name lets a test find (and kill) exactly this store's server process.
    scoped_ = base_ + (base_.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema_ +
              "&application_name=" + schema_;
  }
  void TearDown() override {
    if (!schema_.empty()) postgres::admin_exec(base_, "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
  }
  std::string base_, schema_, scoped_;
};

TEST_F(PostgresStoreTest, StoreReconnectsAfterTheServerDropsItsConnection) {
  auto store = open_store(scoped_);
  const int64_t now = at("2026-04", 3);
  store->allocate("eng", usd("10"), "USD", "", now);
  postgres::admin_exec(base_, "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = '" +
                                  schema_ + "'");
  // (The timeout makes the call wait until the process is gone.) The next transaction finds
  // the connection dead at BEGIN, reconnects and goes on.
  OpResult r = apply_one(*store, reserve_op("a:0", "eng", usd("4")), now);
  EXPECT_EQ(r.reserve_status, ReserveStatus::reserved);
  EXPECT_EQ(store->balance("eng", now)->reserved, usd("4"));
}

TEST_F(PostgresStoreTest, SchemaNewerThanTheBuildIsRefused) {
  open_store(scoped_);
  postgres::admin_exec(scoped_, "INSERT INTO schema_migrations(version) VALUES (999)");
  try {
    open_store(scoped_);
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("schema version 999 is newer than this build supports"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace kt::ledger::testing
