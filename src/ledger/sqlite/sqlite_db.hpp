#pragma once
// A thin RAII layer over the SQLite C API: one connection, a cache of prepared statements
// (prepared once, reset and re-bound per use) and a transaction guard.
// Every failure becomes a kt::ledger::StoreError carrying SQLite's message (never the data).
// Not thread-safe: a Connection is used by one thread at a time.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/money.hpp"
#include "ledger/store.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace kt::ledger::sqlite {

// One use of a cached prepared statement. Parameters are bound positionally (1-based) by the
// constructor; the destructor resets the statement so it releases its read snapshot and can
// be reused. Never keep two Query objects on the same SQL text alive at once.
class Query {
 public:
  Query(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Query(Query&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  Query& operator=(Query&&) = delete;
  ~Query();

  Query& bind(int index, int64_t v);
  Query& bind(int index, int v) { return bind(index, int64_t{v}); }
  Query& bind(int index, Money v) { return bind(index, v.nanos()); }
  Query& bind(int index, std::string_view v);
  Query& bind(int index, const std::string& v) { return bind(index, std::string_view(v)); }
  Query& bind(int index, const char* v) { return bind(index, std::string_view(v)); }
  Query& bind(int index, std::nullopt_t);
  template <class T>
  Query& bind(int index, const std::optional<T>& v) {
    return v ? bind(index, *v) : bind(index, std::nullopt);
  }

  // Steps once: true when a row is available, false when the statement is done.
  bool next();
  // Runs a statement that returns no rows (or ignores them).
  void run();

  int64_t i64(int col) const;
  Money money(int col) const { return Money::from_nanos(i64(col)); }
  std::string text(int col) const;
  bool is_null(int col) const;
  std::optional<int64_t> opt_i64(int col) const;
  std::optional<Money> opt_money(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Connection {
 public:
  // Opens (creating) the database at `path` (":memory:" for a private in-memory one) and sets
  // WAL, synchronous=NORMAL, foreign keys and the busy timeout.
  Connection(const std::string& path, int busy_timeout_ms);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs one or more statements without parameters (DDL, PRAGMA, BEGIN/COMMIT).
  void exec(const std::string& sql);

  // The cached statement for `sql` with `args` bound to ?1, ?2, ...
  template <class... Args>
  Query query(const std::string& sql, const Args&... args) {
    Query q(db_, prepared(sql));
    int index = 1;
    (q.bind(index++, args), ...);
    return q;
  }

  int64_t changes() const;
  int64_t last_insert_rowid() const;
  sqlite3* raw() const { return db_; }

 private:
  sqlite3_stmt* prepared(const std::string& sql);

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// BEGIN (IMMEDIATE for writers, so the write lock is taken up front and waits through the
// busy timeout instead of failing on upgrade); rolls back unless commit() was called.
class Transaction {
 public:
  enum class Mode { deferred, immediate };
  Transaction(Connection& c, Mode mode);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

 private:
  Connection& c_;
  bool open_ = true;
};

// Throws StoreError("<what>: <sqlite message>") for a non-OK result code.
[[noreturn]] void fail(sqlite3* db, const std::string& what);

}  // namespace kt::ledger::sqlite
