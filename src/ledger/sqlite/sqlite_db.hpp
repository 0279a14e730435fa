#pragma once
// The SQLite dialect of the statement layer (sql/db.hpp): one connection, a cache of prepared
// statements (prepared once, reset and re-bound per use), BEGIN IMMEDIATE for writers.
// Every failure becomes a StoreError carrying SQLite's message (never the data).
// Not thread-safe: a SqliteDb is used by one thread at a time.
#include <string>
#include <unordered_map>

#include "ledger/sql/db.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace kt::ledger::sqlite {

class SqliteDb final : public sql::Db {
 public:
  // Opens (creating) the database at `path` (":memory:" for a private in-memory one) and sets
  // WAL, synchronous=NORMAL, foreign keys and the busy timeout.
  SqliteDb(const std::string& path, int busy_timeout_ms = 10000);
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  ~SqliteDb() override;

  sql::Dialect dialect() const override { return sql::Dialect::sqlite; }
  sql::Rows query(const std::string& sql, sql::Params params = {}) override;
  void exec_script(const std::string& sql) override;
  void lock_name(const std::string&) override {}  // BEGIN IMMEDIATE already excludes other writers

 protected:
  void begin(Tx mode) override;
  void commit() override;
  void rollback_quietly() override;
  sql::Rows query_list(const std::string& sql, const std::vector<sql::Param>& params, size_t first,
                       size_t count) override;

 private:
  sqlite3_stmt* prepared(const std::string& sql);
  // `in_place`: text is bound without a copy, so the params must outlive the rows returned.
  sql::Rows bound(const std::string& sql, const sql::Param* params, size_t count, bool in_place);

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// The statement text SQLite runs for one written in the layer's (PostgreSQL's) spelling:
// $N -> ?N, row locks (FOR UPDATE [OF t]) dropped, GREATEST/LEAST -> max/min.
std::string to_sqlite(const std::string& sql);

}  // namespace kt::ledger::sqlite
