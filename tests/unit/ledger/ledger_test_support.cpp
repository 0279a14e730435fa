#include "ledger_test_support.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>

#include "ledger/postgres/pg_db.hpp"
#include "ledger/sqlite/sqlite_db.hpp"

namespace kt::ledger::testing {
namespace {

std::string make_temp_dir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "kt-ledger-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

// Every test gets its own schema in the database KT_TEST_POSTGRES_URL names; each store the
// test opens connects with search_path set to it (libpq's "options" URL parameter).
Backend postgres_backend() {
  Backend b;
  b.name = "Postgres";
  const char* url = std::getenv("KT_TEST_POSTGRES_URL");
  if (!url || !*url) {
    b.unavailable =
        "KT_TEST_POSTGRES_URL is not set: PostgreSQL store tests not run (bash scripts/test.sh starts a "
        "throwaway cluster and sets it; or: export KT_TEST_POSTGRES_URL=$(bash scripts/postgres.sh start))";
    return b;
  }
  std::string base = url;
  b.create = [base] {
    static std::atomic<int> counter{0};
    std::random_device rd;
    std::string schema = "kt_test_" + std::to_string(getpid()) + "_" + std::to_string(++counter) + "_" +
                         std::to_string(rd() % 1000000);
    postgres::admin_exec(base, "CREATE SCHEMA " + schema);
    std::string scoped = base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema;
    TestDatabase db;
    db.open = [scoped] { return open_store(scoped); };
    db.shared = true;
    db.tamper = [scoped](const std::string& sql) { postgres::admin_exec(scoped, sql); };
    db.cleanup = [base, schema] { postgres::admin_exec(base, "DROP SCHEMA IF EXISTS " + schema + " CASCADE"); };
    return db;
  };
  return b;
}

}  // namespace

std::vector<Backend> shared_ledger_backends() {
  std::vector<Backend> out;
  for (auto& b : ledger_backends())
    if (!b.private_memory) out.push_back(std::move(b));
  return out;
}

std::vector<Backend> ledger_backends() {
  return {
      postgres_backend(),
      {"SqliteMemory",
       [] {
         TestDatabase db;
         db.open = [] { return open_store("sqlite::memory:"); };
         db.shared = false;
         return db;
       },
       "", true},
      {"SqliteFile",
       [] {
         std::string dir = make_temp_dir();
         TestDatabase db;
         db.open = [dir] { return open_store("sqlite:" + dir + "/ledger.db"); };
         db.shared = true;
         db.cleanup = [dir] { std::filesystem::remove_all(dir); };
         db.tamper = [dir](const std::string& sql) {
           sqlite::SqliteDb c(dir + "/ledger.db");
           c.exec_script(sql);
         };
         return db;
       },
       ""},
  };
}

Money usd(const char* text) {
  auto m = Money::parse(text);
  if (!m) throw std::invalid_argument(std::string("bad money literal in test: ") + text);
  return *m;
}

int64_t at(const char* month_label, int day, int64_t seconds) {
  return month(month_label).start + int64_t(day - 1) * 86400 + seconds;
}

Period month(const char* label) {
  Period p;
  if (!parse_month_label(label, p)) throw std::invalid_argument(std::string("bad month in test: ") + label);
  return p;
}

LedgerOp reserve_op(const std::string& key, const std::string& team, Money amount, int block_at_percent) {
  LedgerOp op{};
  op.kind = LedgerOp::Kind::reserve;
  op.reserve = ReserveOp{key, team, amount, block_at_percent, "", ""};
  return op;
}

LedgerOp settle_op(const std::string& key, const std::string& team, Money actual, const std::string& model,
                   int64_t prompt_tokens, int64_t completion_tokens, std::vector<int> thresholds) {
  LedgerOp op{};
  op.kind = LedgerOp::Kind::settle;
  op.settle.key = key;
  op.settle.team_id = team;
  op.settle.actual = actual;
  op.settle.model = model;
  op.settle.provider = "openai";
  op.settle.consumer_group = team + "-default";
  op.settle.prompt_tokens = prompt_tokens;
  op.settle.completion_tokens = completion_tokens;
  op.settle.alert_thresholds = std::move(thresholds);
  return op;
}

LedgerOp release_op(const std::string& key, const std::string& team) {
  LedgerOp op{};
  op.kind = LedgerOp::Kind::release;
  op.release = ReleaseOp{key, team};
  return op;
}

OpResult apply_one(Store& s, const LedgerOp& op, int64_t now) {
  auto results = s.apply({op}, now);
  if (results.size() != 1) throw std::runtime_error("apply returned the wrong number of results");
  return results[0];
}

}  // namespace kt::ledger::testing
