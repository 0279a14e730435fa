#pragma once
// A thin RAII layer over libpq: one connection, named prepared statements cached by SQL text,
// positional text parameters, results read as text, and a transaction runner that retries
// serialisation failures and deadlocks.
//
// Every query goes through libpq's asynchronous protocol (PQsendQueryParams / PQconsumeInput /
// PQisBusy) and one wait point, wait_socket(). With a SocketWaiter set (the API's executor) that
// wait suspends the calling coroutine on Asio; without one (the CLI, tests) it is poll().
//
// Errors become PgError (a StoreError) carrying SQLSTATE and PostgreSQL's primary message
// only: the DETAIL field can quote row values, and the connection URL (with its password) is
// never part of a message. Not thread-safe: one thread uses a Connection at a time.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "core/money.hpp"
#include "ledger/store.hpp"

struct pg_conn;
struct pg_result;

namespace kt::ledger::postgres {

struct PgError : StoreError {
  PgError(const std::string& message, std::string state) : StoreError(message), sqlstate(std::move(state)) {}
  std::string sqlstate;  // "40001", "40P01", "23505", ... empty for connection failures
  bool retryable() const { return sqlstate == "40001" || sqlstate == "40P01"; }
};

// Positional parameters ($1, $2, ...) in PostgreSQL's text format; null is std::nullopt.
class Params {
 public:
  Params& add(int64_t v) { values_.emplace_back(std::to_string(v)); return *this; }
  Params& add(int v) { return add(int64_t{v}); }
  Params& add(Money v) { return add(v.nanos()); }
  Params& add(std::string_view v) { values_.emplace_back(std::string(v)); return *this; }
  Params& add(const std::string& v) { values_.emplace_back(v); return *this; }
  Params& add(const char* v) { values_.emplace_back(std::string(v)); return *this; }
  Params& add(std::nullopt_t) { values_.emplace_back(std::nullopt); return *this; }
  template <class T>
  Params& add(const std::optional<T>& v) {
    return v ? add(*v) : add(std::nullopt);
  }
  const std::vector<std::optional<std::string>>& values() const { return values_; }

 private:
  std::vector<std::optional<std::string>> values_;
};

class Result {
 public:
  explicit Result(pg_result* r = nullptr) : r_(r) {}
  Result(Result&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  Result& operator=(Result&& o) noexcept;
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  ~Result();

  int rows() const;
  bool empty() const { return rows() == 0; }
  // Rows affected by an UPDATE/INSERT/DELETE.
  int64_t affected() const;

  bool is_null(int row, int col) const;
  int64_t i64(int row, int col) const;  // a NULL reads as 0 (SUM over no rows)
  Money money(int row, int col) const { return Money::from_nanos(i64(row, col)); }
  std::string text(int row, int col) const;  // a NULL reads as ""
  std::optional<int64_t> opt_i64(int row, int col) const;
  std::optional<Money> opt_money(int row, int col) const;

 private:
  friend class Connection;
  pg_result* r_;
};

class Connection {
 public:
  // `url`: postgresql://user[:password]@host[:port]/db[?param=value...] (also postgres://).
  explicit Connection(const std::string& url);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // One statement with parameters, prepared once per connection and cached by its text.
  Result exec(const std::string& sql, const Params& params = {});
  template <class... A>
  Result query(const std::string& sql, const A&... args) {
    Params p;
    (p.add(args), ...);
    return exec(sql, p);
  }
  // Several statements without parameters (migrations, BEGIN/COMMIT).
  void exec_script(const std::string& sql);

  // Where waits for the socket (and retry back-offs) go; nullptr: block the thread.
  void set_waiter(SocketWaiter* w) { waiter_ = w; }

  // Runs f() inside BEGIN ... COMMIT; rolls back on any exception. Serialisation failures and
  // deadlocks (PostgreSQL aborted the whole transaction, so nothing happened) are retried.
  template <class F>
  auto transaction(F&& f) -> decltype(f()) {
    for (int attempt = 1;; ++attempt) {
      begin();
      try {
        if constexpr (std::is_void_v<decltype(f())>) {
          f();
          exec_script("COMMIT");
          return;
        } else {
          auto result = f();
          exec_script("COMMIT");
          return result;
        }
      } catch (const PgError& e) {
        rollback_quietly();
        if (!e.retryable() || attempt >= kMaxAttempts) throw;
        backoff(attempt);
      } catch (...) {
        rollback_quietly();
        throw;
      }
    }
  }

 private:
  static constexpr int kMaxAttempts = 8;

  // BEGIN on a live connection. A connection found dead at BEGIN (the server restarted while we
  // were idle) is re-opened once and BEGIN sent again: nothing had happened yet.
  void begin();
  // Reconnects a connection the server dropped (restart, idle timeout); prepared statements
  // died with it.
  void ensure_connected();
  void rollback_quietly();
  // A short random pause before a retry, so the transactions that collided do not collide again.
  void backoff(int attempt);
  // Sends what libpq buffered and collects every result of the current command.
  std::vector<Result> collect(const char* what);
  // The single blocking point: waits until the socket is readable (and writable if asked).
  void wait_socket(bool for_write);
  [[noreturn]] void fail_connection(const std::string& what);

  pg_conn* conn_ = nullptr;
  SocketWaiter* waiter_ = nullptr;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
};

// Runs SQL on a short-lived connection (test set-up: CREATE SCHEMA, CREATE DATABASE).
void admin_exec(const std::string& url, const std::string& sql);

}  // namespace kt::ledger::postgres
