// Budget leases and expiry on SQLite. Every function runs inside apply()'s (or expire()'s)
// immediate transaction: SQLite has one writer at a time, so a read followed by a guarded
// UPDATE sees no concurrent change.
#include "ledger/ledger_rules.hpp"
#include "ledger/sqlite/sqlite_store.hpp"

namespace kt::ledger::sqlite {

std::optional<LeaseState> SqliteStore::find_lease(const std::string& lease_id, std::string* team_id,
                                                  int64_t* period_start, bool /*lock: one writer anyway*/) {
  auto q = db_.query(
      "SELECT l.id, l.state, l.amount, l.consumed, l.expires_at, COALESCE(w.period_end, 0), l.team_id, "
      "l.period_start FROM leases l LEFT JOIN wallets w ON w.team_id = l.team_id AND w.period_start = l.period_start "
      "WHERE l.id = ?1",
      lease_id);
  if (!q.next()) return std::nullopt;
  if (team_id) *team_id = q.text(6);
  if (period_start) *period_start = q.i64(7);
  return LeaseState{q.text(0), q.text(1), q.money(2), q.money(3), q.i64(4), q.i64(5)};
}

OpResult SqliteStore::lease_acquire(const LeaseAcquireOp& op, int64_t now) {
  OpResult r;
  if (auto prior = find_lease(op.lease_id)) {  // a retried acquire: the first grant stands
    r.replay = true;
    r.lease = std::move(prior);
    r.balance = current_or_empty(op.team_id, now);
    return r;
  }
  auto wallet = current_wallet(op.team_id, now);
  Money grant;
  if (!wallet) {
    r.reserve_status = ReserveStatus::no_wallet;
  } else if (op.block_at_percent > 0 && at_or_past_percent(wallet->spent, wallet->budget, op.block_at_percent)) {
    r.reserve_status = ReserveStatus::blocked;
  } else {
    grant = lease_grant(wallet->remaining(), op.want, op.min);
    // The guard repeats the check in the statement itself.
    if (!grant.is_zero())
      db_.query(
             "UPDATE wallets SET leased = leased + ?3 "
             "WHERE team_id = ?1 AND period_start = ?2 AND budget - spent - reserved - leased >= ?3",
             op.team_id, wallet->period.start, grant)
          .run();
    r.reserve_status = !grant.is_zero() && db_.changes() == 1 ? ReserveStatus::reserved : ReserveStatus::insufficient;
  }
  if (r.reserve_status != ReserveStatus::reserved) {
    r.lease = LeaseState{op.lease_id, "refused", Money::zero(), Money::zero(), 0, 0};
    r.balance = current_or_empty(op.team_id, now);
    return r;
  }
  int64_t expires_at = now + op.ttl_seconds;
  db_.query(
         "INSERT INTO leases(id, team_id, period_start, holder, amount, consumed, state, created_at, expires_at) "
         "VALUES(?1, ?2, ?3, ?4, ?5, 0, 'active', ?6, ?7)",
         op.lease_id, op.team_id, wallet->period.start, op.holder, grant, now, expires_at)
      .run();
  append_journal("lease:" + op.lease_id, op.team_id, wallet->period.start, "lease", op.lease_id, grant, now, nullptr,
                 nullptr, &op.lease_id);
  r.lease = LeaseState{op.lease_id, "active", grant, Money::zero(), expires_at, wallet->period.end};
  r.balance = *wallet_row(op.team_id, wallet->period.start);
  return r;
}

OpResult SqliteStore::lease_renew(const LeaseRenewOp& op, int64_t now) {
  OpResult r;
  db_.query("UPDATE leases SET expires_at = MAX(expires_at, ?2) WHERE id = ?1 AND state = 'active'", op.lease_id,
            now + op.ttl_seconds)
      .run();
  r.replay = db_.changes() == 0;
  r.lease = find_lease(op.lease_id);
  if (!r.lease) r.lease = LeaseState{op.lease_id, "unknown", Money::zero(), Money::zero(), 0, 0};
  r.balance = current_or_empty(op.team_id, now);
  return r;
}

OpResult SqliteStore::lease_return(const LeaseReturnOp& op, int64_t now) {
  OpResult r;
  std::string team;
  int64_t period_start = 0;
  auto lease = find_lease(op.lease_id, &team, &period_start);
  if (!lease || lease->state != "active") {
    r.replay = true;  // unknown, already returned or expired: nothing to give back
    r.lease = lease;
    r.balance = current_or_empty(op.team_id, now);
    return r;
  }
  Money unused = lease->amount - lease->consumed;
  db_.query("UPDATE wallets SET leased = leased - ?3 WHERE team_id = ?1 AND period_start = ?2", team, period_start,
            unused)
      .run();
  db_.query("UPDATE leases SET state = 'returned' WHERE id = ?1", op.lease_id).run();
  append_journal("lease_return:" + op.lease_id, team, period_start, "lease_return", op.lease_id, unused, now, nullptr,
                 nullptr, &op.lease_id);
  lease->state = "returned";
  r.lease = std::move(lease);
  r.balance = current_or_empty(team, now);
  return r;
}

OpResult SqliteStore::settle_on_lease(const SettleOp& op, int64_t now) {
  OpResult r;
  {
    auto q = db_.query("SELECT 1 FROM reservations WHERE key = ?1", op.key);
    if (q.next()) {
      r.replay = true;
      r.balance = current_or_empty(op.team_id, now);
      return r;
    }
  }
  std::string team;
  int64_t period_start = 0;
  auto lease = find_lease(op.lease_id, &team, &period_start);
  if (!lease || team != op.team_id) {
    SettleOp direct = op;  // a lease this store never granted: charge like an unreserved settle
    direct.lease_id.clear();
    return settle(direct, now);
  }
  // What the lease still covers comes out of `leased`; the rest (a settle above its estimate, or
  // one after the lease expired) is spent beyond what was set aside, and verify reports it.
  Money covered = lease->state == "active" ? std::min(op.actual, lease->amount - lease->consumed) : Money::zero();
  db_.query(
         "UPDATE wallets SET spent = spent + ?3, leased = leased - ?4 WHERE team_id = ?1 AND period_start = ?2",
         team, period_start, op.actual, covered)
      .run();
  if (!covered.is_zero())
    db_.query("UPDATE leases SET consumed = consumed + ?2 WHERE id = ?1", op.lease_id, covered).run();
  db_.query(
         "INSERT INTO reservations(key, team_id, period_start, amount, state, created_at, settled_amount, lease_id) "
         "VALUES(?1, ?2, ?3, ?4, 'settled', ?5, ?6, ?7)",
         op.key, team, period_start, op.estimate, now, op.actual, op.lease_id)
      .run();
  append_journal("settle:" + op.key, team, period_start, "settle", op.key, op.actual, now, &op, nullptr, &op.lease_id);
  r.fired_thresholds = fire_alerts(team, period_start, op.alert_thresholds, now);
  r.balance = current_or_empty(team, now);
  return r;
}

ExpiryReport SqliteStore::expire(int64_t now, int64_t reservation_ttl_seconds) {
  ExpiryReport report;
  Transaction tx(db_, Transaction::Mode::immediate);
  struct Stale {
    std::string id, team;
    int64_t period_start;
    Money amount;
  };
  std::vector<Stale> leases, holds;
  {
    auto q = db_.query(
        "SELECT l.id, l.team_id, l.period_start, l.amount - l.consumed FROM leases l "
        "JOIN wallets w ON w.team_id = l.team_id AND w.period_start = l.period_start "
        "WHERE l.state = 'active' AND (l.expires_at <= ?1 OR w.period_end <= ?1)",
        now);
    while (q.next()) leases.push_back({q.text(0), q.text(1), q.i64(2), q.money(3)});
  }
  {
    auto q = db_.query(
        "SELECT key, team_id, period_start, amount FROM reservations WHERE state = 'held' AND created_at <= ?1",
        now - reservation_ttl_seconds);
    while (q.next()) holds.push_back({q.text(0), q.text(1), q.i64(2), q.money(3)});
  }
  for (const auto& l : leases) {
    db_.query("UPDATE wallets SET leased = leased - ?3 WHERE team_id = ?1 AND period_start = ?2", l.team,
              l.period_start, l.amount)
        .run();
    db_.query("UPDATE leases SET state = 'expired' WHERE id = ?1", l.id).run();
    append_journal("lease_expire:" + l.id, l.team, l.period_start, "lease_expire", l.id, l.amount, now, nullptr,
                   nullptr, &l.id);
    report.returned += l.amount;
  }
  for (const auto& h : holds) {
    db_.query("UPDATE wallets SET reserved = reserved - ?3 WHERE team_id = ?1 AND period_start = ?2", h.team,
              h.period_start, h.amount)
        .run();
    db_.query("UPDATE reservations SET state = 'released' WHERE key = ?1", h.id).run();
    append_journal("expire:" + h.id, h.team, h.period_start, "expire", h.id, h.amount, now);
    report.returned += h.amount;
  }
  report.leases = int64_t(leases.size());
  report.reservations = int64_t(holds.size());
  tx.commit();
  return report;
}

}  // namespace kt::ledger::sqlite
