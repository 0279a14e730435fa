// The statement layer: SQL written once in PostgreSQL's spelling, rewritten for SQLite, and the
// schema's versions.
#include <gtest/gtest.h>

#include <filesystem>

#include "ledger/sql/db.hpp"
#include "ledger/sql/schema.hpp"
#include "ledger/sqlite/sqlite_db.hpp"
#include "ledger/store.hpp"

namespace kt::ledger {
namespace {

TEST(SqlDialect, SqliteGetsNumberedPlaceholdersAndNoRowLocks) {
  EXPECT_EQ(sqlite::to_sqlite("SELECT a FROM t WHERE k = $1 AND p = $12 FOR UPDATE"),
            "SELECT a FROM t WHERE k = ?1 AND p = ?12");
  EXPECT_EQ(sqlite::to_sqlite("SELECT l.id FROM leases l WHERE l.id = $1 FOR UPDATE OF l"),
            "SELECT l.id FROM leases l WHERE l.id = ?1");
  EXPECT_EQ(sqlite::to_sqlite("UPDATE t SET e = GREATEST(e, $2), f = LEAST(f, 0)"),
            "UPDATE t SET e = max(e, ?2), f = min(f, 0)");
}

TEST(SqlDialect, StringLiteralsAreLeftAlone) {
  EXPECT_EQ(sqlite::to_sqlite("SELECT 'cost $1 FOR UPDATE GREATEST' || x FROM t WHERE y = $1"),
            "SELECT 'cost $1 FOR UPDATE GREATEST' || x FROM t WHERE y = ?1");
  // A word that only contains a keyword is not one.
  EXPECT_EQ(sqlite::to_sqlite("SELECT greatest_x, FORMAT FROM t"), "SELECT greatest_x, FORMAT FROM t");
}

TEST(SqlDialect, ValuesClauseNumbersRowsInOrder) {
  EXPECT_EQ(sql::values_clause(2, 3), "($1, $2, $3), ($4, $5, $6)");
  EXPECT_EQ(sql::values_clause(1, 1), "($1)");
}

TEST(SqlDialect, InsertRowsTakesAnyNumberOfRows) {
  sqlite::SqliteDb db(":memory:");
  db.exec_script("CREATE TABLE t(a INTEGER, b TEXT)");
  for (size_t n : {0u, 1u, 5u, 70u, 300u}) {
    db.exec_script("DELETE FROM t");
    std::vector<std::string> texts;
    for (size_t i = 0; i < n; ++i) texts.push_back("row" + std::to_string(i));
    std::vector<sql::Param> rows;
    for (size_t i = 0; i < n; ++i) rows.insert(rows.end(), {int64_t(i), texts[i]});
    db.write([&] { db.insert_rows("t", "a, b", 2, rows); });
    auto q = db.query("SELECT COUNT(*), COALESCE(SUM(a), 0) FROM t");
    ASSERT_TRUE(q.next());
    EXPECT_EQ(q.i64(0), int64_t(n));
    EXPECT_EQ(q.i64(1), int64_t(n * (n - (n ? 1 : 0)) / 2));
  }
  std::vector<sql::Param> ragged{int64_t(1), "a", int64_t(2)};
  EXPECT_THROW(db.insert_rows("t", "a, b", 2, ragged), StoreError);
}

class SchemaVersions : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("kt-schema-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "ledger.db").string();
    std::filesystem::remove(path_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(SchemaVersions, AnOlderKtsDatabaseIsRefusedWithWhatToDo) {
  {
    sqlite::SqliteDb db(path_);
    db.exec_script("CREATE TABLE wallets(x INTEGER); PRAGMA user_version = 3");
  }
  try {
    open_store("sqlite:" + path_);
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("schema version 3 was made by an older kt"), std::string::npos) << e.what();
  }
}

TEST_F(SchemaVersions, ABaselineDatabaseKeptInUserVersionIsAdoptedAndUpgraded) {
  {
    // As kt left it before schema_migrations existed on SQLite: the version in user_version.
    sqlite::SqliteDb db(path_);
    sql::migrate(db, 5);
    db.exec_script("DROP TABLE schema_migrations; PRAGMA user_version = 5");
    db.exec_script(
        "INSERT INTO wallets(team_id, period_start, period_end, currency, budget) VALUES('eng', 1775001600, 1777593600, "
        "'USD', 5000000000)");
  }
  auto store = open_store("sqlite:" + path_);
  EXPECT_EQ(store->balance("eng", 1775952000)->budget, *Money::parse("5"));
  sqlite::SqliteDb db(path_);
  auto q = db.query("SELECT MAX(version) FROM schema_migrations");
  ASSERT_TRUE(q.next());
  EXPECT_EQ(q.i64(0), sql::latest_schema_version());
}

TEST_F(SchemaVersions, SpendRollupsAreBackFilledFromTheJournalOnUpgrade) {
  const int64_t april = 1775001600, may = 1777593600;  // 2026-04-01, 2026-05-01 (UTC)
  {
    // A version-8 database (before the rollups) with a month of journal lines.
    sqlite::SqliteDb db(path_);
    sql::migrate(db, 8);
    db.exec_script("INSERT INTO wallets(team_id, period_start, period_end, currency, budget, spent) VALUES('eng', " +
                   std::to_string(april) + ", " + std::to_string(may) + ", 'USD', 5000000000, 70000000)");
    using Text = std::optional<std::string_view>;
    auto line = [&](const char* id, const char* kind, int64_t amount, Text model, Text group, int64_t at) {
      db.exec("INSERT INTO journal(entry_id, team_id, period_start, kind, key, amount, model, consumer_group, "
              "prompt_tokens, completion_tokens, created_at) VALUES($1, 'eng', $2, $3, $1, $4, $5, $6, 3, 2, $7)",
              {id, april, kind, amount, model, group, at});
    };
    db.write([&] {
      line("r1", "reserve", 90000000, std::nullopt, std::nullopt, april + 3600);
      line("s1", "settle", 10000000, "gpt-4o", "web", april + 3600);
      line("s2", "settle", 20000000, "gpt-4o", "web", april + 7199);
      line("c1", "charge", 40000000, std::nullopt, "web", april + 86400);  // no model: rolled up as ''
    });
  }
  auto store = open_store("sqlite:" + path_);
  auto by_day = store->spend_by("eng", Period{.start = april, .end = may, .label = "2026-04"}, SpendGrouping::day);
  ASSERT_EQ(by_day.size(), 2u);
  EXPECT_EQ(by_day[0].cost, Money::from_nanos(30000000));
  EXPECT_EQ(by_day[0].requests, 2);
  EXPECT_EQ(by_day[0].prompt_tokens, 6);
  EXPECT_EQ(by_day[1].cost, Money::from_nanos(40000000));
  auto by_model = store->spend_by("eng", Period{.start = april, .end = may, .label = "2026-04"}, SpendGrouping::model);
  ASSERT_EQ(by_model.size(), 2u);
  EXPECT_EQ(by_model[0].key, "");
  EXPECT_EQ(by_model[1].key, "gpt-4o");
  VerifyOptions o;
  o.now = april + 86400;
  auto report = store->verify(o);
  for (const auto& i : report.issues) EXPECT_EQ(i.message.find("spend rollup"), std::string::npos) << i.message;
}

TEST_F(SchemaVersions, TheChecksRebuiltAsComparisonsKeepEveryRowAndStillRefuse) {
  const int64_t april = 1775001600;
  const std::string at = std::to_string(april);
  {
    // A version-11 database: the journal's and reservations' checks are IN lists.
    sqlite::SqliteDb db(path_);
    sql::migrate(db, 11);
    db.exec_script("INSERT INTO wallets(team_id, period_start, period_end, currency, budget) VALUES('eng', " + at +
                   ", 1777593600, 'USD', 5000000000)");
    db.exec_script("INSERT INTO journal(id, entry_id, team_id, period_start, kind, key, amount, description, model, "
                   "provider, consumer_group, prompt_tokens, completion_tokens, created_at, lease_id, estimate) "
                   "VALUES(7, 'settle:k1', 'eng', " + at + ", 'settle', 'k1', 5, 'd', 'gpt-4o', 'openai', 'web', 3, "
                   "2, " + at + ", 'lease1', 9)");
    db.exec_script("INSERT INTO reservations(key, team_id, period_start, amount, state, refusal, created_at, "
                   "settled_amount, lease_id, log_id, key_id, key_period_start) VALUES('k2', 'eng', " + at +
                   ", 3, 'refused', 'blocked', " + at + ", 4, 'lease2', 'log1', 'key1', " + at + ")");
  }
  sqlite::SqliteDb db(path_);
  sql::migrate(db);
  auto j = db.query("SELECT id, entry_id, team_id, period_start, kind, key, amount, description, model, provider, "
                    "consumer_group, prompt_tokens, completion_tokens, created_at, lease_id, estimate FROM journal");
  ASSERT_TRUE(j.next());
  EXPECT_EQ(j.i64(0), 7);
  std::vector<std::string> texts;
  for (int c : {1, 2, 4, 5, 7, 8, 9, 10, 14}) texts.push_back(j.text(c));
  EXPECT_EQ(texts, (std::vector<std::string>{"settle:k1", "eng", "settle", "k1", "d", "gpt-4o", "openai", "web", "lease1"}));
  EXPECT_EQ(std::vector<int64_t>({j.i64(3), j.i64(6), j.i64(11), j.i64(12), j.i64(13), j.i64(15)}),
            std::vector<int64_t>({april, 5, 3, 2, april, 9}));
  EXPECT_FALSE(j.next());
  auto r = db.query("SELECT key, state, refusal, amount, settled_amount, lease_id, log_id, key_id, key_period_start "
                    "FROM reservations");
  ASSERT_TRUE(r.next());
  EXPECT_EQ(r.text(0) + r.text(1) + r.text(2) + r.text(5) + r.text(6) + r.text(7), "k2refusedblockedlease2log1key1");
  EXPECT_EQ(std::vector<int64_t>({r.i64(3), r.i64(4), r.i64(8)}), std::vector<int64_t>({3, 4, april}));

  // Every named index is back, and the checks still refuse what they refused.
  auto idx = db.query("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'index' AND name IN ('journal_by_team_period', "
                      "'journal_spend_by_time', 'reservations_held', 'reservations_held_age', 'reservations_by_log')");
  ASSERT_TRUE(idx.next());
  EXPECT_EQ(idx.i64(0), 5);
  auto line = [&](const std::string& id, const std::string& kind) {
    db.exec_script("INSERT INTO journal(entry_id, team_id, period_start, kind, amount, created_at) VALUES('" + id +
                   "', 'eng', " + at + ", '" + kind + "', 1, " + at + ")");
  };
  EXPECT_NO_THROW(line("a", "lease_expire"));
  EXPECT_THROW(line("b", "bogus"), StoreError);
  EXPECT_THROW(line("c", "Settle"), StoreError);
  EXPECT_THROW(db.exec_script("UPDATE reservations SET state = 'gone' WHERE key = 'k2'"), StoreError);
  EXPECT_THROW(db.exec_script("UPDATE reservations SET refusal = 'maybe' WHERE key = 'k2'"), StoreError);
  EXPECT_NO_THROW(db.exec_script("UPDATE reservations SET state = 'held', refusal = NULL WHERE key = 'k2'"));
  // No temporary B-tree per row written: the plan of a journal insert opens none.
  auto plan = db.query("EXPLAIN INSERT INTO journal(entry_id, team_id, period_start, kind, amount, created_at) "
                       "VALUES('d', 'eng', $1, 'settle', 1, $1)", {april});
  int ephemeral = 0;
  while (plan.next()) ephemeral += plan.text(1) == "OpenEphemeral";
  EXPECT_EQ(ephemeral, 0);
}

}  // namespace
}  // namespace kt::ledger
