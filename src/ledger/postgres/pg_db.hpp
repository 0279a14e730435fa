#pragma once
// The PostgreSQL dialect of the statement layer (sql/db.hpp): one libpq connection, named
// prepared statements cached by SQL text, parameters in text format, and transactions that are
// run again after a serialisation failure or a deadlock.
//
// Every query goes through libpq's asynchronous protocol (PQsendQueryPrepared / PQconsumeInput /
// PQisBusy) and one wait point, wait_socket(). With a SocketWaiter set (the API's executor) that
// wait suspends the calling coroutine on Asio; without one (the CLI, tests) it is poll().
//
// Errors become PgError (a StoreError) carrying SQLSTATE and PostgreSQL's primary message
// only: the DETAIL field can quote row values, and the connection URL (with its password) is
// never part of a message. Not thread-safe: one thread uses a PgDb at a time.
#include <string>
#include <unordered_map>
#include <vector>

#include "ledger/sql/db.hpp"

struct pg_conn;
struct pg_result;

namespace kt::ledger::postgres {

struct PgError : StoreError {
  PgError(const std::string& message, std::string state) : StoreError(message), sqlstate(std::move(state)) {}
  std::string sqlstate;  // "40001", "40P01", "23505", ... empty for connection failures
  bool retryable() const { return sqlstate == "40001" || sqlstate == "40P01"; }
};

class PgDb final : public sql::Db {
 public:
  // `url`: postgresql://user[:password]@host[:port]/db[?param=value...] (also postgres://).
  explicit PgDb(const std::string& url);
  ~PgDb() override;
  PgDb(const PgDb&) = delete;
  PgDb& operator=(const PgDb&) = delete;

  sql::Dialect dialect() const override { return sql::Dialect::postgres; }
  sql::Rows query(const std::string& sql, sql::Params params = {}) override;
  void exec_script(const std::string& sql) override;
  void lock_name(const std::string& name) override;
  bool set_socket_waiter(SocketWaiter* w) override {
    waiter_ = w;
    return true;
  }

 protected:
  // BEGIN on a live connection. A connection found dead at BEGIN (the server restarted while we
  // were idle) is re-opened once and BEGIN sent again: nothing had happened yet.
  void begin(Tx mode) override;
  void commit() override;
  void rollback_quietly() override;
  bool retryable(const StoreError& e) const override;
  // A short random pause before a retry, so the transactions that collided do not collide again.
  void backoff(int attempt) override;
  sql::Rows query_list(const std::string& sql, const std::vector<sql::Param>& params, size_t first,
                       size_t count) override;

 private:
  sql::Rows run(const std::string& sql, const sql::Param* params, size_t count);
  // Reconnects a connection the server dropped (restart, idle timeout); prepared statements
  // died with it.
  void ensure_connected();
  // Sends what libpq buffered and collects every result of the current command.
  std::vector<pg_result*> collect(const char* what);
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
