// Wallets, consumer groups, spend reports and the journal.
#include "core/ids.hpp"
#include "ledger/sql/schema.hpp"
#include "ledger/sql/sql_store.hpp"

namespace kt::ledger::sql {
namespace {

const std::string kWalletSelect =
    "SELECT team_id, currency, budget, spent, reserved, period_start, leased, period_kind, timezone FROM wallets "
    "WHERE team_id = $1 AND period_start = $2";

Balance balance_from(const Rows& q) {
  Balance b;
  b.team_id = q.text(0);
  b.currency = q.text(1);
  b.budget = q.money(2);
  b.spent = q.money(3);
  b.reserved = q.money(4);
  b.leased = q.money(6);
  // The row's own kind and zone: a past period keeps its label after the team's spec changed.
  PeriodSpec spec;
  parse_period_kind(q.text(7), spec.kind);
  spec.timezone = q.text(8);
  b.period = period_of(spec, q.i64(5));
  return b;
}

}  // namespace

void SqlStore::migrate() { sql::migrate(*db_); }

// --- Wallet helpers (inside a transaction) ---------------------------------------------

PeriodSpec SqlStore::load_spec(const std::string& team_id) {
  PeriodSpec spec;
  auto q = db_->query("SELECT period_kind, timezone FROM wallet_settings WHERE team_id = $1", {team_id});
  if (q.next()) {
    parse_period_kind(q.text(0), spec.kind);
    spec.timezone = q.text(1);
  }
  return spec;
}

Money SqlStore::credits_of(const std::string& team_id, int64_t period_start) {
  auto q = db_->query(
      "SELECT COALESCE(SUM(amount), 0) FROM journal WHERE team_id = $1 AND period_start = $2 AND kind = 'credit'",
      {team_id, period_start});
  return q.next() ? q.money(0) : Money::zero();
}

void SqlStore::lock_wallet(const std::string& team_id, int64_t period_start) {
  db_->query("SELECT 1 FROM wallets WHERE team_id = $1 AND period_start = $2 FOR UPDATE", {team_id, period_start})
      .affected();
}

std::optional<Balance> SqlStore::wallet_row(const std::string& team_id, int64_t period_start) {
  auto q = db_->query(kWalletSelect, {team_id, period_start});
  if (!q.next()) return std::nullopt;
  return balance_from(q);
}

std::optional<Balance> SqlStore::current_wallet(const std::string& team_id, int64_t now) {
  Period cur = period_of(load_spec(team_id), now);
  if (auto b = wallet_row(team_id, cur.start)) return b;
  std::string currency;
  Money budget;
  int64_t previous_start = 0;
  {
    auto q = db_->query(
        "SELECT currency, budget, period_start FROM wallets WHERE team_id = $1 AND period_start < $2 "
        "ORDER BY period_start DESC LIMIT 1",
        {team_id, cur.start});
    if (!q.next()) return std::nullopt;
    currency = q.text(0);
    budget = q.money(1);
    previous_start = q.i64(2);
  }
  // A budget recurs: the new period starts with the allocated budget (the last period's credits
  // were for it alone), nothing spent. Another replica may roll the same wallet forward at the
  // same moment: the first insert wins.
  budget = budget - credits_of(team_id, previous_start);
  if (budget.is_negative()) budget = Money::zero();
  db_->exec(
      "INSERT INTO wallets(team_id, period_start, period_end, currency, budget, spent, reserved, period_kind, "
      "timezone) VALUES($1, $2, $3, $4, $5, 0, 0, $6, $7) ON CONFLICT(team_id, period_start) DO NOTHING",
      {team_id, cur.start, cur.end, currency, budget, period_kind_name(cur.kind), cur.timezone});
  return wallet_row(team_id, cur.start);
}

Balance SqlStore::current_or_empty(const std::string& team_id, int64_t now) {
  if (auto b = current_wallet(team_id, now)) return *b;
  Balance b;
  b.team_id = team_id;
  b.period = period_of(load_spec(team_id), now);
  return b;
}

void SqlStore::append_journal(const std::string& entry_id, const std::string& team_id, int64_t period_start,
                              const char* kind, const std::string& key, Money amount, int64_t now,
                              const SettleOp* usage, const std::string* description, const std::string* lease_id,
                              std::optional<Money> estimate) {
  std::optional<std::string_view> model, provider, group, desc, k, lease;
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
  if (lease_id && !lease_id->empty()) lease = *lease_id;
  db_->exec(
      "INSERT INTO journal(entry_id, team_id, period_start, kind, key, amount, description, model, provider, "
      "consumer_group, prompt_tokens, completion_tokens, created_at, lease_id, estimate) "
      "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
      {entry_id, team_id, period_start, kind, k, amount, desc, model, provider, group, prompt, completion, now, lease,
       estimate});
  if (usage && (std::string_view(kind) == "settle" || std::string_view(kind) == "charge"))
    roll_up(team_id, period_start, now, usage->model, usage->consumer_group, amount, usage->prompt_tokens,
            usage->completion_tokens);
}

// --- Wallets ------------------------------------------------------------------------------

AllocationResult SqlStore::allocate(const std::string& team_id, Money amount, const std::string& currency,
                                    const std::string& description, int64_t now,
                                    const std::optional<PeriodSpec>& period) {
  if (team_id.empty()) throw StoreError("allocation needs a team_id");
  if (amount.is_negative()) throw StoreError("allocation amount cannot be negative");
  std::string cur_code = currency.empty() ? "USD" : currency;
  std::string zone_error;
  if (period && !valid_timezone(period->timezone, &zone_error)) throw StoreError(zone_error);
  return db_->write([&] {
    // A new spec takes effect with the period containing `now` (see the README, "Budget periods").
    if (period)
      db_->exec(
          "INSERT INTO wallet_settings(team_id, period_kind, timezone, updated_at) VALUES($1, $2, $3, $4) "
          "ON CONFLICT(team_id) DO UPDATE SET period_kind = excluded.period_kind, timezone = excluded.timezone, "
          "updated_at = excluded.updated_at",
          {team_id, period_kind_name(period->kind), period->timezone, now});
    Period cur = period_of(period ? *period : load_spec(team_id), now);
    // Allocation sets the period's budget (plus this period's credits); what was spent or
    // reserved in it stays.
    Money budget = amount + credits_of(team_id, cur.start);
    db_->exec(
        "INSERT INTO wallets(team_id, period_start, period_end, currency, budget, spent, reserved, period_kind, "
        "timezone) VALUES($1, $2, $3, $4, $5, 0, 0, $6, $7) "
        "ON CONFLICT(team_id, period_start) DO UPDATE SET budget = excluded.budget, currency = excluded.currency, "
        "period_end = excluded.period_end, period_kind = excluded.period_kind, timezone = excluded.timezone",
        {team_id, cur.start, cur.end, cur_code, budget, period_kind_name(cur.kind), cur.timezone});
    AllocationResult result;
    result.entry_id = new_id("alloc_");
    append_journal(result.entry_id, team_id, cur.start, "allocate", "", amount, now, nullptr, &description);
    result.balance = *wallet_row(team_id, cur.start);
    return result;
  });
}

std::optional<Balance> SqlStore::balance(const std::string& team_id, int64_t now) {
  return db_->write([&] { return current_wallet(team_id, now); });
}

std::vector<Balance> SqlStore::list_balances(int64_t now) {
  return db_->write([&] {
    std::vector<std::string> teams;
    {
      auto q = db_->query("SELECT DISTINCT team_id FROM wallets WHERE period_start <= $1 ORDER BY team_id", {now});
      while (q.next()) teams.push_back(q.text(0));
    }
    std::vector<Balance> out;
    out.reserve(teams.size());
    for (const auto& t : teams)
      if (auto b = current_wallet(t, now)) out.push_back(std::move(*b));
    return out;
  });
}

PeriodSpec SqlStore::period_spec(const std::string& team_id) {
  return db_->read([&] { return load_spec(team_id); });
}

std::optional<AllocationResult> SqlStore::credit(const std::string& team_id, Money amount,
                                                 const std::string& description, int64_t now) {
  if (amount <= Money::zero()) throw StoreError("a credit must be positive");
  return db_->write([&]() -> std::optional<AllocationResult> {
    auto wallet = current_wallet(team_id, now);
    if (!wallet) return std::nullopt;
    db_->exec("UPDATE wallets SET budget = budget + $3 WHERE team_id = $1 AND period_start = $2",
              {team_id, wallet->period.start, amount});
    AllocationResult result;
    result.entry_id = new_id("credit_");
    append_journal(result.entry_id, team_id, wallet->period.start, "credit", "", amount, now, nullptr, &description);
    result.balance = *wallet_row(team_id, wallet->period.start);
    return result;
  });
}

// --- Consumer groups ----------------------------------------------------------------------

void SqlStore::register_groups(const std::vector<ConsumerGroup>& groups) {
  db_->write([&] {
    for (const auto& g : groups)
      db_->exec(
          "INSERT INTO consumer_groups(name, team_id) VALUES($1, $2) "
          "ON CONFLICT(name) DO UPDATE SET team_id = excluded.team_id",
          {g.name, g.team_id});
  });
}

std::vector<ConsumerGroup> SqlStore::list_groups() {
  return db_->read([&] {
    std::vector<ConsumerGroup> out;
    auto q = db_->query("SELECT name, team_id FROM consumer_groups ORDER BY name");
    while (q.next()) out.push_back({q.text(0), q.text(1)});
    return out;
  });
}

// --- Spend report and journal -------------------------------------------------------------

std::optional<SpendReport> SqlStore::spend(const std::string& team_id, const Period& period, int64_t now) {
  return db_->write([&]() -> std::optional<SpendReport> {
    // The current period may need rolling forward; a past one is reported as it was kept.
    auto wallet = period.start == period_of(load_spec(team_id), now).start ? current_wallet(team_id, now)
                                                                        : wallet_row(team_id, period.start);
    if (!wallet) return std::nullopt;
    SpendReport report;
    report.balance = std::move(*wallet);
    // From the rollups (store_rollups.cpp): O(hours of the period), whatever the traffic.
    auto q = db_->query(
        "SELECT model, SUM(cost) AS cost, SUM(prompt_tokens), SUM(completion_tokens), SUM(requests) "
        "FROM spend_rollups WHERE team_id = $1 AND period_start = $2 "
        "GROUP BY model ORDER BY cost DESC, model",
        {team_id, report.balance.period.start});
    while (q.next()) {
      ModelSpend m;
      m.model = q.text(0);
      m.cost = q.money(1);
      m.prompt_tokens = q.i64(2);
      m.completion_tokens = q.i64(3);
      m.requests = q.i64(4);
      report.models.push_back(std::move(m));
    }
    return report;
  });
}

std::vector<JournalEntry> SqlStore::journal(const std::string& team_id, const Period& period) {
  return db_->read([&] {
    std::vector<JournalEntry> out;
    auto q = db_->query(
        "SELECT entry_id, kind, key, amount, description, model, provider, consumer_group, prompt_tokens, "
        "completion_tokens, created_at FROM journal WHERE team_id = $1 AND period_start = $2 ORDER BY id",
        {team_id, period.start});
    while (q.next()) {
      JournalEntry e;
      e.entry_id = q.text(0);
      e.kind = q.text(1);
      e.key = q.text(2);
      e.amount = q.money(3);
      e.description = q.text(4);
      e.model = q.text(5);
      e.provider = q.text(6);
      e.consumer_group = q.text(7);
      e.prompt_tokens = q.i64(8);
      e.completion_tokens = q.i64(9);
      e.created_at = q.i64(10);
      out.push_back(std::move(e));
    }
    return out;
  });
}

}  // namespace kt::ledger::sql
