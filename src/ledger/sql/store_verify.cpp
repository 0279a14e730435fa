// kt ledger verify: reads every wallet's figures in one read transaction (a consistent snapshot:
// SQLite's WAL read transaction, PostgreSQL's REPEATABLE READ) and judges them with the shared
// rules (ledger/store_verify.cpp).
#include <limits>

#include "ledger/audit.hpp"
#include "ledger/sql/sql_store.hpp"

namespace kt::ledger::sql {

VerifyReport SqlStore::verify(const VerifyOptions& options) {
  auto logs = gateway_logs(std::numeric_limits<int64_t>::max());  // the open ones (their own read)
  VerifyReport result = db_->read([&] {
    // Traffic running meanwhile must not make the sums disagree.
    if (db_->dialect() == Dialect::postgres) db_->exec_script("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    VerifyReport report;
    {
      auto w = db_->query(R"sql(
SELECT w.team_id, w.period_start, w.budget, w.spent, w.reserved,
  (SELECT COALESCE(SUM(j.amount), 0) FROM journal j
    WHERE j.team_id = w.team_id AND j.period_start = w.period_start AND j.kind IN ('settle', 'charge')),
  (SELECT COALESCE(SUM(r.amount), 0) FROM reservations r
    WHERE r.team_id = w.team_id AND r.period_start = w.period_start AND r.state = 'held'),
  (SELECT COALESCE(SUM(j.amount), 0) FROM journal j
    WHERE j.team_id = w.team_id AND j.period_start = w.period_start AND j.kind = 'reserve'
      AND NOT EXISTS (SELECT 1 FROM journal x WHERE x.entry_id IN ('settle:' || j.key, 'release:' || j.key, 'expire:' || j.key))),
  (SELECT COALESCE(SUM(CASE WHEN j.kind = 'charge' THEN j.amount
                             ELSE GREATEST(j.amount - COALESCE(j.estimate, j.amount), 0) END), 0) FROM journal j
    WHERE j.team_id = w.team_id AND j.period_start = w.period_start AND j.kind IN ('settle', 'charge')),
  (SELECT COALESCE(MAX(j.amount), 0) FROM journal j
    WHERE j.team_id = w.team_id AND j.period_start = w.period_start AND j.kind = 'allocate'),
  w.leased,
  (SELECT COALESCE(SUM(l.amount - l.consumed), 0) FROM leases l
    WHERE l.team_id = w.team_id AND l.period_start = w.period_start AND l.state = 'active'),
  w.period_kind, w.timezone
FROM wallets w ORDER BY w.team_id, w.period_start
)sql");
      while (w.next()) {
        WalletAudit a;
        a.team_id = w.text(0);
        a.period_start = w.i64(1);
        a.budget = w.money(2);
        a.spent = w.money(3);
        a.reserved = w.money(4);
        a.journal_spent = w.money(5);
        a.held_reservations = w.money(6);
        a.journal_open_reserves = w.money(7);
        a.overrun = w.money(8);
        a.max_allocated = w.money(9);
        a.leased = w.money(10);
        a.active_leases = w.money(11);
        a.period_label = period_label_of(w.text(12), w.text(13), a.period_start);
        audit_wallet(a, report);
        ++report.wallets;
      }
    }
    {
      auto held = db_->query(
          "SELECT key, team_id, period_start, created_at, amount FROM reservations WHERE state = 'held' "
          "ORDER BY created_at, key");
      while (held.next()) {
        audit_held({held.text(0), held.text(1), held.i64(2), held.i64(3), held.money(4)}, options, report);
        ++report.held_reservations;
      }
    }
    {
      auto leases = db_->query(
          "SELECT id, team_id, period_start, expires_at, amount - consumed FROM leases WHERE state = 'active' "
          "ORDER BY expires_at, id");
      while (leases.next()) {
        audit_lease({leases.text(0), leases.text(1), leases.i64(2), leases.i64(3), leases.money(4)}, options, report);
        ++report.active_leases;
      }
    }
    audit_rollups(report);
    {
      auto q = db_->query("SELECT COUNT(*) FROM journal");
      if (q.next()) report.journal_entries = q.i64(0);
    }
    {
      auto q = db_->query("SELECT COUNT(*) FROM events");
      if (q.next()) report.events = q.i64(0);
    }
    {
      auto q = db_->query("SELECT COUNT(*) FROM log_rejects");
      if (q.next()) report.log_rejects = q.i64(0);
    }
    return report;
  });
  audit_gateway_logs(std::move(logs), options, result);
  return result;
}

}  // namespace kt::ledger::sql
