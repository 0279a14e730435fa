// Applying a gateway log (store_types.hpp, "The gateway's durable log"). One batch is one
// transaction:
//   1. the log's row, locked: a log's batches apply one at a time and in order, whichever API
//      replica receives them; records at or below its high-water mark are skipped (a re-sent
//      batch, a log shipped again after a crash);
//   2. records in order. Settles on leases and direct charges are summed in memory per wallet and
//      per lease; every request still gets its own journal line and event, inserted in bulk at the
//      end. Records held by a reservation at the API (by key) take the per-op path, with the sums
//      so far written first;
//   3. one wallet UPDATE per wallet and one lease UPDATE per lease touched, alerts once per wallet,
//      the high-water mark and the gateway's report of what it has not yet shipped.
#include <algorithm>
#include <deque>
#include <map>
#include <unordered_map>

#include "ledger/sql/sql_store.hpp"

namespace kt::ledger::sql {

struct SqlStore::LogApply {
  const LogBatch* batch = nullptr;
  struct WalletDelta {
    Money spent, leased_back;
  };
  struct LeaseMem {
    std::string team;
    int64_t period_start = 0;
    Money amount, consumed, added;
    bool active = false;
  };
  std::map<std::pair<std::string, int64_t>, WalletDelta> wallets;  // (team, period_start)
  std::unordered_map<std::string, std::optional<LeaseMem>> leases;  // nullopt: no such lease here
  std::unordered_map<std::string, int64_t> current_period;          // direct charges: the team's period now
  std::map<std::pair<std::string, int64_t>, bool> touched;          // wallets to check for alerts
  std::map<std::string, Money> settled;                             // per team
  std::deque<std::string> owned;  // entry ids made here (the params below point at them)
  std::vector<Param> journal, events, rejects;
  bool close = false;
  int64_t applied = 0, rejected = 0;
};

namespace {

constexpr const char* kJournalColumns =
    "entry_id, team_id, period_start, kind, key, amount, model, provider, consumer_group, prompt_tokens, "
    "completion_tokens, created_at, lease_id, estimate";
constexpr size_t kJournalColumnCount = 14;

// Why the store cannot apply a record, or empty.
std::string invalid_because(const LogRecord& r) {
  using K = LogRecord::Kind;
  if (r.kind == K::invalid) return r.reject_reason.empty() ? "unreadable record" : r.reject_reason;
  if ((r.kind == K::settle || r.kind == K::release) && (r.key.empty() || r.team_id.empty()))
    return "a settle or release needs a key and a team";
  if (r.kind == K::settle && (r.amount.is_negative() || r.estimate.is_negative())) return "negative amount";
  if (r.kind == K::lease_return && (r.lease_id.empty() || r.team_id.empty())) return "a lease return needs a lease and a team";
  if (!r.event_json.empty() && r.event_id.empty()) return "an event needs an id";
  return "";
}

SettleOp settle_op_of(const LogRecord& r) {
  SettleOp op;
  op.key = std::string(r.key);
  op.team_id = std::string(r.team_id);
  op.actual = r.amount;
  op.model = std::string(r.model);
  op.provider = std::string(r.provider);
  op.consumer_group = std::string(r.consumer_group);
  op.prompt_tokens = r.prompt_tokens;
  op.completion_tokens = r.completion_tokens;
  op.estimate = r.estimate;
  return op;
}

}  // namespace

LogApplyResult SqlStore::apply_log(const LogBatch& b, int64_t now) {
  if (b.log_id.empty()) throw StoreError("a log batch needs a log id");
  for (size_t i = 1; i < b.records.size(); ++i)
    if (b.records[i].seq <= b.records[i - 1].seq) throw StoreError("a log batch's records must be in sequence order");
  return db_->write([&] {
    rollups_.clear();
    LogApplyResult result;
    db_->exec("INSERT INTO gateway_logs(log_id, holder, first_seen, last_seen) VALUES($1, $2, $3, $3) "
              "ON CONFLICT(log_id) DO NOTHING",
              {b.log_id, b.holder, now});
    int64_t applied_seq = 0;
    {
      auto q = db_->query("SELECT applied_seq FROM gateway_logs WHERE log_id = $1 FOR UPDATE", {b.log_id});
      if (q.next()) applied_seq = q.i64(0);
    }
    LogApply a;
    a.batch = &b;
    for (const auto& r : b.records) {
      if (r.seq <= applied_seq) {
        ++result.skipped;
        continue;
      }
      apply_log_record(a, r, now);
    }
    flush_log_apply(a, now);
    if (!a.journal.empty()) db_->insert_rows("journal", kJournalColumns, kJournalColumnCount, a.journal);
    flush_rollups();
    if (!a.events.empty())
      db_->insert_rows("events", "id, type, ts_micros, team_id, consumer_group, json", 6, a.events,
                       " ON CONFLICT(id) DO NOTHING");
    if (!a.rejects.empty())
      db_->insert_rows("log_rejects", "log_id, seq, reason, record, created_at", 5, a.rejects,
                       " ON CONFLICT(log_id, seq) DO NOTHING");
    if (a.close) close_log(b.log_id, now);

    // Alerts once per wallet touched, then every team's balance after the batch.
    std::map<std::string, LogTeamResult> teams;
    for (const auto& [wallet, _] : a.touched) {
      auto& t = teams[wallet.first];
      auto fired = fire_alerts(wallet.first, wallet.second, b.alert_thresholds, now);
      t.fired.insert(t.fired.end(), fired.begin(), fired.end());
      if (auto at = fire_projected_exhaustion(wallet.first, wallet.second, now)) t.exhausts_at = at;
    }
    for (auto& [team, t] : teams) {
      t.team_id = team;
      t.balance = current_or_empty(team, now);
      if (auto it = a.settled.find(team); it != a.settled.end()) t.settled = it->second;
      result.teams.push_back(std::move(t));
    }

    int64_t last = b.records.empty() ? 0 : b.records.back().seq;
    result.applied_seq = std::max({applied_seq, b.through_seq, last});
    result.applied = a.applied;
    result.rejected = a.rejected;
    db_->exec(
        "UPDATE gateway_logs SET applied_seq = $2, reported_head = GREATEST(reported_head, $3), unapplied_records = $4, "
        "unapplied_bytes = $5, holder = $6, last_seen = $7 WHERE log_id = $1",
        {b.log_id, result.applied_seq, b.head_seq, b.unapplied_records, b.unapplied_bytes, b.holder, now});
    db_->exec("DELETE FROM gateway_log_pending WHERE log_id = $1", {b.log_id});
    if (!a.close && !b.pending.empty()) {
      std::vector<Param> rows;
      for (const auto& p : b.pending) rows.insert(rows.end(), {b.log_id, p.team_id, p.amount, p.records});
      db_->insert_rows("gateway_log_pending", "log_id, team_id, amount, records", 4, rows);
    }
    return result;
  });
}

void SqlStore::apply_log_record(LogApply& a, const LogRecord& r, int64_t now) {
  using K = LogRecord::Kind;
  if (std::string why = invalid_because(r); !why.empty()) {
    a.owned.push_back(std::move(why));
    a.rejects.insert(a.rejects.end(), {a.batch->log_id, r.seq, a.owned.back(), r.raw, now});
    ++a.rejected;
    return;
  }
  ++a.applied;
  if (!r.event_json.empty())
    a.events.insert(a.events.end(),
                    {r.event_id, r.event_type.empty() ? std::string_view("decision") : r.event_type, r.ts_micros,
                     r.team_id, r.consumer_group, r.event_json});
  switch (r.kind) {
    case K::settle:
      if (!r.lease_id.empty()) return settle_log_on_lease(a, r, now);
      if (r.reserved) {
        flush_log_apply(a, now);
        settle(settle_op_of(r), now);
        a.touched[{std::string(r.team_id), period_of(load_spec(std::string(r.team_id)), now).start}] = true;
      } else {
        // No hold anywhere (enforcement off): a direct charge to the team's period now.
        std::string team(r.team_id);
        auto pit = a.current_period.find(team);
        if (pit == a.current_period.end()) {
          auto wallet = current_wallet(team, now);
          pit = a.current_period.emplace(team, wallet ? wallet->period.start : -1).first;
        }
        if (pit->second < 0) return;  // no wallet: nothing to charge (the event still says what it cost)
        a.wallets[{team, pit->second}].spent += r.amount;
        a.owned.push_back("charge:" + std::string(r.key));
        a.journal.insert(a.journal.end(), {a.owned.back(), r.team_id, pit->second, "charge", r.key, r.amount, r.model,
                                           r.provider, r.consumer_group, r.prompt_tokens, r.completion_tokens, now,
                                           std::nullopt, std::nullopt});
        roll_up(r.team_id, pit->second, now, r.model, r.consumer_group, r.amount, r.prompt_tokens, r.completion_tokens);
        a.touched[{team, pit->second}] = true;
        a.settled[team] += r.amount;
      }
      return;
    case K::release:
      if (r.lease_id.empty() && r.reserved) {
        flush_log_apply(a, now);
        release(ReleaseOp{std::string(r.key), std::string(r.team_id)}, now);
      }
      return;  // a lease hold is released in the gateway alone
    case K::lease_return:
      flush_log_apply(a, now);  // its settles first
      lease_return(LeaseReturnOp{std::string(r.lease_id), std::string(r.team_id)}, now);
      a.leases.erase(std::string(r.lease_id));
      return;
    case K::close: a.close = true; return;
    case K::intent:
    case K::lease:
    case K::event:
    case K::invalid: return;
  }
}

void SqlStore::settle_log_on_lease(LogApply& a, const LogRecord& r, int64_t now) {
  std::string lease_id(r.lease_id);
  auto it = a.leases.find(lease_id);
  if (it == a.leases.end()) {
    std::optional<LogApply::LeaseMem> mem;
    std::string team;
    int64_t period_start = 0;
    if (auto l = find_lease(lease_id, &team, &period_start)) {
      lock_wallet(team, period_start);  // the wallet first, then the lease: the order every op uses
      l = find_lease(lease_id, nullptr, nullptr, /*lock=*/true);
      mem = LogApply::LeaseMem{team, period_start, l->amount, l->consumed, Money::zero(), l->state == "active"};
    }
    it = a.leases.emplace(lease_id, std::move(mem)).first;
  }
  if (!it->second || it->second->team != r.team_id) {
    // A lease this store never granted (or another team's): charge like an unreserved settle.
    LogRecord direct = r;
    direct.lease_id = {};
    direct.reserved = false;
    --a.applied;
    direct.event_json = {};  // its event is already queued
    apply_log_record(a, direct, now);
    return;
  }
  auto& l = *it->second;
  // What the lease still covers comes out of `leased`; the rest (a settle above its estimate, or
  // one after the lease was expired) is spent beyond what was set aside, and verify reports it.
  Money covered = l.active ? std::min(r.amount, l.amount - l.consumed - l.added) : Money::zero();
  if (covered.is_negative()) covered = Money::zero();
  l.added += covered;
  auto& w = a.wallets[{l.team, l.period_start}];
  w.spent += r.amount;
  w.leased_back += covered;
  a.owned.push_back("settle:" + std::string(r.key));
  a.journal.insert(a.journal.end(), {a.owned.back(), r.team_id, l.period_start, "settle", r.key, r.amount, r.model,
                                     r.provider, r.consumer_group, r.prompt_tokens, r.completion_tokens, now,
                                     r.lease_id, r.estimate});
  roll_up(r.team_id, l.period_start, now, r.model, r.consumer_group, r.amount, r.prompt_tokens, r.completion_tokens);
  a.touched[{l.team, l.period_start}] = true;
  a.settled[l.team] += r.amount;
}

void SqlStore::flush_log_apply(LogApply& a, int64_t now) {
  for (auto& [wallet, d] : a.wallets) {
    if (d.spent.is_zero() && d.leased_back.is_zero()) continue;
    db_->exec("UPDATE wallets SET spent = spent + $3, leased = leased - $4 WHERE team_id = $1 AND period_start = $2",
              {wallet.first, wallet.second, d.spent, d.leased_back});
    d = {};
  }
  for (auto& [id, l] : a.leases) {
    if (!l || l->added.is_zero()) continue;
    db_->exec("UPDATE leases SET consumed = consumed + $2 WHERE id = $1", {id, l->added});
    l->consumed += l->added;
    l->added = Money::zero();
  }
}

void SqlStore::close_log(const std::string& log_id, int64_t now) {
  // Nothing will settle what the log still holds: its leases' unconsumed parts and its
  // reservations go back (every request the log forwarded had its intent logged, and recovery
  // settled each of those before the close).
  std::vector<std::pair<std::string, std::string>> leases, holds;
  {
    auto q = db_->query("SELECT id, team_id FROM leases WHERE log_id = $1 AND state = 'active'", {log_id});
    while (q.next()) leases.emplace_back(q.text(0), q.text(1));
  }
  {
    auto q = db_->query("SELECT key, team_id FROM reservations WHERE log_id = $1 AND state = 'held'", {log_id});
    while (q.next()) holds.emplace_back(q.text(0), q.text(1));
  }
  for (const auto& [id, team] : leases) lease_return(LeaseReturnOp{id, team}, now);
  for (const auto& [key, team] : holds) release(ReleaseOp{key, team}, now);
  db_->exec("UPDATE gateway_logs SET closed_at = $2 WHERE log_id = $1", {log_id, now});
}

std::vector<GatewayLogState> SqlStore::gateway_logs(int64_t closed_since) {
  return db_->read([&] {
    std::vector<GatewayLogState> out;
    std::map<std::string, size_t> at;
    {
      auto q = db_->query(
          "SELECT log_id, holder, applied_seq, reported_head, unapplied_records, unapplied_bytes, first_seen, last_seen, "
          "closed_at FROM gateway_logs WHERE closed_at IS NULL OR closed_at >= $1 ORDER BY closed_at IS NOT NULL, log_id",
          {closed_since});
      while (q.next()) {
        GatewayLogState s;
        s.log_id = q.text(0);
        s.holder = q.text(1);
        s.applied_seq = q.i64(2);
        s.reported_head = q.i64(3);
        s.unapplied_records = q.i64(4);
        s.unapplied_bytes = q.i64(5);
        s.first_seen = q.i64(6);
        s.last_seen = q.i64(7);
        s.closed_at = q.opt_i64(8);
        at[s.log_id] = out.size();
        out.push_back(std::move(s));
      }
    }
    auto q = db_->query("SELECT log_id, team_id, amount, records FROM gateway_log_pending ORDER BY log_id, team_id");
    while (q.next())
      if (auto it = at.find(q.text(0)); it != at.end())
        out[it->second].pending.push_back({q.text(1), q.money(2), q.i64(3)});
    return out;
  });
}

}  // namespace kt::ledger::sql
