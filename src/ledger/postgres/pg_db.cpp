#include "ledger/postgres/pg_db.hpp"

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

// A whole result, read row by row (PostgreSQL sends every row of a statement at once).
class PgCursor final : public sql::Cursor {
 public:
  explicit PgCursor(PGresult* r) : r_(r), rows_(r ? PQntuples(r) : 0) {}
  ~PgCursor() override {
    if (r_) PQclear(r_);
  }
  bool next() override { return ++row_ < rows_; }
  bool is_null(int col) const override { return PQgetisnull(r_, row_, col) == 1; }
  int64_t i64(int col) const override {
    if (is_null(col)) return 0;
    const char* s = PQgetvalue(r_, row_, col);
    size_t len = size_t(PQgetlength(r_, row_, col));
    int64_t v = 0;
    auto [end, ec] = std::from_chars(s, s + len, v);
    // SUM() over BIGINT is NUMERIC; an integer sum prints without a fraction, anything else is a bug.
    if (ec != std::errc() || end != s + len)
      throw StoreError("postgresql: column " + std::to_string(col) + " is not a 64-bit integer");
    return v;
  }
  std::string text(int col) const override {
    if (is_null(col)) return {};
    return std::string(PQgetvalue(r_, row_, col), size_t(PQgetlength(r_, row_, col)));
  }
  int64_t affected() override {
    const char* n = r_ ? PQcmdTuples(r_) : "";
    int64_t v = 0;
    std::from_chars(n, n + std::strlen(n), v);
    return v;
  }

 private:
  PGresult* r_;
  int rows_;
  int row_ = -1;
};

}  // namespace

// --- Connection -------------------------------------------------------------------------

PgDb::PgDb(const std::string& url) {
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

PgDb::~PgDb() {
  if (conn_) PQfinish(conn_);
}

void PgDb::fail_connection(const std::string& what) {
  throw PgError("postgresql " + what + ": " + trimmed(PQerrorMessage(conn_)), "");
}

void PgDb::ensure_connected() {
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

void PgDb::begin(Tx) {
  ensure_connected();
  try {
    exec_script("BEGIN");
  } catch (const PgError&) {
    if (PQstatus(conn_) == CONNECTION_OK) throw;
    ensure_connected();
    exec_script("BEGIN");
  }
}

void PgDb::commit() { exec_script("COMMIT"); }

bool PgDb::retryable(const StoreError& e) const {
  auto* pg = dynamic_cast<const PgError*>(&e);
  return pg && pg->retryable();
}

void PgDb::lock_name(const std::string& name) {
  // Per schema, so tests (and tenants) in other schemas of one database do not wait on each other.
  query("SELECT pg_advisory_xact_lock(hashtext($1 || '.' || current_schema()))", {name}).affected();
}

void PgDb::rollback_quietly() {
  if (PQstatus(conn_) != CONNECTION_OK) return;
  try {
    exec_script("ROLLBACK");
  } catch (const StoreError&) {
    // The connection is unusable; ensure_connected() resets it before the next transaction.
  }
}

void PgDb::backoff(int attempt) {
  thread_local std::minstd_rand rng{std::random_device{}()};
  std::uniform_int_distribution<int> ms(1, 5 * attempt);
  if (waiter_) return waiter_->sleep_ms(ms(rng));
  std::this_thread::sleep_for(std::chrono::milliseconds(ms(rng)));
}

void PgDb::wait_socket(bool for_write) {
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

std::vector<PGresult*> PgDb::collect(const char* what) {
  // Flush the query out (a large parameter set may not fit the socket buffer at once).
  for (;;) {
    int f = PQflush(conn_);
    if (f == 0) break;
    if (f < 0) fail_connection(what);
    wait_socket(true);
    if (PQconsumeInput(conn_) == 0) fail_connection(what);
  }
  std::vector<PGresult*> results;
  auto clear_all = [&] {
    for (auto* r : results) PQclear(r);
  };
  for (;;) {
    while (PQisBusy(conn_)) {
      wait_socket(false);
      if (PQconsumeInput(conn_) == 0) {
        clear_all();
        fail_connection(what);
      }
    }
    PGresult* r = PQgetResult(conn_);
    if (!r) break;
    results.push_back(r);
  }
  // Raise the first error only after draining, so the connection is ready for the next command.
  for (auto* r : results) {
    auto st = PQresultStatus(r);
    if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE || st == PGRES_NONFATAL_ERROR) {
      PgError e = error_of(r, what);
      clear_all();
      throw e;
    }
  }
  if (PQstatus(conn_) != CONNECTION_OK) {
    clear_all();
    fail_connection(what);
  }
  return results;
}

sql::Rows PgDb::run(const std::string& sql, const sql::Param* params, size_t count) {
  // Text format: integers are printed, text is passed as is, NULL is a null pointer.
  std::vector<std::string> printed(count);
  std::vector<const char*> values(count, nullptr);
  std::vector<int> lengths(count, 0);
  for (size_t i = 0; i < count; ++i) {
    const auto& p = params[i];
    if (p.kind == sql::Param::Kind::integer) {
      printed[i] = std::to_string(p.integer);
      values[i] = printed[i].c_str();
      lengths[i] = int(printed[i].size());
    } else if (p.kind == sql::Param::Kind::text) {
      // libpq reads text parameters up to their NUL: give it a terminated copy.
      printed[i].assign(p.text.data(), p.text.size());
      values[i] = printed[i].c_str();
      lengths[i] = int(printed[i].size());
    }
  }
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "kt_s" + std::to_string(prepared_.size() + 1);
    if (!PQsendPrepare(conn_, name.c_str(), sql.c_str(), int(count), nullptr)) fail_connection("prepare");
    for (auto* r : collect("prepare")) PQclear(r);
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  if (!PQsendQueryPrepared(conn_, it->second.c_str(), int(count), values.data(), lengths.data(), nullptr, 0))
    fail_connection("query");
  auto results = collect("query");
  PGresult* last = nullptr;
  for (auto* r : results) {
    if (last) PQclear(last);
    last = r;
  }
  return sql::Rows(std::make_unique<PgCursor>(last));
}

sql::Rows PgDb::query(const std::string& sql, sql::Params params) { return run(sql, params.begin(), params.size()); }

sql::Rows PgDb::query_list(const std::string& sql, const std::vector<sql::Param>& params, size_t first,
                           size_t count) {
  return run(sql, params.data() + first, count);
}

void PgDb::exec_script(const std::string& sql) {
  if (!PQsendQuery(conn_, sql.c_str())) fail_connection("query");
  for (auto* r : collect("query")) PQclear(r);
}

void admin_exec(const std::string& url, const std::string& sql) {
  PgDb c(url);
  c.exec_script(sql);
}

}  // namespace kt::ledger::postgres
