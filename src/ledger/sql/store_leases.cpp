// Budget leases and expiry. Every op locks in one order — the wallet row first, then the lease
// row — the same order settles use, and the grant's guard lives in the UPDATE as for
// reservations.
#include "ledger/sql/sql_store.hpp"

namespace kt::ledger::sql {

std::optional<LeaseState> SqlStore::find_lease(const std::string& lease_id, std::string* team_id, int64_t* period_start,
                                               bool lock) {
  static const std::string select =
      "SELECT l.id, l.state, l.amount, l.consumed, l.expires_at, COALESCE(w.period_end, 0), l.team_id, "
      "l.period_start FROM leases l LEFT JOIN wallets w ON w.team_id = l.team_id AND w.period_start = l.period_start "
      "WHERE l.id = $1";
  static const std::string locked = select + " FOR UPDATE OF l";
  auto q = db_->query(lock ? locked : select, {lease_id});
  if (!q.next()) return std::nullopt;
  if (team_id) *team_id = q.text(6);
  if (period_start) *period_start = q.i64(7);
  return LeaseState{q.text(0), q.text(1), q.money(2), q.money(3), q.i64(4), q.i64(5)};
}

OpResult SqlStore::lease_acquire(const LeaseAcquireOp& op, int64_t now) {
  OpResult r;
  auto wallet = current_wallet(op.team_id, now);
  if (wallet) lock_wallet(op.team_id, wallet->period.start);
  if (auto prior = find_lease(op.lease_id)) {  // a retried acquire: the first grant stands
    r.replay = true;
    r.lease = std::move(prior);
    r.balance = current_or_empty(op.team_id, now);
    return r;
  }
  Money grant;
  if (!wallet) {
    r.reserve_status = ReserveStatus::no_wallet;
  } else {
    wallet = wallet_row(op.team_id, wallet->period.start);  // as of the lock
    if (op.block_at_percent > 0 && at_or_past_percent(wallet->spent, wallet->budget, op.block_at_percent)) {
      r.reserve_status = ReserveStatus::blocked;
    } else {
      grant = lease_grant(wallet->remaining(), op.want, op.min);
      bool granted = !grant.is_zero() &&
                     db_->exec("UPDATE wallets SET leased = leased + $3 "
                               "WHERE team_id = $1 AND period_start = $2 AND budget - spent - reserved - leased >= $3",
                               {op.team_id, wallet->period.start, grant}) == 1;
      r.reserve_status = granted ? ReserveStatus::reserved : ReserveStatus::insufficient;
    }
  }
  if (r.reserve_status != ReserveStatus::reserved) {
    r.lease = LeaseState{op.lease_id, "refused", Money::zero(), Money::zero(), 0, 0};
    r.balance = current_or_empty(op.team_id, now);
    return r;
  }
  int64_t expires_at = now + op.ttl_seconds;
  // Two replicas applying the same retried acquire at once: both wait on the wallet lock, and
  // the second then finds the first's lease above (a replay).
  db_->exec(
      "INSERT INTO leases(id, team_id, period_start, holder, amount, consumed, state, created_at, expires_at, log_id) "
      "VALUES($1, $2, $3, $4, $5, 0, 'active', $6, $7, $8)",
      {op.lease_id, op.team_id, wallet->period.start, op.holder, grant, now, expires_at,
       text_or_null(op.log_id)});
  append_journal("lease:" + op.lease_id, op.team_id, wallet->period.start, "lease", op.lease_id, grant, now, nullptr,
                 nullptr, &op.lease_id);
  r.lease = LeaseState{op.lease_id, "active", grant, Money::zero(), expires_at, wallet->period.end};
  r.balance = *wallet_row(op.team_id, wallet->period.start);
  return r;
}

OpResult SqlStore::lease_renew(const LeaseRenewOp& op, int64_t now) {
  OpResult r;
  int64_t updated = db_->exec("UPDATE leases SET expires_at = GREATEST(expires_at, $2) WHERE id = $1 AND state = 'active'",
                              {op.lease_id, now + op.ttl_seconds});
  r.replay = updated == 0;
  r.lease = find_lease(op.lease_id);
  if (!r.lease) r.lease = LeaseState{op.lease_id, "unknown", Money::zero(), Money::zero(), 0, 0};
  r.balance = current_or_empty(op.team_id, now);
  return r;
}

OpResult SqlStore::lease_return(const LeaseReturnOp& op, int64_t now) {
  OpResult r;
  std::string team;
  int64_t period_start = 0;
  auto lease = find_lease(op.lease_id, &team, &period_start);
  if (lease) {
    lock_wallet(team, period_start);
    lease = find_lease(op.lease_id, &team, &period_start, /*lock=*/true);
  }
  if (!lease || lease->state != "active") {
    r.replay = true;  // unknown, already returned or expired: nothing to give back
    r.lease = lease;
    r.balance = current_or_empty(op.team_id, now);
    return r;
  }
  Money unused = lease->amount - lease->consumed;
  db_->exec("UPDATE wallets SET leased = leased - $3 WHERE team_id = $1 AND period_start = $2",
            {team, period_start, unused});
  db_->exec("UPDATE leases SET state = 'returned' WHERE id = $1", {op.lease_id});
  append_journal("lease_return:" + op.lease_id, team, period_start, "lease_return", op.lease_id, unused, now, nullptr,
                 nullptr, &op.lease_id);
  lease->state = "returned";
  r.lease = std::move(lease);
  r.balance = current_or_empty(team, now);
  return r;
}

OpResult SqlStore::settle_on_lease(const SettleOp& op, int64_t now) {
  OpResult r;
  std::string team;
  int64_t period_start = 0;
  auto lease = find_lease(op.lease_id, &team, &period_start);
  if (!lease || team != op.team_id) {
    SettleOp direct = op;  // a lease this store never granted: charge like an unreserved settle
    direct.lease_id.clear();
    return settle(direct, now);
  }
  lock_wallet(team, period_start);
  // Claim the key: a settle retried to another replica waits here, then sees it as a replay.
  bool claimed =
      db_->exec("INSERT INTO reservations(key, team_id, period_start, amount, state, created_at, settled_amount, lease_id) "
                "VALUES($1, $2, $3, $4, 'settled', $5, $6, $7) ON CONFLICT(key) DO NOTHING",
                {op.key, team, period_start, op.estimate, now, op.actual, op.lease_id}) == 1;
  if (!claimed) {
    r.replay = true;
    r.balance = current_or_empty(op.team_id, now);
    return r;
  }
  lease = find_lease(op.lease_id, nullptr, nullptr, /*lock=*/true);
  // What the lease still covers comes out of `leased`; the rest (a settle above its estimate, or
  // one after the lease expired) is spent beyond what was set aside, and verify reports it.
  Money covered = lease->state == "active" ? std::min(op.actual, lease->amount - lease->consumed) : Money::zero();
  db_->exec("UPDATE wallets SET spent = spent + $3, leased = leased - $4 WHERE team_id = $1 AND period_start = $2",
            {team, period_start, op.actual, covered});
  if (!covered.is_zero())
    db_->exec("UPDATE leases SET consumed = consumed + $2 WHERE id = $1", {op.lease_id, covered});
  append_journal("settle:" + op.key, team, period_start, "settle", op.key, op.actual, now, &op, nullptr, &op.lease_id,
                 op.estimate);
  r.fired_thresholds = fire_alerts(team, period_start, op.alert_thresholds, now);
  r.balance = current_or_empty(team, now);
  return r;
}

namespace {
// When an active lease is no one's any more ($1: now, $2: now - grace). A lease named by a gateway
// log waits out the grace: the log's settles may still come (a restarted gateway or `kt gateway
// drain` ships them, then gives the rest back); its close returns it at once.
const std::string kExpired =
    "(CASE WHEN l.log_id IS NULL THEN (l.expires_at <= $1 OR w.period_end <= $1) "
    "ELSE LEAST(l.expires_at, w.period_end) <= $2 END)";
}  // namespace

ExpiryReport SqlStore::expire(int64_t now, int64_t reservation_ttl_seconds, int64_t lease_grace_seconds) {
  struct Stale {
    std::string id, team;
    int64_t period_start;
  };
  // Candidates are read without locks; each is then re-checked under its wallet's lock, so a
  // lease returned or renewed meanwhile (by another replica) is left alone.
  std::vector<Stale> leases, holds;
  db_->read([&] {
    {
      auto q = db_->query(
          "SELECT l.id, l.team_id, l.period_start FROM leases l "
          "JOIN wallets w ON w.team_id = l.team_id AND w.period_start = l.period_start "
          "WHERE l.state = 'active' AND " + kExpired + " LIMIT 1000",
          {now, now - lease_grace_seconds});
      while (q.next()) leases.push_back({q.text(0), q.text(1), q.i64(2)});
    }
    auto h = db_->query(
        "SELECT key, team_id, period_start FROM reservations WHERE state = 'held' AND created_at <= $1 LIMIT 1000",
        {now - reservation_ttl_seconds});
    while (h.next()) holds.push_back({h.text(0), h.text(1), h.i64(2)});
  });
  ExpiryReport report;
  for (const auto& l : leases) {
    db_->write([&] {
      lock_wallet(l.team, l.period_start);
      Money unused;
      {
        auto q = db_->query(
            "SELECT l.amount - l.consumed FROM leases l JOIN wallets w ON w.team_id = l.team_id "
            "AND w.period_start = l.period_start WHERE l.state = 'active' AND " + kExpired + " AND l.id = $3 "
            "FOR UPDATE OF l",
            {now, now - lease_grace_seconds, l.id});
        if (!q.next()) return;
        unused = q.money(0);
      }
      db_->exec("UPDATE leases SET state = 'expired' WHERE id = $1", {l.id});
      db_->exec("UPDATE wallets SET leased = leased - $3 WHERE team_id = $1 AND period_start = $2",
                {l.team, l.period_start, unused});
      append_journal("lease_expire:" + l.id, l.team, l.period_start, "lease_expire", l.id, unused, now, nullptr, nullptr,
                     &l.id);
      ++report.leases;
      report.returned += unused;
    });
  }
  for (const auto& h : holds) {
    db_->write([&] {
      lock_wallet(h.team, h.period_start);
      Money amount;
      std::string key_id;
      int64_t key_period_start = 0;
      {
        auto q = db_->query(
            "SELECT amount, key_id, key_period_start FROM reservations WHERE key = $1 AND state = 'held' AND created_at <= $2 "
            "FOR UPDATE",
            {h.id, now - reservation_ttl_seconds});
        if (!q.next()) return;
        amount = q.money(0);
        if (!q.is_null(1)) key_id = q.text(1), key_period_start = q.i64(2);
      }
      db_->exec("UPDATE reservations SET state = 'released' WHERE key = $1", {h.id});
      if (!key_id.empty()) move_key_budget(key_id, key_period_start, Money::zero(), Money::zero() - amount);
      db_->exec("UPDATE wallets SET reserved = reserved - $3 WHERE team_id = $1 AND period_start = $2",
                {h.team, h.period_start, amount});
      append_journal("expire:" + h.id, h.team, h.period_start, "expire", h.id, amount, now);
      ++report.reservations;
      report.returned += amount;
    });
  }
  return report;
}

}  // namespace kt::ledger::sql
