#include "ledger/sqlite/sqlite_db.hpp"

#include <sqlite3.h>

namespace kt::ledger::sqlite {

void fail(sqlite3* db, const std::string& what) {
  std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
  throw StoreError(what + ": " + msg);
}

// --- Query ------------------------------------------------------------------------------

Query::~Query() {
  if (!stmt_) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Query& Query::bind(int index, int64_t v) {
  if (sqlite3_bind_int64(stmt_, index, v) != SQLITE_OK) fail(db_, "sqlite bind");
  return *this;
}

Query& Query::bind(int index, std::string_view v) {
  if (sqlite3_bind_text64(stmt_, index, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8) != SQLITE_OK)
    fail(db_, "sqlite bind");
  return *this;
}

Query& Query::bind(int index, std::nullopt_t) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) fail(db_, "sqlite bind");
  return *this;
}

bool Query::next() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_, "sqlite step");
}

void Query::run() {
  while (next()) {
  }
}

int64_t Query::i64(int col) const { return sqlite3_column_int64(stmt_, col); }

std::string Query::text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  if (!p) return {};
  return std::string(reinterpret_cast<const char*>(p), size_t(sqlite3_column_bytes(stmt_, col)));
}

bool Query::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

std::optional<int64_t> Query::opt_i64(int col) const {
  if (is_null(col)) return std::nullopt;
  return i64(col);
}

std::optional<Money> Query::opt_money(int col) const {
  if (is_null(col)) return std::nullopt;
  return money(col);
}

// --- Connection -------------------------------------------------------------------------

Connection::Connection(const std::string& path, int busy_timeout_ms) {
  // NOMUTEX: the store is used by one thread at a time, so SQLite's own locking is not needed.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError("cannot open sqlite database '" + path + "': " + msg);
  }
  try {
    sqlite3_extended_result_codes(db_, 1);
    // The busy timeout first: switching to WAL takes a lock other connections may hold.
    if (sqlite3_busy_timeout(db_, busy_timeout_ms) != SQLITE_OK) fail(db_, "sqlite busy_timeout");
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
    exec("PRAGMA foreign_keys=ON");
    // Idempotency keys (journal entry ids, reservation keys) are random strings, so their unique
    // indexes take inserts on random pages; with SQLite's default 2 MB cache each settle re-read
    // pages through pread. A larger cache and reads through mmap keep them in memory.
    exec("PRAGMA cache_size=-32768");
    exec("PRAGMA mmap_size=268435456");
  } catch (const StoreError& e) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError("cannot open sqlite database '" + path + "': " + e.what());
  }
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

void Connection::exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    throw StoreError("sqlite: " + msg);
  }
}

sqlite3_stmt* Connection::prepared(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.c_str(), int(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) !=
      SQLITE_OK)
    fail(db_, "sqlite prepare");
  cache_.emplace(sql, stmt);
  return stmt;
}

int64_t Connection::changes() const { return sqlite3_changes64(db_); }
int64_t Connection::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

// --- Transaction ------------------------------------------------------------------------

Transaction::Transaction(Connection& c, Mode mode) : c_(c) {
  c_.exec(mode == Mode::immediate ? "BEGIN IMMEDIATE" : "BEGIN");
}

Transaction::~Transaction() {
  if (!open_) return;
  // A failed statement may already have rolled back; ROLLBACK then reports "no transaction".
  if (!sqlite3_get_autocommit(c_.raw())) sqlite3_exec(c_.raw(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  c_.exec("COMMIT");
  open_ = false;
}

}  // namespace kt::ledger::sqlite
