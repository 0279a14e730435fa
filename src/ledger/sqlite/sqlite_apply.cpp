// The gateway's money movements: reserve, settle, release. A batch runs in one write
// transaction; each op is idempotent by its key (the reservations table remembers every key
// and its outcome, so a replay returns the first outcome and changes nothing).
#include <algorithm>
#include <string_view>

#include "ledger/ledger_rules.hpp"
#include "ledger/sqlite/sqlite_store.hpp"

namespace kt::ledger::sqlite {
namespace {


std::optional<Reservation> find_reservation(Connection& db, const std::string& key) {
  auto q = db.query("SELECT team_id, period_start, amount, state, refusal FROM reservations WHERE key = ?1", key);
  if (!q.next()) return std::nullopt;
  return Reservation{q.text(0), q.i64(1), q.money(2), q.text(3), q.text(4)};
}

}  // namespace

std::vector<OpResult> SqliteStore::apply(const std::vector<LedgerOp>& ops, int64_t now) {
  for (const auto& op : ops) validate_op(op);  // a malformed op fails the batch before it starts
  std::vector<OpResult> results;
  results.reserve(ops.size());
  Transaction tx(db_, Transaction::Mode::immediate);
  for (const auto& op : ops) {
    switch (op.kind) {
      case LedgerOp::Kind::reserve: results.push_back(reserve(op.reserve, now)); break;
      case LedgerOp::Kind::settle: results.push_back(settle(op.settle, now)); break;
      case LedgerOp::Kind::release: results.push_back(release(op.release, now)); break;
      case LedgerOp::Kind::lease_acquire: results.push_back(lease_acquire(op.lease_acquire, now)); break;
      case LedgerOp::Kind::lease_renew: results.push_back(lease_renew(op.lease_renew, now)); break;
      case LedgerOp::Kind::lease_return: results.push_back(lease_return(op.lease_return, now)); break;
    }
  }
  tx.commit();
  return results;
}

OpResult SqliteStore::reserve(const ReserveOp& op, int64_t now) {
  OpResult r;
  if (auto prior = find_reservation(db_, op.key)) {
    r.replay = true;
    r.reserve_status = prior->state == "refused" ? refusal_status(prior->refusal) : ReserveStatus::reserved;
    r.balance = current_or_empty(op.team_id, now);
    return r;
  }

  auto wallet = current_wallet(op.team_id, now);
  int64_t period_start = wallet ? wallet->period.start : month_period_of(now).start;
  if (!wallet) {
    r.reserve_status = ReserveStatus::no_wallet;
  } else if (op.block_at_percent > 0 && at_or_past_percent(wallet->spent, wallet->budget, op.block_at_percent)) {
    r.reserve_status = ReserveStatus::blocked;
  } else {
    // The guard in the WHERE clause is the whole check: the row only changes if it fits.
    db_.query(
           "UPDATE wallets SET reserved = reserved + ?3 "
           "WHERE team_id = ?1 AND period_start = ?2 AND budget - spent - reserved - leased >= ?3",
           op.team_id, period_start, op.amount)
        .run();
    r.reserve_status = db_.changes() == 1 ? ReserveStatus::reserved : ReserveStatus::insufficient;
  }

  if (r.reserve_status == ReserveStatus::reserved) {
    db_.query(
           "INSERT INTO reservations(key, team_id, period_start, amount, state, created_at) "
           "VALUES(?1, ?2, ?3, ?4, 'held', ?5)",
           op.key, op.team_id, period_start, op.amount, now)
        .run();
    append_journal("reserve:" + op.key, op.team_id, period_start, "reserve", op.key, op.amount, now);
  } else {
    // Kept so that a replay of a refused reserve stays refused.
    db_.query(
           "INSERT INTO reservations(key, team_id, period_start, amount, state, refusal, created_at) "
           "VALUES(?1, ?2, ?3, ?4, 'refused', ?5, ?6)",
           op.key, op.team_id, period_start, op.amount, refusal_name(r.reserve_status), now)
        .run();
  }
  r.balance = current_or_empty(op.team_id, now);
  return r;
}

OpResult SqliteStore::settle(const SettleOp& op, int64_t now) {
  if (!op.lease_id.empty()) return settle_on_lease(op, now);
  OpResult r;
  auto prior = find_reservation(db_, op.key);
  // A reservation the store expired (held past its TTL) is charged directly when its settle
  // comes after all: the provider has charged it.
  if (prior && prior->state == "released" && db_.query("SELECT 1 FROM journal WHERE entry_id = ?1", "expire:" + op.key).next())
    prior->state = "refused";
  if (prior && (prior->state == "settled" || prior->state == "released")) {
    r.replay = true;
    r.balance = current_or_empty(op.team_id, now);
    return r;
  }

  if (prior && prior->state == "held") {
    // The actual cost replaces the estimate, in the period the reservation was made in.
    // Applied even past the budget: the provider has already charged it.
    db_.query(
           "UPDATE wallets SET spent = spent + ?3, reserved = reserved - ?4 "
           "WHERE team_id = ?1 AND period_start = ?2",
           prior->team_id, prior->period_start, op.actual, prior->amount)
        .run();
    db_.query("UPDATE reservations SET state = 'settled', settled_amount = ?2 WHERE key = ?1", op.key, op.actual)
        .run();
    append_journal("settle:" + op.key, prior->team_id, prior->period_start, "settle", op.key, op.actual, now, &op);
    r.fired_thresholds = fire_alerts(prior->team_id, prior->period_start, op.alert_thresholds, now);
    r.balance = current_or_empty(prior->team_id, now);
    return r;
  }

  // No reservation (enforcement off) or a refused one that was sent anyway: charge directly.
  auto wallet = current_wallet(op.team_id, now);
  int64_t period_start = wallet ? wallet->period.start : month_period_of(now).start;
  if (wallet) {
    db_.query("UPDATE wallets SET spent = spent + ?3 WHERE team_id = ?1 AND period_start = ?2", op.team_id,
              period_start, op.actual)
        .run();
    append_journal("charge:" + op.key, op.team_id, period_start, "charge", op.key, op.actual, now, &op);
    r.fired_thresholds = fire_alerts(op.team_id, period_start, op.alert_thresholds, now);
  }
  // A team without a wallet has nothing to charge; the row still records the cost and makes a
  // replay of this key a no-op.
  db_.query(
         "INSERT INTO reservations(key, team_id, period_start, amount, state, created_at, settled_amount) "
         "VALUES(?1, ?2, ?3, 0, 'settled', ?4, ?5) "
         "ON CONFLICT(key) DO UPDATE SET state = 'settled', refusal = NULL, amount = 0, "
         "settled_amount = excluded.settled_amount",
         op.key, op.team_id, period_start, now, op.actual)
      .run();
  r.balance = current_or_empty(op.team_id, now);
  return r;
}

OpResult SqliteStore::release(const ReleaseOp& op, int64_t now) {
  OpResult r;
  auto prior = find_reservation(db_, op.key);
  if (!prior || prior->state != "held") {
    r.replay = true;  // unknown, refused, settled or already released: nothing to give back
    r.balance = current_or_empty(op.team_id, now);
    return r;
  }
  db_.query("UPDATE wallets SET reserved = reserved - ?3 WHERE team_id = ?1 AND period_start = ?2",
            prior->team_id, prior->period_start, prior->amount)
      .run();
  db_.query("UPDATE reservations SET state = 'released' WHERE key = ?1", op.key).run();
  append_journal("release:" + op.key, prior->team_id, prior->period_start, "release", op.key, prior->amount, now);
  r.balance = current_or_empty(prior->team_id, now);
  return r;
}

std::vector<int> SqliteStore::fire_alerts(const std::string& team_id, int64_t period_start,
                                          const std::vector<int>& thresholds, int64_t now) {
  std::vector<int> fired;
  if (thresholds.empty()) return fired;
  auto wallet = wallet_row(team_id, period_start);
  if (!wallet) return fired;
  for (int t : thresholds_reached(wallet->spent, wallet->budget, thresholds)) {
    // The primary key makes each threshold fire once per team per period.
    db_.query(
           "INSERT OR IGNORE INTO alerts_fired(team_id, period_start, threshold, fired_at) "
           "VALUES(?1, ?2, ?3, ?4)",
           team_id, period_start, t, now)
        .run();
    if (db_.changes() == 1) fired.push_back(t);
  }
  return fired;
}

}  // namespace kt::ledger::sqlite
