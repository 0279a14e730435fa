// Rate-limit allowance grants (ledger/rate_grants.hpp): a sliding window per scope, checked in
// one transaction per ask while the scope's writers take turns, so grants made by every API
// replica to every gateway never add up to more than the limit within one window.
#include "ledger/sql/sql_store.hpp"

namespace kt::ledger::sql {
namespace {

// When enough of the window's grants have left it for `need` to fit again.
int64_t retry_after_ms(Db& db, const RateGrantAsk& a, int64_t used, int64_t now) {
  if (a.need > a.limit) return a.window_ms;  // never fits: the caller says so
  int64_t freed = 0;
  auto q = db.query("SELECT granted_at_ms + window_ms, amount FROM rate_grants WHERE scope = $1 AND amount > 0 "
                    "ORDER BY granted_at_ms + window_ms",
                    {a.scope});
  while (q.next()) {
    freed += q.i64(1);
    if (a.limit - (used - freed) >= a.need) return std::max<int64_t>(1, q.i64(0) - now);
  }
  return a.window_ms;
}

RateGrant grant_one(Db& db, const RateGrantAsk& a, int64_t now) {
  if (a.scope.empty() || a.limit <= 0 || a.window_ms <= 0 || a.need < 0 || a.want < a.need)
    throw StoreError("a rate grant needs a scope, a positive limit and window, and want >= need >= 0");
  db.lock_name("keeptrusts.rate." + a.scope);
  db.exec("DELETE FROM rate_grants WHERE scope = $1 AND granted_at_ms + window_ms <= $2", {a.scope, now});
  int64_t used = 0, empty_at = now;
  {
    auto q = db.query("SELECT COALESCE(SUM(amount), 0), COALESCE(MAX(granted_at_ms + window_ms), 0) FROM rate_grants "
                      "WHERE scope = $1",
                      {a.scope});
    if (q.next()) {
      used = q.i64(0);
      empty_at = std::max(now, q.i64(1));
    }
  }
  RateGrant g;
  const int64_t left = std::max<int64_t>(0, a.limit - used);
  if (a.need > left || left == 0) {
    g.remaining = left;
    g.retry_after_ms = retry_after_ms(db, a, used, now);
    g.reset_ms = empty_at - now;
    return g;
  }
  g.granted = std::min(left, a.want);
  g.remaining = left - g.granted;
  g.reset_ms = a.window_ms;
  auto q = db.query("INSERT INTO rate_grants(scope, holder, granted_at_ms, window_ms, amount) VALUES($1, $2, $3, $4, $5) "
                    "RETURNING id",
                    {a.scope, a.holder, now, a.window_ms, g.granted});
  if (q.next()) g.id = q.i64(0);
  return g;
}

}  // namespace

std::vector<RateGrant> SqlStore::grant_rate(const std::vector<RateGrantAsk>& asks, int64_t now_ms) {
  std::vector<RateGrant> out;
  out.reserve(asks.size());
  // One transaction each: a scope's lock is held no longer than its own check.
  for (const auto& a : asks) out.push_back(db_->write([&] { return grant_one(*db_, a, now_ms); }));
  return out;
}

void SqlStore::return_rate(const std::vector<RateReturn>& returns) {
  if (returns.empty()) return;
  db_->write([&] {
    for (const auto& r : returns)
      db_->exec("UPDATE rate_grants SET amount = LEAST(amount, $2) WHERE id = $1", {r.id, std::max<int64_t>(0, r.used)});
  });
}

}  // namespace kt::ledger::sql
