// Pricing, wallets, consumer groups and spend reports. apply() lives in sqlite_apply.cpp and
// the event log in sqlite_events.cpp.
#include "ledger/ledger_rules.hpp"
#include "ledger/sqlite/sqlite_store.hpp"

#include "core/ids.hpp"
#include "ledger/sqlite/sqlite_schema.hpp"

namespace kt::ledger::sqlite {
namespace {

using Mode = Transaction::Mode;

constexpr const char* kWalletColumns = "team_id, currency, budget, spent, reserved, period_start";

Balance balance_from(const Query& q) {
  Balance b;
  b.team_id = q.text(0);
  b.currency = q.text(1);
  b.budget = q.money(2);
  b.spent = q.money(3);
  b.reserved = q.money(4);
  b.period = month_period_of(q.i64(5));
  return b;
}

PricingRow pricing_from(const Query& q) {
  PricingRow r;
  r.model = q.text(0);
  r.provider = q.text(1);
  r.input_per_1k = q.money(2);
  r.output_per_1k = q.money(3);
  r.cached_input_per_1k = q.opt_money(4);
  r.max_output_tokens = q.opt_i64(5);
  r.version = q.i64(6);
  r.updated_at = q.i64(7);
  r.cache_creation_per_1k = q.opt_money(8);
  return r;
}

bool same_price(const PricingInput& a, const PricingInput& b) {
  return a.provider == b.provider && a.input_per_1k == b.input_per_1k && a.output_per_1k == b.output_per_1k &&
         a.cached_input_per_1k == b.cached_input_per_1k && a.max_output_tokens == b.max_output_tokens &&
         a.cache_creation_per_1k == b.cache_creation_per_1k;
}

}  // namespace

SqliteStore::SqliteStore(const std::string& path, int busy_timeout_ms) : db_(path, busy_timeout_ms) {}

void SqliteStore::migrate() { migrate_schema(db_); }

// --- Pricing ----------------------------------------------------------------------------

PricingRow SqliteStore::upsert_pricing(const PricingInput& in, int64_t now) {
  validate_pricing(in);

  Transaction tx(db_, Mode::immediate);
  std::optional<PricingRow> old;
  {
    auto q = db_.query(
        "SELECT model, provider, input_per_1k, output_per_1k, cached_input_per_1k, max_output_tokens, "
        "version, updated_at, cache_creation_per_1k FROM model_pricing WHERE model = ?1",
        in.model);
    if (q.next()) old = pricing_from(q);
  }
  // Re-posting the same price is not a change: the version only moves when the price does.
  if (old && same_price(*old, in)) {
    tx.commit();
    return *old;
  }
  PricingRow row;
  static_cast<PricingInput&>(row) = in;
  row.version = old ? old->version + 1 : 1;
  row.updated_at = now;
  db_.query(
         "INSERT INTO model_pricing(model, provider, input_per_1k, output_per_1k, cached_input_per_1k, "
         "max_output_tokens, version, updated_at, cache_creation_per_1k) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
         "ON CONFLICT(model) DO UPDATE SET provider = excluded.provider, input_per_1k = excluded.input_per_1k, "
         "output_per_1k = excluded.output_per_1k, cached_input_per_1k = excluded.cached_input_per_1k, "
         "max_output_tokens = excluded.max_output_tokens, version = excluded.version, "
         "updated_at = excluded.updated_at, cache_creation_per_1k = excluded.cache_creation_per_1k",
         row.model, row.provider, row.input_per_1k, row.output_per_1k, row.cached_input_per_1k,
         row.max_output_tokens, row.version, row.updated_at, row.cache_creation_per_1k)
      .run();
  db_.query(
         "INSERT INTO model_pricing_history(model, version, provider, input_per_1k, output_per_1k, "
         "cached_input_per_1k, max_output_tokens, effective_from, cache_creation_per_1k) "
         "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
         row.model, row.version, row.provider, row.input_per_1k, row.output_per_1k, row.cached_input_per_1k,
         row.max_output_tokens, row.updated_at, row.cache_creation_per_1k)
      .run();
  tx.commit();
  return row;
}

std::vector<PricingRow> SqliteStore::list_pricing() {
  Transaction tx(db_, Mode::deferred);
  std::vector<PricingRow> out;
  {
    auto q = db_.query(
        "SELECT model, provider, input_per_1k, output_per_1k, cached_input_per_1k, max_output_tokens, "
        "version, updated_at, cache_creation_per_1k FROM model_pricing ORDER BY model");
    while (q.next()) out.push_back(pricing_from(q));
  }
  tx.commit();
  return out;
}

// --- Wallets ----------------------------------------------------------------------------

std::optional<Balance> SqliteStore::wallet_row(const std::string& team_id, int64_t period_start) {
  auto q = db_.query(std::string("SELECT ") + kWalletColumns +
                         " FROM wallets WHERE team_id = ?1 AND period_start = ?2",
                     team_id, period_start);
  if (!q.next()) return std::nullopt;
  return balance_from(q);
}

std::optional<Balance> SqliteStore::current_wallet(const std::string& team_id, int64_t now) {
  Period cur = month_period_of(now);
  if (auto b = wallet_row(team_id, cur.start)) return b;
  std::string currency;
  Money budget;
  {
    auto q = db_.query(
        "SELECT currency, budget FROM wallets WHERE team_id = ?1 AND period_start < ?2 "
        "ORDER BY period_start DESC LIMIT 1",
        team_id, cur.start);
    if (!q.next()) return std::nullopt;
    currency = q.text(0);
    budget = q.money(1);
  }
  // A budget recurs monthly: the new month starts with the same budget, nothing spent.
  db_.query(
         "INSERT INTO wallets(team_id, period_start, period_end, currency, budget, spent, reserved) "
         "VALUES(?1, ?2, ?3, ?4, ?5, 0, 0)",
         team_id, cur.start, cur.end, currency, budget)
      .run();
  Balance b;
  b.team_id = team_id;
  b.currency = currency;
  b.budget = budget;
  b.period = cur;
  return b;
}

Balance SqliteStore::current_or_empty(const std::string& team_id, int64_t now) {
  if (auto b = current_wallet(team_id, now)) return *b;
  Balance b;
  b.team_id = team_id;
  b.period = month_period_of(now);
  return b;
}

void SqliteStore::append_journal(const std::string& entry_id, const std::string& team_id, int64_t period_start,
                          const char* kind, const std::string& key, Money amount, int64_t now,
                          const SettleOp* usage, const std::string* description) {
  std::optional<std::string> model, provider, group, desc;
  std::optional<int64_t> prompt, completion;
  if (usage) {
    model = usage->model;
    provider = usage->provider;
    group = usage->consumer_group;
    prompt = usage->prompt_tokens;
    completion = usage->completion_tokens;
  }
  if (description) desc = *description;
  std::optional<std::string> k;
  if (!key.empty()) k = key;
  db_.query(
         "INSERT INTO journal(entry_id, team_id, period_start, kind, key, amount, description, model, provider, "
         "consumer_group, prompt_tokens, completion_tokens, created_at) "
         "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
         entry_id, team_id, period_start, kind, k, amount, desc, model, provider, group, prompt, completion, now)
      .run();
}

AllocationResult SqliteStore::allocate(const std::string& team_id, Money amount, const std::string& currency,
                                       const std::string& description, int64_t now) {
  if (team_id.empty()) throw StoreError("allocation needs a team_id");
  if (amount.is_negative()) throw StoreError("allocation amount cannot be negative");
  std::string cur_code = currency.empty() ? "USD" : currency;
  Period cur = month_period_of(now);

  Transaction tx(db_, Mode::immediate);
  // Allocation sets the month's budget; what was spent or reserved this month stays.
  db_.query(
         "INSERT INTO wallets(team_id, period_start, period_end, currency, budget, spent, reserved) "
         "VALUES(?1, ?2, ?3, ?4, ?5, 0, 0) "
         "ON CONFLICT(team_id, period_start) DO UPDATE SET budget = excluded.budget, currency = excluded.currency",
         team_id, cur.start, cur.end, cur_code, amount)
      .run();
  AllocationResult result;
  result.entry_id = new_id("alloc_");
  append_journal(result.entry_id, team_id, cur.start, "allocate", "", amount, now, nullptr, &description);
  result.balance = *wallet_row(team_id, cur.start);
  tx.commit();
  return result;
}

std::optional<Balance> SqliteStore::balance(const std::string& team_id, int64_t now) {
  Transaction tx(db_, Mode::immediate);
  auto b = current_wallet(team_id, now);
  tx.commit();
  return b;
}

std::vector<Balance> SqliteStore::list_balances(int64_t now) {
  Period cur = month_period_of(now);
  Transaction tx(db_, Mode::immediate);
  std::vector<std::string> teams;
  {
    auto q = db_.query("SELECT DISTINCT team_id FROM wallets WHERE period_start <= ?1 ORDER BY team_id", cur.start);
    while (q.next()) teams.push_back(q.text(0));
  }
  std::vector<Balance> out;
  out.reserve(teams.size());
  for (const auto& t : teams)
    if (auto b = current_wallet(t, now)) out.push_back(std::move(*b));
  tx.commit();
  return out;
}

// --- Consumer groups --------------------------------------------------------------------

void SqliteStore::register_groups(const std::vector<ConsumerGroup>& groups) {
  Transaction tx(db_, Mode::immediate);
  for (const auto& g : groups)
    db_.query(
           "INSERT INTO consumer_groups(name, team_id) VALUES(?1, ?2) "
           "ON CONFLICT(name) DO UPDATE SET team_id = excluded.team_id",
           g.name, g.team_id)
        .run();
  tx.commit();
}

std::vector<ConsumerGroup> SqliteStore::list_groups() {
  Transaction tx(db_, Mode::deferred);
  std::vector<ConsumerGroup> out;
  {
    auto q = db_.query("SELECT name, team_id FROM consumer_groups ORDER BY name");
    while (q.next()) out.push_back({q.text(0), q.text(1)});
  }
  tx.commit();
  return out;
}

// --- Spend report -----------------------------------------------------------------------

std::optional<SpendReport> SqliteStore::spend(const std::string& team_id, const Period& period, int64_t now) {
  Transaction tx(db_, Mode::immediate);
  // The current month may need rolling forward; a past month is reported as it was kept.
  auto wallet = period.start == month_period_of(now).start ? current_wallet(team_id, now)
                                                           : wallet_row(team_id, period.start);
  if (!wallet) {
    tx.commit();
    return std::nullopt;
  }
  SpendReport report;
  report.balance = std::move(*wallet);
  {
    auto q = db_.query(
        "SELECT model, SUM(amount) AS cost, SUM(prompt_tokens), SUM(completion_tokens), COUNT(*) "
        "FROM journal WHERE team_id = ?1 AND period_start = ?2 AND kind IN ('settle', 'charge') "
        "GROUP BY model ORDER BY cost DESC, model",
        team_id, report.balance.period.start);
    while (q.next()) {
      ModelSpend m;
      m.model = q.text(0);
      m.cost = q.money(1);
      m.prompt_tokens = q.i64(2);
      m.completion_tokens = q.i64(3);
      m.requests = q.i64(4);
      report.models.push_back(std::move(m));
    }
  }
  tx.commit();
  return report;
}

std::vector<JournalEntry> SqliteStore::journal(const std::string& team_id, const Period& period) {
  Transaction tx(db_, Mode::deferred);
  std::vector<JournalEntry> out;
  {
    auto q = db_.query(
        "SELECT entry_id, kind, key, amount, description, model, provider, consumer_group, prompt_tokens, "
        "completion_tokens, created_at FROM journal WHERE team_id = ?1 AND period_start = ?2 ORDER BY id",
        team_id, period.start);
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
      e.prompt_tokens = q.opt_i64(8).value_or(0);
      e.completion_tokens = q.opt_i64(9).value_or(0);
      e.created_at = q.i64(10);
      out.push_back(std::move(e));
    }
  }
  tx.commit();
  return out;
}

}  // namespace kt::ledger::sqlite
