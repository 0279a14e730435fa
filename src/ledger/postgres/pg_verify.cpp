// kt ledger verify on PostgreSQL: reads every wallet's figures in one repeatable-read snapshot
// (so traffic running meanwhile cannot make the sums disagree) and judges them with the
// shared rules (store_verify.cpp).
#include "ledger/postgres/pg_store.hpp"

namespace kt::ledger::postgres {

VerifyReport PostgresStore::verify(const VerifyOptions& options) {
  return db_.transaction([&] {
    db_.exec_script("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    VerifyReport report;
    auto w = db_.query(R"sql(
SELECT w.team_id, w.period_start, w.budget, w.spent, w.reserved,
  (SELECT COALESCE(SUM(j.amount), 0) FROM journal j
    WHERE j.team_id = w.team_id AND j.period_start = w.period_start AND j.kind IN ('settle', 'charge')),
  (SELECT COALESCE(SUM(r.amount), 0) FROM reservations r
    WHERE r.team_id = w.team_id AND r.period_start = w.period_start AND r.state = 'held'),
  (SELECT COALESCE(SUM(j.amount), 0) FROM journal j
    WHERE j.team_id = w.team_id AND j.period_start = w.period_start AND j.kind = 'reserve'
      AND NOT EXISTS (SELECT 1 FROM journal x WHERE x.entry_id IN ('settle:' || j.key, 'release:' || j.key, 'expire:' || j.key))),
  (SELECT COALESCE(SUM(GREATEST(r.settled_amount - r.amount, 0)), 0) FROM reservations r
    WHERE r.team_id = w.team_id AND r.period_start = w.period_start AND r.state = 'settled'),
  (SELECT COALESCE(MAX(j.amount), 0) FROM journal j
    WHERE j.team_id = w.team_id AND j.period_start = w.period_start AND j.kind = 'allocate'),
  w.leased,
  (SELECT COALESCE(SUM(l.amount - l.consumed), 0) FROM leases l
    WHERE l.team_id = w.team_id AND l.period_start = w.period_start AND l.state = 'active'),
  w.period_kind, w.timezone
FROM wallets w ORDER BY w.team_id, w.period_start
)sql");
    for (int i = 0; i < w.rows(); ++i) {
      WalletAudit a;
      a.team_id = w.text(i, 0);
      a.period_start = w.i64(i, 1);
      a.budget = w.money(i, 2);
      a.spent = w.money(i, 3);
      a.reserved = w.money(i, 4);
      a.journal_spent = w.money(i, 5);
      a.held_reservations = w.money(i, 6);
      a.journal_open_reserves = w.money(i, 7);
      a.overrun = w.money(i, 8);
      a.max_allocated = w.money(i, 9);
      a.leased = w.money(i, 10);
      a.active_leases = w.money(i, 11);
      a.period_label = period_label_of(w.text(i, 12), w.text(i, 13), a.period_start);
      audit_wallet(a, report);
    }
    report.wallets = w.rows();

    auto held = db_.query(
        "SELECT key, team_id, period_start, created_at, amount FROM reservations WHERE state = 'held' "
        "ORDER BY created_at, key");
    for (int i = 0; i < held.rows(); ++i)
      audit_held({held.text(i, 0), held.text(i, 1), held.i64(i, 2), held.i64(i, 3), held.money(i, 4)}, options,
                 report);
    report.held_reservations = held.rows();
    auto leases = db_.query(
        "SELECT id, team_id, period_start, expires_at, amount - consumed FROM leases WHERE state = 'active' "
        "ORDER BY expires_at, id");
    for (int i = 0; i < leases.rows(); ++i)
      audit_lease({leases.text(i, 0), leases.text(i, 1), leases.i64(i, 2), leases.i64(i, 3), leases.money(i, 4)},
                  options, report);
    report.active_leases = leases.rows();
    report.journal_entries = db_.query("SELECT COUNT(*) FROM journal").i64(0, 0);
    report.events = db_.query("SELECT COUNT(*) FROM events").i64(0, 0);
    return report;
  });
}

}  // namespace kt::ledger::postgres
