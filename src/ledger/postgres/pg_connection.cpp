#include "ledger/postgres/pg_connection.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <random>
#include <thread>

namespace kt::ledger::postgres {
namespace {

std::string trimmed(const char* s) {
  std::string out = s ? s : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

// PostgreSQL's primary message only (see the header: DETAIL may quote data).
PgError error_of(const PGresult* r, const char* what) {
  const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  const char* primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
  std::string msg = std::string("postgresql ") + what + ": " + (primary ? primary : trimmed(PQresultErrorMessage(r)));
  return PgError(msg, state ? state : "");
}

// NOTICEs ("relation already exists, skipping", "drop cascades to ...") are expected chatter;
// libpq would print them on stderr.
void ignore_notice(void*, const char*) {}

}  // namespace

// --- Result -----------------------------------------------------------------------------

Result& Result::operator=(Result&& o) noexcept {
  if (this != &o) {
    if (r_) PQclear(r_);
    r_ = o.r_;
    o.r_ = nullptr;
  }
  return *this;
}

Result::~Result() {
  if (r_) PQclear(r_);
}

int Result::rows() const { return r_ ? PQntuples(r_) : 0; }

int64_t Result::affected() const {
  const char* n = r_ ? PQcmdTuples(r_) : "";
  int64_t v = 0;
  std::from_chars(n, n + std::strlen(n), v);
  return v;
}

bool Result::is_null(int row, int col) const { return PQgetisnull(r_, row, col) == 1; }

int64_t Result::i64(int row, int col) const {
  if (is_null(row, col)) return 0;
  const char* s = PQgetvalue(r_, row, col);
  size_t len = size_t(PQgetlength(r_, row, col));
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s, s + len, v);
  // SUM() over BIGINT is NUMERIC; an integer sum prints without a fraction, anything else is a bug.
  if (ec != std::errc() || end != s + len)
    throw StoreError("postgresql: column " + std::to_string(col) + " is not a 64-bit integer");
  return v;
}

std::string Result::text(int row, int col) const {
  if (is_null(row, col)) return {};
  return std::string(PQgetvalue(r_, row, col), size_t(PQgetlength(r_, row, col)));
}

std::optional<int64_t> Result::opt_i64(int row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  return i64(row, col);
}

std::optional<Money> Result::opt_money(int row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  return money(row, col);
}

// --- Connection -------------------------------------------------------------------------

Connection::Connection(const std::string& url) {
  // The URL is expanded last, so its own settings win over these defaults.
  const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* vals[] = {"10", "keeptrusts", url.c_str(), nullptr};
  conn_ = PQconnectdbParams(keys, vals, /*expand_dbname=*/1);
  if (!conn_) throw PgError("postgresql: out of memory while connecting", "");
  if (PQstatus(conn_) != CONNECTION_OK) {
    // libpq's message names host and port, never the password.
    std::string msg = trimmed(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    throw PgError("cannot connect to postgresql: " + msg, "");
  }
  PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
  if (PQsetnonblocking(conn_, 1) != 0) fail_connection("set non-blocking");
}

Connection::~Connection() {
  if (conn_) PQfinish(conn_);
}

void Connection::fail_connection(const std::string& what) {
  throw PgError("postgresql " + what + ": " + trimmed(PQerrorMessage(conn_)), "");
}

void Connection::ensure_connected() {
  if (PQstatus(conn_) == CONNECTION_OK) return;
  prepared_.clear();
  if (!waiter_) {
    PQreset(conn_);
  } else {
    // Reconnect without blocking the thread the other connections' queries run on.
    if (!PQresetStart(conn_)) fail_connection("reconnect");
    for (PostgresPollingStatusType st = PGRES_POLLING_WRITING; st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED;) {
      wait_socket(st == PGRES_POLLING_WRITING);
      st = PQresetPoll(conn_);
    }
  }
  if (PQstatus(conn_) != CONNECTION_OK) fail_connection("reconnect");
  // The notice processor survives PQreset (it belongs to the PGconn object).
  if (PQsetnonblocking(conn_, 1) != 0) fail_connection("set non-blocking");
}

void Connection::begin() {
  ensure_connected();
  try {
    exec_script("BEGIN");
  } catch (const PgError&) {
    if (PQstatus(conn_) == CONNECTION_OK) throw;
    ensure_connected();
    exec_script("BEGIN");
  }
}

void Connection::rollback_quietly() {
  if (PQstatus(conn_) != CONNECTION_OK) return;
  try {
    exec_script("ROLLBACK");
  } catch (const StoreError&) {
    // The connection is unusable; ensure_connected() resets it before the next transaction.
  }
}

void Connection::backoff(int attempt) {
  thread_local std::minstd_rand rng{std::random_device{}()};
  std::uniform_int_distribution<int> ms(1, 5 * attempt);
  if (waiter_) return waiter_->sleep_ms(ms(rng));
  std::this_thread::sleep_for(std::chrono::milliseconds(ms(rng)));
}

void Connection::wait_socket(bool for_write) {
  pollfd p{};
  p.fd = PQsocket(conn_);
  if (p.fd < 0) fail_connection("socket");
  if (waiter_) {
    // libpq asks for "readable or writable" while flushing; our statements are small, so the
    // server never blocks on us while we wait to write.
    if (for_write) waiter_->wait_writable(p.fd);
    else waiter_->wait_readable(p.fd);
    return;
  }
  p.events = short(POLLIN | (for_write ? POLLOUT : 0));
  while (poll(&p, 1, -1) < 0) {
    if (errno != EINTR) fail_connection("poll");
  }
}

std::vector<Result> Connection::collect(const char* what) {
  // Flush the query out (a large parameter set may not fit the socket buffer at once).
  for (;;) {
    int f = PQflush(conn_);
    if (f == 0) break;
    if (f < 0) fail_connection(what);
    wait_socket(true);
    if (PQconsumeInput(conn_) == 0) fail_connection(what);
  }
  std::vector<Result> results;
  for (;;) {
    while (PQisBusy(conn_)) {
      wait_socket(false);
      if (PQconsumeInput(conn_) == 0) fail_connection(what);
    }
    PGresult* r = PQgetResult(conn_);
    if (!r) break;
    results.emplace_back(r);
  }
  // Raise the first error only after draining, so the connection is ready for the next command.
  for (const auto& r : results) {
    PGresult* raw = r.r_;
    auto st = PQresultStatus(raw);
    if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE || st == PGRES_NONFATAL_ERROR)
      throw error_of(raw, what);
  }
  if (PQstatus(conn_) != CONNECTION_OK) fail_connection(what);
  return results;
}

Result Connection::exec(const std::string& sql, const Params& params) {
  const auto& values = params.values();
  std::vector<const char*> ptrs;
  ptrs.reserve(values.size());
  for (const auto& v : values) ptrs.push_back(v ? v->c_str() : nullptr);

  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "kt_s" + std::to_string(prepared_.size() + 1);
    if (!PQsendPrepare(conn_, name.c_str(), sql.c_str(), int(values.size()), nullptr)) fail_connection("prepare");
    collect("prepare");
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  if (!PQsendQueryPrepared(conn_, it->second.c_str(), int(values.size()), ptrs.data(), nullptr, nullptr, 0))
    fail_connection("query");
  auto results = collect("query");
  if (results.empty()) return Result();
  return std::move(results.back());
}

void Connection::exec_script(const std::string& sql) {
  if (!PQsendQuery(conn_, sql.c_str())) fail_connection("query");
  collect("query");
}

void admin_exec(const std::string& url, const std::string& sql) {
  Connection c(url);
  c.exec_script(sql);
}

}  // namespace kt::ledger::postgres
