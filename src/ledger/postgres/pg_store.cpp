// Pricing, wallets, consumer groups and spend reports. apply() lives in pg_apply.cpp, the
// event log in pg_events.cpp and verify() in pg_verify.cpp.
#include "ledger/ledger_rules.hpp"
#include "ledger/postgres/pg_store.hpp"

#include "core/ids.hpp"
#include "ledger/postgres/pg_schema.hpp"

namespace kt::ledger::postgres {
namespace {

const std::string kWalletSelect =
    "SELECT team_id, currency, budget, spent, reserved, period_start FROM wallets "
    "WHERE team_id = $1 AND period_start = $2";

Balance balance_from(const Result& q, int row) {
  Balance b;
  b.team_id = q.text(row, 0);
  b.currency = q.text(row, 1);
  b.budget = q.money(row, 2);
  b.spent = q.money(row, 3);
  b.reserved = q.money(row, 4);
  b.period = month_period_of(q.i64(row, 5));
  return b;
}

const std::string kPricingColumns =
    "model, provider, input_per_1k, output_per_1k, cached_input_per_1k, max_output_tokens, version, updated_at, "
    "cache_creation_per_1k";

PricingRow pricing_from(const Result& q, int row) {
  PricingRow r;
  r.model = q.text(row, 0);
  r.provider = q.text(row, 1);
  r.input_per_1k = q.money(row, 2);
  r.output_per_1k = q.money(row, 3);
  r.cached_input_per_1k = q.opt_money(row, 4);
  r.max_output_tokens = q.opt_i64(row, 5);
  r.version = q.i64(row, 6);
  r.updated_at = q.i64(row, 7);
  r.cache_creation_per_1k = q.opt_money(row, 8);
  return r;
}

bool same_price(const PricingInput& a, const PricingInput& b) {
  return a.provider == b.provider && a.input_per_1k == b.input_per_1k && a.output_per_1k == b.output_per_1k &&
         a.cached_input_per_1k == b.cached_input_per_1k && a.max_output_tokens == b.max_output_tokens &&
         a.cache_creation_per_1k == b.cache_creation_per_1k;
}

}  // namespace

PostgresStore::PostgresStore(const std::string& url) : db_(url) {}

void PostgresStore::migrate() { migrate_schema(db_); }

// --- Pricing ----------------------------------------------------------------------------

PricingRow PostgresStore::upsert_pricing(const PricingInput& in, int64_t now) {
  validate_pricing(in);

  return db_.transaction([&] {
    // Versions are read-then-written: replicas changing one model's price take turns.
    db_.query("SELECT pg_advisory_xact_lock(hashtext('keeptrusts.pricing.' || $1::text))", in.model);
    std::optional<PricingRow> old;
    auto q = db_.query("SELECT " + kPricingColumns + " FROM model_pricing WHERE model = $1", in.model);
    if (!q.empty()) old = pricing_from(q, 0);
    // Re-posting the same price is not a change: the version only moves when the price does.
    if (old && same_price(*old, in)) return *old;
    PricingRow row;
    static_cast<PricingInput&>(row) = in;
    row.version = old ? old->version + 1 : 1;
    row.updated_at = now;
    db_.query(
        "INSERT INTO model_pricing(" + kPricingColumns + ") VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9) "
        "ON CONFLICT(model) DO UPDATE SET provider = excluded.provider, input_per_1k = excluded.input_per_1k, "
        "output_per_1k = excluded.output_per_1k, cached_input_per_1k = excluded.cached_input_per_1k, "
        "max_output_tokens = excluded.max_output_tokens, version = excluded.version, "
        "updated_at = excluded.updated_at, cache_creation_per_1k = excluded.cache_creation_per_1k",
        row.model, row.provider, row.input_per_1k, row.output_per_1k, row.cached_input_per_1k,
        row.max_output_tokens, row.version, row.updated_at, row.cache_creation_per_1k);
    db_.query(
        "INSERT INTO model_pricing_history(model, version, provider, input_per_1k, output_per_1k, "
        "cached_input_per_1k, max_output_tokens, effective_from, cache_creation_per_1k) "
        "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        row.model, row.version, row.provider, row.input_per_1k, row.output_per_1k, row.cached_input_per_1k,
        row.max_output_tokens, row.updated_at, row.cache_creation_per_1k);
    return row;
  });
}

std::vector<PricingRow> PostgresStore::list_pricing() {
  return db_.transaction([&] {
    std::vector<PricingRow> out;
    auto q = db_.query("SELECT " + kPricingColumns + " FROM model_pricing ORDER BY model");
    for (int i = 0; i < q.rows(); ++i) out.push_back(pricing_from(q, i));
    return out;
  });
}

// --- Wallets ----------------------------------------------------------------------------

std::optional<Balance> PostgresStore::wallet_row(const std::string& team_id, int64_t period_start) {
  auto q = db_.query(kWalletSelect, team_id, period_start);
  if (q.empty()) return std::nullopt;
  return balance_from(q, 0);
}

std::optional<Balance> PostgresStore::current_wallet(const std::string& team_id, int64_t now) {
  Period cur = month_period_of(now);
  if (auto b = wallet_row(team_id, cur.start)) return b;
  auto q = db_.query(
      "SELECT currency, budget FROM wallets WHERE team_id = $1 AND period_start < $2 "
      "ORDER BY period_start DESC LIMIT 1",
      team_id, cur.start);
  if (q.empty()) return std::nullopt;
  // A budget recurs monthly: the new month starts with the same budget, nothing spent. Another
  // replica may roll the same wallet forward at the same moment: the first insert wins.
  db_.query(
      "INSERT INTO wallets(team_id, period_start, period_end, currency, budget, spent, reserved) "
      "VALUES($1, $2, $3, $4, $5, 0, 0) ON CONFLICT(team_id, period_start) DO NOTHING",
      team_id, cur.start, cur.end, q.text(0, 0), q.money(0, 1));
  return wallet_row(team_id, cur.start);
}

Balance PostgresStore::current_or_empty(const std::string& team_id, int64_t now) {
  if (auto b = current_wallet(team_id, now)) return *b;
  Balance b;
  b.team_id = team_id;
  b.period = month_period_of(now);
  return b;
}

void PostgresStore::append_journal(const std::string& entry_id, const std::string& team_id, int64_t period_start,
                                   const char* kind, const std::string& key, Money amount, int64_t now,
                                   const SettleOp* usage, const std::string* description) {
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
  db_.query(
      "INSERT INTO journal(entry_id, team_id, period_start, kind, key, amount, description, model, provider, "
      "consumer_group, prompt_tokens, completion_tokens, created_at) "
      "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
      entry_id, team_id, period_start, kind, k, amount, desc, model, provider, group, prompt, completion, now);
}

AllocationResult PostgresStore::allocate(const std::string& team_id, Money amount, const std::string& currency,
                                         const std::string& description, int64_t now) {
  if (team_id.empty()) throw StoreError("allocation needs a team_id");
  if (amount.is_negative()) throw StoreError("allocation amount cannot be negative");
  std::string cur_code = currency.empty() ? "USD" : currency;
  Period cur = month_period_of(now);
  return db_.transaction([&] {
    // Allocation sets the month's budget; what was spent or reserved this month stays.
    db_.query(
        "INSERT INTO wallets(team_id, period_start, period_end, currency, budget, spent, reserved) "
        "VALUES($1, $2, $3, $4, $5, 0, 0) "
        "ON CONFLICT(team_id, period_start) DO UPDATE SET budget = excluded.budget, currency = excluded.currency",
        team_id, cur.start, cur.end, cur_code, amount);
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
  Period cur = month_period_of(now);
  return db_.transaction([&] {
    std::vector<std::string> teams;
    auto q = db_.query("SELECT DISTINCT team_id FROM wallets WHERE period_start <= $1 ORDER BY team_id", cur.start);
    for (int i = 0; i < q.rows(); ++i) teams.push_back(q.text(i, 0));
    std::vector<Balance> out;
    out.reserve(teams.size());
    for (const auto& t : teams)
      if (auto b = current_wallet(t, now)) out.push_back(std::move(*b));
    return out;
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
    auto wallet = period.start == month_period_of(now).start ? current_wallet(team_id, now)
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
