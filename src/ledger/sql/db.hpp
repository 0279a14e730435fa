#pragma once
// One statement layer for both databases: the store's SQL is written once, in PostgreSQL's
// spelling ($1 placeholders, FOR UPDATE row locks, GREATEST/LEAST), and each dialect's Db
// rewrites what its engine spells differently (sqlite/sqlite_db.cpp: ?N placeholders, no row
// locks — one writer at a time — and max()/min()). Results are read through one cursor type.
//
// Parameters are views: what they point at must outlive the call that binds them (every call
// binds before it returns). A Db is used by one thread at a time.
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/money.hpp"
#include "ledger/store_types.hpp"

namespace kt::ledger::sql {

enum class Dialect { sqlite, postgres };

// One bound value: an integer, text, or NULL.
struct Param {
  enum class Kind { null, integer, text } kind = Kind::null;
  int64_t integer = 0;
  std::string_view text;

  Param(std::nullopt_t) {}
  Param(int64_t v) : kind(Kind::integer), integer(v) {}
  Param(int v) : Param(int64_t{v}) {}
  Param(Money v) : Param(v.nanos()) {}
  Param(std::string_view v) : kind(Kind::text), text(v) {}
  Param(const std::string& v) : Param(std::string_view(v)) {}
  Param(const char* v) : Param(std::string_view(v)) {}
  template <class T>
  Param(const std::optional<T>& v) : Param(v ? Param(*v) : Param(std::nullopt)) {}
};
using Params = std::initializer_list<Param>;
// Text, or NULL when empty (optional references: a lease, a log).
inline Param text_or_null(std::string_view s) { return s.empty() ? Param(std::nullopt) : Param(s); }

// The rows of one statement. SQLite steps lazily (keep a cursor in a scope that ends before the
// transaction does, and never two live cursors of the same SQL text); PostgreSQL holds them all.
class Cursor {
 public:
  virtual ~Cursor() = default;
  virtual bool next() = 0;
  virtual bool is_null(int col) const = 0;
  virtual int64_t i64(int col) const = 0;  // NULL reads as 0 (a SUM over no rows)
  virtual std::string text(int col) const = 0;  // NULL reads as ""
  // Rows an INSERT/UPDATE/DELETE changed (runs the statement to its end first).
  virtual int64_t affected() = 0;
};

class Rows {
 public:
  explicit Rows(std::unique_ptr<Cursor> c) : c_(std::move(c)) {}
  bool next() { return c_->next(); }
  bool is_null(int col) const { return c_->is_null(col); }
  int64_t i64(int col) const { return c_->i64(col); }
  Money money(int col) const { return Money::from_nanos(i64(col)); }
  std::string text(int col) const { return c_->text(col); }
  std::optional<int64_t> opt_i64(int col) const {
    return is_null(col) ? std::nullopt : std::optional<int64_t>(i64(col));
  }
  std::optional<Money> opt_money(int col) const {
    return is_null(col) ? std::nullopt : std::optional<Money>(money(col));
  }
  int64_t affected() { return c_->affected(); }

 private:
  std::unique_ptr<Cursor> c_;
};

class Db {
 public:
  enum class Tx { read, write };
  virtual ~Db() = default;
  virtual Dialect dialect() const = 0;

  // One statement, prepared once per connection and cached by its text.
  virtual Rows query(const std::string& sql, Params params = {}) = 0;
  // Runs a statement to its end; the rows it changed.
  int64_t exec(const std::string& sql, Params params = {}) { return query(sql, params).affected(); }
  // Several statements without parameters (schema steps).
  virtual void exec_script(const std::string& sql) = 0;

  // Runs f() in one transaction (write: SQLite takes the write lock up front; PostgreSQL runs
  // READ COMMITTED and locks rows as the SQL says). Rolls back on any exception; a transaction the
  // database aborted whole (PostgreSQL serialisation failure or deadlock) is run again.
  template <class F>
  auto transaction(Tx mode, F&& f) -> decltype(f()) {
    for (int attempt = 1;; ++attempt) {
      begin(mode);
      try {
        if constexpr (std::is_void_v<decltype(f())>) {
          f();
          commit();
          return;
        } else {
          auto result = f();
          commit();
          return result;
        }
      } catch (const StoreError& e) {
        rollback_quietly();
        if (!retryable(e) || attempt >= kMaxAttempts) throw;
        backoff(attempt);
      } catch (...) {
        rollback_quietly();
        throw;
      }
    }
  }
  template <class F>
  auto write(F&& f) -> decltype(f()) { return transaction(Tx::write, std::forward<F>(f)); }
  template <class F>
  auto read(F&& f) -> decltype(f()) { return transaction(Tx::read, std::forward<F>(f)); }

  // Makes writers that name the same `name` take turns until the transaction ends (PostgreSQL:
  // an advisory lock, for rows that may not exist yet — a new model's first price, the schema;
  // SQLite: nothing, the write transaction already excludes other writers).
  virtual void lock_name(const std::string& name) = 0;
  // Where waits for the socket go (PostgreSQL); false when the database has no socket.
  virtual bool set_socket_waiter(SocketWaiter* w) { return false; }

  // Inserts many rows of one table as multi-row INSERTs of up to kBulkRows rows each (then in
  // smaller fixed sizes, so only a handful of statement texts are ever prepared and cached).
  // `columns` is "a, b, c"; each row holds exactly that many params. `suffix` follows VALUES
  // (e.g. " ON CONFLICT DO NOTHING").
  void insert_rows(const std::string& table, const std::string& columns, size_t column_count,
                   const std::vector<Param>& flat_params, const std::string& suffix = "");
  static constexpr size_t kBulkRows = 64;

 protected:
  virtual void begin(Tx mode) = 0;
  virtual void commit() = 0;
  virtual void rollback_quietly() = 0;
  virtual bool retryable(const StoreError&) const { return false; }
  virtual void backoff(int attempt) {}
  // A statement with a list of params (bulk inserts). `params` outlives the rows returned (the
  // statement's text is bound in place, not copied).
  virtual Rows query_list(const std::string& sql, const std::vector<Param>& params, size_t first,
                          size_t count) = 0;
  static constexpr int kMaxAttempts = 8;
};

// "$1, $2, $3" ... for `count` params starting at `first` (1-based), grouped into rows of `per_row`:
// "($1, $2), ($3, $4)".
const std::string& values_clause(size_t rows, size_t per_row);

// The database behind a store URL ("sqlite:PATH", "sqlite::memory:", "postgresql://...").
std::unique_ptr<Db> open_db(const std::string& url);

}  // namespace kt::ledger::sql
