#pragma once
// A store-agnostic test suite: every test runs against each backend in ledger_backends(), so
// a PostgreSQL store only has to add itself there to get the same coverage.
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <ostream>
#include <memory>
#include <string>
#include <vector>

#include "core/money.hpp"
#include "core/period.hpp"
#include "ledger/store.hpp"

namespace kt::ledger::testing {

using StoreFactory = std::function<std::unique_ptr<Store>()>;

// One fresh, empty database. `open` connects (and migrates) a new Store to that same database
// each time it is called; `shared` says whether those connections see each other's data
// (false for a private in-memory database).
struct TestDatabase {
  StoreFactory open;
  bool shared = false;
  std::function<void()> cleanup;
  // Runs raw SQL on the database behind the store's back (to corrupt it on purpose); empty for
  // a private in-memory database.
  std::function<void(const std::string& sql)> tamper;
};

struct Backend {
  std::string name;
  std::function<TestDatabase()> create;
  // Non-empty: the backend cannot run here (PostgreSQL without KT_TEST_POSTGRES_URL). Its tests
  // are skipped with this message locally and fail under CI=true.
  std::string unavailable;
  // A private in-memory database: one connection only, nothing to share or tamper with.
  bool private_memory = false;
};

std::vector<Backend> ledger_backends();
// The backends whose database several connections can open (concurrency, reopen, tamper tests).
std::vector<Backend> shared_ledger_backends();

// CI=true: a backend that cannot run fails instead of being skipped.
inline bool running_in_ci() {
  const char* ci = std::getenv("CI");
  return ci && std::string(ci) == "true";
}
// gtest prints a failing test's parameter by its name, not as raw bytes.
inline void PrintTo(const Backend& b, std::ostream* os) { *os << b.name; }

class LedgerStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (!GetParam().unavailable.empty()) {
      if (running_in_ci()) FAIL() << GetParam().unavailable;
      GTEST_SKIP() << GetParam().unavailable;
    }
    db_ = GetParam().create();
    store_ = db_.open();
  }
  void TearDown() override {
    store_.reset();
    if (db_.cleanup) db_.cleanup();
  }

  Store& store() { return *store_; }

  TestDatabase db_;
  std::unique_ptr<Store> store_;
};

// Exact money from decimal text: usd("0.000015").
Money usd(const char* text);
// Unix seconds of day `day` (1-based) of `month` ("2026-04") at `seconds` past midnight UTC.
int64_t at(const char* month, int day = 1, int64_t seconds = 0);
Period month(const char* label);

LedgerOp reserve_op(const std::string& key, const std::string& team, Money amount, int block_at_percent = 0);
LedgerOp settle_op(const std::string& key, const std::string& team, Money actual, const std::string& model = "gpt-4o",
                   int64_t prompt_tokens = 0, int64_t completion_tokens = 0, std::vector<int> thresholds = {});
LedgerOp release_op(const std::string& key, const std::string& team);

// Applies one op and returns its result.
OpResult apply_one(Store& s, const LedgerOp& op, int64_t now);

}  // namespace kt::ledger::testing

// Each test file derives its own fixture from LedgerStoreTest and instantiates it here.
#define KT_LEDGER_BACKEND_SUITE(Fixture)                                                          \
  INSTANTIATE_TEST_SUITE_P(Backends, Fixture, ::testing::ValuesIn(::kt::ledger::testing::ledger_backends()), \
                           [](const ::testing::TestParamInfo<::kt::ledger::testing::Backend>& p) { return p.param.name; })
// For fixtures whose tests open the database more than once.
#define KT_LEDGER_SHARED_BACKEND_SUITE(Fixture)                                                   \
  INSTANTIATE_TEST_SUITE_P(Backends, Fixture,                                                    \
                           ::testing::ValuesIn(::kt::ledger::testing::shared_ledger_backends()),  \
                           [](const ::testing::TestParamInfo<::kt::ledger::testing::Backend>& p) { return p.param.name; })
