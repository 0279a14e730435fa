#include "ledger_test_support.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace kt::ledger::testing {
namespace {

std::string make_temp_dir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "kt-ledger-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

}  // namespace

std::vector<Backend> ledger_backends() {
  return {
      {"SqliteMemory",
       [] {
         TestDatabase db;
         db.open = [] { return open_store("sqlite::memory:"); };
         db.shared = false;
         return db;
       }},
      {"SqliteFile",
       [] {
         std::string dir = make_temp_dir();
         TestDatabase db;
         db.open = [dir] { return open_store("sqlite:" + dir + "/ledger.db"); };
         db.shared = true;
         db.cleanup = [dir] { std::filesystem::remove_all(dir); };
         return db;
       }},
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
  LedgerOp op{LedgerOp::Kind::reserve, {}, {}, {}};
  op.reserve = ReserveOp{key, team, amount, block_at_percent};
  return op;
}

LedgerOp settle_op(const std::string& key, const std::string& team, Money actual, const std::string& model,
                   int64_t prompt_tokens, int64_t completion_tokens, std::vector<int> thresholds) {
  LedgerOp op{LedgerOp::Kind::settle, {}, {}, {}};
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
  LedgerOp op{LedgerOp::Kind::release, {}, {}, {}};
  op.release = ReleaseOp{key, team};
  return op;
}

OpResult apply_one(Store& s, const LedgerOp& op, int64_t now) {
  auto results = s.apply({op}, now);
  if (results.size() != 1) throw std::runtime_error("apply returned the wrong number of results");
  return results[0];
}

}  // namespace kt::ledger::testing
