#include "ledger/sqlite/sqlite_db.hpp"

#include <sqlite3.h>

#include <cctype>

namespace kt::ledger::sqlite {
namespace {

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
  throw StoreError(what + ": " + msg);
}

// Steps a statement bound from the layer's params; resets it when done with, so it releases its
// read snapshot and can be reused.
class SqliteCursor final : public sql::Cursor {
 public:
  SqliteCursor(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~SqliteCursor() override {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  bool next() override {
    if (done_) return false;
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    done_ = true;
    if (rc == SQLITE_DONE) return false;
    fail(db_, "sqlite step");
  }
  bool is_null(int col) const override { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int64_t i64(int col) const override { return sqlite3_column_int64(stmt_, col); }
  std::string text(int col) const override {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    if (!p) return {};
    return std::string(reinterpret_cast<const char*>(p), size_t(sqlite3_column_bytes(stmt_, col)));
  }
  int64_t affected() override {
    while (next()) {
    }
    return sqlite3_changes64(db_);
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  bool done_ = false;
};

bool word_at(const std::string& s, size_t i, std::string_view word) {
  if (s.size() - i < word.size()) return false;
  for (size_t k = 0; k < word.size(); ++k)
    if (std::toupper(static_cast<unsigned char>(s[i + k])) != word[k]) return false;
  bool start_ok = i == 0 || !(std::isalnum(static_cast<unsigned char>(s[i - 1])) || s[i - 1] == '_');
  size_t end = i + word.size();
  bool end_ok = end == s.size() || !(std::isalnum(static_cast<unsigned char>(s[end])) || s[end] == '_');
  return start_ok && end_ok;
}

}  // namespace

std::string to_sqlite(const std::string& sql) {
  std::string out;
  out.reserve(sql.size());
  for (size_t i = 0; i < sql.size();) {
    char c = sql[i];
    if (c == '\'') {  // a string literal is copied as is
      size_t end = sql.find('\'', i + 1);
      end = end == std::string::npos ? sql.size() : end + 1;
      out.append(sql, i, end - i);
      i = end;
    } else if (c == '$' && i + 1 < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
      out += '?';
      ++i;
    } else if (word_at(sql, i, "FOR") && sql.compare(i, 10, "FOR UPDATE") == 0) {
      // Row locks: SQLite has one writer at a time (BEGIN IMMEDIATE), so they are not needed.
      size_t j = i + 10;
      if (sql.compare(j, 4, " OF ") == 0) {
        j += 4;
        while (j < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[j])) || sql[j] == '_')) ++j;
      }
      while (!out.empty() && out.back() == ' ') out.pop_back();
      i = j;
    } else if (word_at(sql, i, "GREATEST")) {
      out += "max";
      i += 8;
    } else if (word_at(sql, i, "LEAST")) {
      out += "min";
      i += 5;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

SqliteDb::SqliteDb(const std::string& path, int busy_timeout_ms) {
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
    // 16 KiB pages for a new database (an existing one keeps its size): a decision event is
    // ~1.5 KB, so each page written to the WAL and copied again by the checkpoint carries ~8 of
    // them instead of 2. Under load: 2.5 -> 0.7 system calls and ~20 -> ~15 us of the API's CPU
    // per request (BENCHMARKS.md). Set before WAL mode, which writes the first page.
    exec_script("PRAGMA page_size=16384");
    exec_script("PRAGMA journal_mode=WAL");
    exec_script("PRAGMA synchronous=NORMAL");
    exec_script("PRAGMA foreign_keys=ON");
    // Index pages of the journal and the events stay hot; reads go through mmap, not pread.
    exec_script("PRAGMA cache_size=-32768");
    exec_script("PRAGMA mmap_size=268435456");
    // Statement journals (and temp tables) in memory: a multi-row INSERT inside a batch's
    // transaction keeps the pages it changes in a statement journal, which spilled to a temp
    // file past 64 KiB: ~45 % of the database thread's pwrite calls under load, never read back.
    exec_script("PRAGMA temp_store=MEMORY");
  } catch (const StoreError& e) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError("cannot open sqlite database '" + path + "': " + e.what());
  }
}

SqliteDb::~SqliteDb() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

void SqliteDb::exec_script(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    throw StoreError("sqlite: " + msg);
  }
}

sqlite3_stmt* SqliteDb::prepared(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return it->second;
  std::string text = to_sqlite(sql);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, text.c_str(), int(text.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK)
    fail(db_, "sqlite prepare");
  cache_.emplace(sql, stmt);
  return stmt;
}

sql::Rows SqliteDb::bound(const std::string& sql, const sql::Param* params, size_t count, bool in_place) {
  sqlite3_stmt* stmt = prepared(sql);
  auto cursor = std::make_unique<SqliteCursor>(db_, stmt);  // resets the statement on any exit
  for (size_t i = 0; i < count; ++i) {
    const auto& p = params[i];
    int idx = int(i + 1), rc = SQLITE_OK;
    switch (p.kind) {
      case sql::Param::Kind::null: rc = sqlite3_bind_null(stmt, idx); break;
      case sql::Param::Kind::integer: rc = sqlite3_bind_int64(stmt, idx, p.integer); break;
      case sql::Param::Kind::text:
        // An empty view may have no storage at all: it is still text, not NULL. A query's params
        // may be temporaries gone before its rows are read, so SQLite copies them; a bulk insert's
        // outlive its one step, and copying each event's JSON was ~4 % of the API's instructions.
        rc = sqlite3_bind_text64(stmt, idx, p.text.data() ? p.text.data() : "", p.text.size(),
                                 in_place ? SQLITE_STATIC : SQLITE_TRANSIENT, SQLITE_UTF8);
        break;
    }
    if (rc != SQLITE_OK) fail(db_, "sqlite bind");
  }
  return sql::Rows(std::move(cursor));
}

sql::Rows SqliteDb::query(const std::string& sql, sql::Params params) {
  return bound(sql, params.begin(), params.size(), false);
}

sql::Rows SqliteDb::query_list(const std::string& sql, const std::vector<sql::Param>& params, size_t first,
                               size_t count) {
  return bound(sql, params.data() + first, count, true);
}

void SqliteDb::begin(Tx mode) { exec_script(mode == Tx::write ? "BEGIN IMMEDIATE" : "BEGIN"); }

void SqliteDb::commit() { exec_script("COMMIT"); }

void SqliteDb::rollback_quietly() {
  // A failed statement may already have rolled back; ROLLBACK then reports "no transaction".
  if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

}  // namespace kt::ledger::sqlite
