// The gateway's money movements: reserve, settle, release. A batch runs in one transaction;
// each op is idempotent by its key: it first claims or locks its key's row in `reservations`,
// so the same op applied twice (a retry, or a retry sent to another replica) moves money once.
#include <algorithm>

#include "ledger/sql/sql_store.hpp"

namespace kt::ledger::sql {
namespace {

// The teams a batch moves money for, sorted and unique.
std::vector<std::string> teams_of(const std::vector<LedgerOp>& ops) {
  std::vector<std::string> teams;
  for (const auto& op : ops) teams.push_back(op.team_id());
  std::sort(teams.begin(), teams.end());
  teams.erase(std::unique(teams.begin(), teams.end()), teams.end());
  return teams;
}

}  // namespace

std::optional<Reservation> SqlStore::lock_reservation(const std::string& key) {
  // Locked until the transaction ends: a concurrent settle or release of the same key (a retry
  // sent to another replica) waits, then sees the outcome.
  auto q = db_->query(
      "SELECT team_id, period_start, amount, state, refusal, key_id, key_period_start FROM reservations WHERE key = $1 FOR UPDATE",
      {key});
  if (!q.next()) return std::nullopt;
  Reservation r{q.text(0), q.i64(1), q.money(2), q.text(3), q.text(4), {}, 0};
  if (!q.is_null(5)) r.key_id = q.text(5), r.key_period_start = q.i64(6);
  return r;
}

std::vector<OpResult> SqlStore::apply(const std::vector<LedgerOp>& ops, int64_t now) {
  for (const auto& op : ops) validate_op(op);  // a malformed op fails the batch before it starts
  auto teams = teams_of(ops);
  return db_->write([&] {
    rollups_.clear();
    // A batch touching several wallets locks them all up front, in one order for everybody: two
    // batches over the same wallets in opposite orders would otherwise deadlock. Each wallet row
    // would be locked until commit by its first UPDATE anyway, so this adds no contention.
    if (teams.size() > 1)
      for (const auto& team : teams)
        db_->query("SELECT 1 FROM wallets WHERE team_id = $1 AND period_start <= $2 AND period_end > $2 FOR UPDATE",
                   {team, now})
            .affected();
    std::vector<OpResult> results;
    results.reserve(ops.size());
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
    flush_rollups();
    return results;
  });
}

OpResult SqlStore::reserve(const ReserveOp& op, int64_t now) {
  OpResult r;
  auto wallet = current_wallet(op.team_id, now);
  int64_t period_start = wallet ? wallet->period.start : month_period_of(now).start;

  // Claim the key before moving money. If another transaction holds the same key, this insert
  // waits for it and then does nothing: the op is a replay of that one.
  bool claimed = db_->query(
                        "INSERT INTO reservations(key, team_id, period_start, amount, state, created_at, log_id) "
                        "VALUES($1, $2, $3, $4, 'held', $5, $6) ON CONFLICT(key) DO NOTHING",
                        {op.key, op.team_id, period_start, op.amount, now,
                         text_or_null(op.log_id)})
                     .affected() == 1;
  if (!claimed) {
    r.replay = true;
    auto prior = db_->query("SELECT state, refusal, key_id FROM reservations WHERE key = $1", {op.key});
    r.reserve_status = !prior.next() || prior.text(0) != "refused" ? ReserveStatus::reserved
                       : prior.is_null(2)                          ? refusal_status(prior.text(1))
                                                                   : ReserveStatus::key_budget;
    r.balance = current_or_empty(op.team_id, now);
    return r;
  }

  if (!wallet) {
    r.reserve_status = ReserveStatus::no_wallet;
  } else if (op.block_at_percent > 0 && at_or_past_percent(wallet->spent, wallet->budget, op.block_at_percent)) {
    r.reserve_status = ReserveStatus::blocked;
  } else {
    // The guard in the WHERE clause is the whole check: PostgreSQL evaluates it on the newest
    // version of the row (after any concurrent writer commits), so the row only changes if it fits.
    int64_t updated = db_->exec(
        "UPDATE wallets SET reserved = reserved + $3 "
        "WHERE team_id = $1 AND period_start = $2 AND budget - spent - reserved - leased >= $3",
        {op.team_id, period_start, op.amount});
    r.reserve_status = updated == 1 ? ReserveStatus::reserved : ReserveStatus::insufficient;
  }
  // A key with a budget of its own: both must fit. The wallet's hold is undone in this same
  // transaction when the key's budget refuses.
  std::optional<KeyBudget> key_budget;
  if (r.reserve_status == ReserveStatus::reserved && !op.key_id.empty()) key_budget = key_budget_of(op.key_id, now);
  if (key_budget && !hold_key_budget(*key_budget, op.amount)) {
    db_->exec("UPDATE wallets SET reserved = reserved - $3 WHERE team_id = $1 AND period_start = $2",
              {op.team_id, period_start, op.amount});
    r.reserve_status = ReserveStatus::key_budget;
  }
  // Held or refused by it, the reservation names the key's budget (a refused row with a key is
  // the key's refusal: the refusal column keeps the wallet's names).
  if (key_budget)
    db_->exec("UPDATE reservations SET key_id = $2, key_period_start = $3 WHERE key = $1",
              {op.key, key_budget->budget_key, key_budget->period_start});

  if (r.reserve_status == ReserveStatus::reserved) {
    append_journal("reserve:" + op.key, op.team_id, period_start, "reserve", op.key, op.amount, now);
  } else {
    // Kept so that a replay of a refused reserve stays refused.
    auto stored = r.reserve_status == ReserveStatus::key_budget ? ReserveStatus::insufficient : r.reserve_status;
    db_->exec("UPDATE reservations SET state = 'refused', refusal = $2 WHERE key = $1", {op.key, refusal_name(stored)});
  }
  r.balance = current_or_empty(op.team_id, now);
  return r;
}

OpResult SqlStore::settle(const SettleOp& op, int64_t now) {
  if (!op.lease_id.empty()) return settle_on_lease(op, now);
  OpResult r;
  auto prior = lock_reservation(op.key);
  // A reservation the store expired (held past its TTL) is charged directly when its settle
  // comes after all: the provider has charged it.
  if (prior && prior->state == "released" &&
      db_->query("SELECT 1 FROM journal WHERE entry_id = $1", {"expire:" + op.key}).next())
    prior->state = "refused";
  std::optional<Balance> wallet;
  int64_t period_start = 0;
  if (!prior) {
    // No reservation (enforcement off): claim the key with a 'settled' row first. Losing the
    // claim means a concurrent op on this key just committed; settle against what it left.
    wallet = current_wallet(op.team_id, now);
    period_start = wallet ? wallet->period.start : month_period_of(now).start;
    bool claimed = db_->exec(
                       "INSERT INTO reservations(key, team_id, period_start, amount, state, created_at, settled_amount) "
                       "VALUES($1, $2, $3, 0, 'settled', $4, $5) ON CONFLICT(key) DO NOTHING",
                       {op.key, op.team_id, period_start, now, op.actual}) == 1;
    if (!claimed) prior = lock_reservation(op.key);
  }

  if (prior && (prior->state == "settled" || prior->state == "released")) {
    r.replay = true;
    r.balance = current_or_empty(op.team_id, now);
    return r;
  }

  if (prior && prior->state == "held") {
    // The actual cost replaces the estimate, in the period the reservation was made in.
    // Applied even past the budget: the provider has already charged it.
    db_->exec(
        "UPDATE wallets SET spent = spent + $3, reserved = reserved - $4 WHERE team_id = $1 AND period_start = $2",
        {prior->team_id, prior->period_start, op.actual, prior->amount});
    db_->exec("UPDATE reservations SET state = 'settled', settled_amount = $2 WHERE key = $1", {op.key, op.actual});
    if (!prior->key_id.empty()) move_key_budget(prior->key_id, prior->key_period_start, op.actual, Money::zero() - prior->amount);
    append_journal("settle:" + op.key, prior->team_id, prior->period_start, "settle", op.key, op.actual, now, &op,
                   nullptr, nullptr, prior->amount);
    r.fired_thresholds = fire_alerts(prior->team_id, prior->period_start, op.alert_thresholds, now);
    r.balance = current_or_empty(prior->team_id, now);
    return r;
  }

  if (prior) {
    // A refused reservation whose request was sent anyway: charge directly, like no reservation.
    wallet = current_wallet(op.team_id, now);
    period_start = wallet ? wallet->period.start : month_period_of(now).start;
    db_->exec(
        "UPDATE reservations SET state = 'settled', refusal = NULL, amount = 0, settled_amount = $2, "
        "period_start = $3, team_id = $4 WHERE key = $1",
        {op.key, op.actual, period_start, op.team_id});
    // Expired before its settle came: the key's budget pays the cost as the wallet does.
    if (!prior->key_id.empty()) move_key_budget(prior->key_id, prior->key_period_start, op.actual, Money::zero());
  }
  // A team without a wallet has nothing to charge; the row still records the cost and makes a
  // replay of this key a no-op.
  if (wallet) {
    db_->exec("UPDATE wallets SET spent = spent + $3 WHERE team_id = $1 AND period_start = $2",
              {op.team_id, period_start, op.actual});
    append_journal("charge:" + op.key, op.team_id, period_start, "charge", op.key, op.actual, now, &op);
    r.fired_thresholds = fire_alerts(op.team_id, period_start, op.alert_thresholds, now);
  }
  r.balance = current_or_empty(op.team_id, now);
  return r;
}

OpResult SqlStore::release(const ReleaseOp& op, int64_t now) {
  OpResult r;
  auto prior = lock_reservation(op.key);
  if (!prior) {
    // A release can overtake its reserve: a gateway that gave up on a stalled API logs the release,
    // and the API may apply it before the stalled reserve. The key is claimed as released (nothing
    // held), so the late reserve is a replay that holds nothing instead of money until the TTL.
    int64_t period_start = month_period_of(now).start;
    if (auto wallet = current_wallet(op.team_id, now)) period_start = wallet->period.start;
    db_->exec("INSERT INTO reservations(key, team_id, period_start, amount, state, created_at) "
              "VALUES($1, $2, $3, 0, 'released', $4) ON CONFLICT(key) DO NOTHING",
              {op.key, op.team_id, period_start, now});
  }
  if (!prior || prior->state != "held") {
    r.replay = true;  // unknown, refused, settled or already released: nothing to give back
    r.balance = current_or_empty(op.team_id, now);
    return r;
  }
  db_->exec("UPDATE wallets SET reserved = reserved - $3 WHERE team_id = $1 AND period_start = $2",
            {prior->team_id, prior->period_start, prior->amount});
  db_->exec("UPDATE reservations SET state = 'released' WHERE key = $1", {op.key});
  if (!prior->key_id.empty()) move_key_budget(prior->key_id, prior->key_period_start, Money::zero(), Money::zero() - prior->amount);
  append_journal("release:" + op.key, prior->team_id, prior->period_start, "release", op.key, prior->amount, now);
  r.balance = current_or_empty(prior->team_id, now);
  return r;
}

std::vector<int> SqlStore::fire_alerts(const std::string& team_id, int64_t period_start,
                                       const std::vector<int>& thresholds, int64_t now) {
  std::vector<int> fired;
  if (thresholds.empty()) return fired;
  auto wallet = wallet_row(team_id, period_start);
  if (!wallet) return fired;
  for (int t : thresholds_reached(wallet->spent, wallet->budget, thresholds)) {
    // The primary key makes each threshold fire once per team per period, across replicas: only
    // the transaction whose insert lands announces it.
    if (db_->exec("INSERT INTO alerts_fired(team_id, period_start, threshold, fired_at) VALUES($1, $2, $3, $4) "
                  "ON CONFLICT DO NOTHING",
                  {team_id, period_start, t, now}) == 1)
      fired.push_back(t);
  }
  return fired;
}

}  // namespace kt::ledger::sql
