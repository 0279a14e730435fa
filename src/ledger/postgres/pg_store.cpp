// Wallets, consumer groups and spend reports. apply() lives in pg_apply.cpp, pricing in
// pg_pricing.cpp, the event log in pg_events.cpp and verify() in pg_verify.cpp.
#include "ledger/ledger_rules.hpp"
#include "ledger/postgres/pg_store.hpp"

#include "core/ids.hpp"
#include "ledger/postgres/pg_schema.hpp"

namespace kt::ledger::postgres {
namespace {

const std::string kWalletSelect =
    "SELECT team_id, currency, budget, spent, reserved, period_start, leased, period_kind, timezone FROM wallets "
    "WHERE team_id = $1 AND period_start = $2";

Balance balance_from(const Result& q, int row) {
  Balance b;
  b.team_id = q.text(row, 0);
  b.currency = q.text(row, 1);
  b.budget = q.money(row, 2);
  b.spent = q.money(row, 3);
  b.reserved = q.money(row, 4);
  b.leased = q.money(row, 6);
  // The row's own kind and zone: a past period keeps its label after the team's spec changed.
  PeriodSpec spec;
  parse_period_kind(q.text(row, 7), spec.kind);
  spec.timezone = q.text(row, 8);
  b.period = period_of(spec, q.i64(row, 5));
  return b;
}

// How the team's wallet cuts time (no settings row: monthly in UTC).
PeriodSpec load_spec(Connection& db, const std::string& team_id) {
  PeriodSpec spec;
  auto q = db.query("SELECT period_kind, timezone FROM wallet_settings WHERE team_id = $1", team_id);
  if (!q.empty()) {
    parse_period_kind(q.text(0, 0), spec.kind);
    spec.timezone = q.text(0, 1);
  }
  return spec;
}

// The credits of one wallet row: they count for that period only.
Money credits_of(Connection& db, const std::string& team_id, int64_t period_start) {
  auto q = db.query(
      "SELECT COALESCE(SUM(amount), 0) FROM journal WHERE team_id = $1 AND period_start = $2 AND kind = 'credit'",
      team_id, period_start);
  return q.money(0, 0);
}

}  // namespace

PostgresStore::PostgresStore(const std::string& url) : db_(url) {}

void PostgresStore::migrate() { migrate_schema(db_); }

// --- Wallets ----------------------------------------------------------------------------

std::optional<Balance> PostgresStore::wallet_row(const std::string& team_id, int64_t period_start) {
  auto q = db_.query(kWalletSelect, team_id, period_start);
  if (q.empty()) return std::nullopt;
  return balance_from(q, 0);
}

std::optional<Balance> PostgresStore::current_wallet(const std::string& team_id, int64_t now) {
  Period cur = period_of(load_spec(db_, team_id), now);
  if (auto b = wallet_row(team_id, cur.start)) return b;
  auto q = db_.query(
      "SELECT currency, budget, period_start FROM wallets WHERE team_id = $1 AND period_start < $2 "
      "ORDER BY period_start DESC LIMIT 1",
      team_id, cur.start);
  if (q.empty()) return std::nullopt;
  // A budget recurs: the new period starts with the allocated budget (the last period's
  // credits were for it alone), nothing spent. Another replica may roll the same wallet
  // forward at the same moment: the first insert wins.
  Money budget = q.money(0, 1) - credits_of(db_, team_id, q.i64(0, 2));
  if (budget.is_negative()) budget = Money::zero();
  db_.query(
      "INSERT INTO wallets(team_id, period_start, period_end, currency, budget, spent, reserved, period_kind, "
      "timezone) VALUES($1, $2, $3, $4, $5, 0, 0, $6, $7) ON CONFLICT(team_id, period_start) DO NOTHING",
      team_id, cur.start, cur.end, q.text(0, 0), budget, period_kind_name(cur.kind), cur.timezone);
  return wallet_row(team_id, cur.start);
}

Balance PostgresStore::current_or_empty(const std::string& team_id, int64_t now) {
  if (auto b = current_wallet(team_id, now)) return *b;
  Balance b;
  b.team_id = team_id;
  b.period = period_of(load_spec(db_, team_id), now);
  return b;
}

void PostgresStore::append_journal(const std::string& entry_id, const std::string& team_id, int64_t period_start,
                                   const char* kind, const std::string& key, Money amount, int64_t now,
                                   const SettleOp* usage, const std::string* description, const std::string* lease_id) {
  std::optional<std::string> model, provider, group, desc, k;
  std::optional<int64_t> prompt, completion;
  if (usage) {
    model = usage->model;
    provider = usage->provider;
    group = usage->consumer_group;
    prompt = usage->prompt_tokens;
    completion = usage->completion_tokens;
  }
  if (description) desc = *description;
  if (!key.empty()) k = key;
  std::optional<std::string> lease;
  if (lease_id && !lease_id->empty()) lease = *lease_id;
  db_.query(
      "INSERT INTO journal(entry_id, team_id, period_start, kind, key, amount, description, model, provider, "
      "consumer_group, prompt_tokens, completion_tokens, created_at, lease_id) "
      "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
      entry_id, team_id, period_start, kind, k, amount, desc, model, provider, group, prompt, completion, now, lease);
}

AllocationResult PostgresStore::allocate(const std::string& team_id, Money amount, const std::string& currency,
                                         const std::string& description, int64_t now,
                                         const std::optional<PeriodSpec>& period) {
  if (team_id.empty()) throw StoreError("allocation needs a team_id");
  if (amount.is_negative()) throw StoreError("allocation amount cannot be negative");
  std::string cur_code = currency.empty() ? "USD" : currency;
  std::string zone_error;
  if (period && !valid_timezone(period->timezone, &zone_error)) throw StoreError(zone_error);
  return db_.transaction([&] {
    // A new spec takes effect with the period containing `now` (see the README, "Budget periods").
    if (period)
      db_.query(
          "INSERT INTO wallet_settings(team_id, period_kind, timezone, updated_at) VALUES($1, $2, $3, $4) "
          "ON CONFLICT(team_id) DO UPDATE SET period_kind = excluded.period_kind, timezone = excluded.timezone, "
          "updated_at = excluded.updated_at",
          team_id, period_kind_name(period->kind), period->timezone, now);
    Period cur = period_of(period ? *period : load_spec(db_, team_id), now);
    // Allocation sets the period's budget (plus this period's credits); what was spent or
    // reserved in it stays.
    Money budget = amount + credits_of(db_, team_id, cur.start);
    db_.query(
        "INSERT INTO wallets(team_id, period_start, period_end, currency, budget, spent, reserved, period_kind, "
        "timezone) VALUES($1, $2, $3, $4, $5, 0, 0, $6, $7) "
        "ON CONFLICT(team_id, period_start) DO UPDATE SET budget = excluded.budget, currency = excluded.currency, "
        "period_end = excluded.period_end, period_kind = excluded.period_kind, timezone = excluded.timezone",
        team_id, cur.start, cur.end, cur_code, budget, period_kind_name(cur.kind), cur.timezone);
    AllocationResult result;
    result.entry_id = new_id("alloc_");
    append_journal(result.entry_id, team_id, cur.start, "allocate", "", amount, now, nullptr, &description);
    result.balance = *wallet_row(team_id, cur.start);
    return result;
  });
}

std::optional<Balance> PostgresStore::balance(const std::string& team_id, int64_t now) {
  return db_.transaction([&] { return current_wallet(team_id, now); });
}

std::vector<Balance> PostgresStore::list_balances(int64_t now) {
  return db_.transaction([&] {
    std::vector<std::string> teams;
    auto q = db_.query("SELECT DISTINCT team_id FROM wallets WHERE period_start <= $1 ORDER BY team_id", now);
    for (int i = 0; i < q.rows(); ++i) teams.push_back(q.text(i, 0));
    std::vector<Balance> out;
    out.reserve(teams.size());
    for (const auto& t : teams)
      if (auto b = current_wallet(t, now)) out.push_back(std::move(*b));
    return out;
  });
}

PeriodSpec PostgresStore::period_spec(const std::string& team_id) {
  return db_.transaction([&] { return load_spec(db_, team_id); });
}

std::optional<AllocationResult> PostgresStore::credit(const std::string& team_id, Money amount,
                                                     const std::string& description, int64_t now) {
  if (amount <= Money::zero()) throw StoreError("a credit must be positive");
  return db_.transaction([&]() -> std::optional<AllocationResult> {
    auto wallet = current_wallet(team_id, now);
    if (!wallet) return std::nullopt;
    db_.query("UPDATE wallets SET budget = budget + $3 WHERE team_id = $1 AND period_start = $2", team_id,
              wallet->period.start, amount);
    AllocationResult result;
    result.entry_id = new_id("credit_");
    append_journal(result.entry_id, team_id, wallet->period.start, "credit", "", amount, now, nullptr, &description);
    result.balance = *wallet_row(team_id, wallet->period.start);
    return result;
  });
}

// --- Consumer groups --------------------------------------------------------------------

void PostgresStore::register_groups(const std::vector<ConsumerGroup>& groups) {
  db_.transaction([&] {
    for (const auto& g : groups)
      db_.query(
          "INSERT INTO consumer_groups(name, team_id) VALUES($1, $2) "
          "ON CONFLICT(name) DO UPDATE SET team_id = excluded.team_id",
          g.name, g.team_id);
  });
}

std::vector<ConsumerGroup> PostgresStore::list_groups() {
  return db_.transaction([&] {
    std::vector<ConsumerGroup> out;
    auto q = db_.query("SELECT name, team_id FROM consumer_groups ORDER BY name");
    for (int i = 0; i < q.rows(); ++i) out.push_back({q.text(i, 0), q.text(i, 1)});
    return out;
  });
}

// --- Spend report -----------------------------------------------------------------------

std::optional<SpendReport> PostgresStore::spend(const std::string& team_id, const Period& period, int64_t now) {
  return db_.transaction([&]() -> std::optional<SpendReport> {
    // The current month may need rolling forward; a past month is reported as it was kept.
    auto wallet = period.start == period_of(load_spec(db_, team_id), now).start ? current_wallet(team_id, now)
                                                             : wallet_row(team_id, period.start);
    if (!wallet) return std::nullopt;
    SpendReport report;
    report.balance = std::move(*wallet);
    auto q = db_.query(
        "SELECT model, SUM(amount) AS cost, SUM(prompt_tokens), SUM(completion_tokens), COUNT(*) "
        "FROM journal WHERE team_id = $1 AND period_start = $2 AND kind IN ('settle', 'charge') "
        "GROUP BY model ORDER BY cost DESC, model",
        team_id, report.balance.period.start);
    for (int i = 0; i < q.rows(); ++i) {
      ModelSpend m;
      m.model = q.text(i, 0);
      m.cost = q.money(i, 1);
      m.prompt_tokens = q.i64(i, 2);
      m.completion_tokens = q.i64(i, 3);
      m.requests = q.i64(i, 4);
      report.models.push_back(std::move(m));
    }
    return report;
  });
}

std::vector<JournalEntry> PostgresStore::journal(const std::string& team_id, const Period& period) {
  return db_.transaction([&] {
    std::vector<JournalEntry> out;
    auto q = db_.query(
        "SELECT entry_id, kind, key, amount, description, model, provider, consumer_group, prompt_tokens, "
        "completion_tokens, created_at FROM journal WHERE team_id = $1 AND period_start = $2 ORDER BY id",
        team_id, period.start);
    for (int i = 0; i < q.rows(); ++i) {
      JournalEntry e;
      e.entry_id = q.text(i, 0);
      e.kind = q.text(i, 1);
      e.key = q.text(i, 2);
      e.amount = q.money(i, 3);
      e.description = q.text(i, 4);
      e.model = q.text(i, 5);
      e.provider = q.text(i, 6);
      e.consumer_group = q.text(i, 7);
      e.prompt_tokens = q.i64(i, 8);
      e.completion_tokens = q.i64(i, 9);
      e.created_at = q.i64(i, 10);
      out.push_back(std::move(e));
    }
    return out;
  });
}

}  // namespace kt::ledger::postgres
