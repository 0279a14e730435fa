#pragma once
// The ledger store, written once over the statement layer (db.hpp) for SQLite and PostgreSQL.
//
// Concurrency: each method is one transaction. SQLite has one writer at a time (BEGIN
// IMMEDIATE). On PostgreSQL several API replicas write at once, READ COMMITTED: a reserve or a
// lease grant is one guarded UPDATE (... WHERE budget - spent - reserved - leased >= amount), which
// PostgreSQL re-checks on the newest row version after waiting for a concurrent writer; each
// idempotency key is claimed by INSERT ... ON CONFLICT DO NOTHING (or locked with SELECT ... FOR
// UPDATE) before money moves, so the same op sent to two replicas at once moves money once; a
// batch locks the wallets it touches up front in one order. The row locks are written in the SQL
// and dropped by the SQLite dialect, where the write lock already covers them.
//
// A wallet row exists per (team, period), cut by the team's PeriodSpec (wallet_settings; default
// monthly in UTC); when an operation needs the current period's wallet and only an older one
// exists, the new period's row is created with the latest allocated budget (without that
// period's credits) and currency carried over and nothing spent or reserved.
//
// Thread-safety: one SqlStore (one connection) is used by one caller at a time; the API's store
// executor keeps one (SQLite) or a pool (PostgreSQL).
#include <utility>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/ledger_rules.hpp"
#include "ledger/sql/db.hpp"
#include "ledger/store.hpp"

namespace kt::ledger::sql {

// Every row of `sql` (a read transaction), each made by `from(rows)`.
template <class From>
auto read_rows(Db& db, const std::string& sql, From from) {
  return db.read([&] {
    std::vector<decltype(from(std::declval<const Rows&>()))> out;
    auto q = db.query(sql);
    while (q.next()) out.push_back(from(q));
    return out;
  });
}

// Records last uses of API tokens or consumer keys (`table`), never moving one back.
void touch_last_used(Db& db, const char* table, const std::vector<TokenUse>& uses);

class SqlStore final : public Store {
 public:
  // Does not migrate: open_store() does.
  explicit SqlStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}

  bool set_socket_waiter(SocketWaiter* w) override { return db_->set_socket_waiter(w); }
  void migrate() override;

  // store_pricing.cpp
  PricingRow upsert_pricing(const PricingInput& in, int64_t now) override;
  std::vector<PricingRow> list_pricing() override;
  std::vector<PricingRow> pricing_at(int64_t at) override;
  std::vector<PricingRow> scheduled_pricing(int64_t now) override;
  std::optional<PricingRow> pricing_version(const std::string& model, int64_t version) override;

  // store_wallets.cpp
  AllocationResult allocate(const std::string& team_id, Money amount, const std::string& currency,
                            const std::string& description, int64_t now,
                            const std::optional<PeriodSpec>& period = std::nullopt) override;
  PeriodSpec period_spec(const std::string& team_id) override;
  std::optional<AllocationResult> credit(const std::string& team_id, Money amount, const std::string& description,
                                         int64_t now) override;
  std::optional<Balance> balance(const std::string& team_id, int64_t now) override;
  std::vector<Balance> list_balances(int64_t now) override;
  void register_groups(const std::vector<ConsumerGroup>& groups) override;
  std::vector<ConsumerGroup> list_groups() override;
  std::optional<SpendReport> spend(const std::string& team_id, const Period& period, int64_t now) override;
  std::vector<JournalEntry> journal(const std::string& team_id, const Period& period) override;

  // store_forecast.cpp
  SpendHistory spend_history(const std::string& team_id, int64_t now) override;

  // store_apply.cpp (reserve, settle, release) and store_leases.cpp
  std::vector<OpResult> apply(const std::vector<LedgerOp>& ops, int64_t now) override;
  ExpiryReport expire(int64_t now, int64_t reservation_ttl_seconds, int64_t lease_grace_seconds) override;

  // store_log.cpp
  LogApplyResult apply_log(const LogBatch& batch, int64_t now) override;
  std::vector<GatewayLogState> gateway_logs(int64_t closed_since) override;

  // store_tokens.cpp
  ApiToken create_api_token(const ApiToken& token, int64_t now) override;
  std::optional<ApiToken> revoke_api_token(const std::string& id, int64_t now) override;
  std::vector<ApiToken> list_api_tokens() override;
  void touch_api_tokens(const std::vector<TokenUse>& uses) override;
  // store_consumer_keys.cpp
  ConsumerKeyRow create_consumer_key(const ConsumerKeyRow& key, int64_t now) override;
  std::optional<ConsumerKeyRow> revoke_consumer_key(const std::string& id, int64_t now) override;
  std::optional<std::pair<ConsumerKeyRow, ConsumerKeyRow>> rotate_consumer_key(const std::string& id, const ConsumerKeyRow& fresh,
                                                                              int64_t old_expires_at, int64_t now) override;
  std::vector<ConsumerKeyRow> list_consumer_keys() override;
  void fill_key_spend(std::vector<ConsumerKeyRow>& keys, int64_t now) override;
  void touch_consumer_keys(const std::vector<TokenUse>& uses) override;
  std::vector<RateGrant> grant_rate(const std::vector<RateGrantAsk>& asks, int64_t now_ms) override;
  void return_rate(const std::vector<RateReturn>& returns) override;

  // store_events.cpp, store_verify.cpp
  void insert_events(const std::vector<EventRecord>& events) override;
  std::vector<StoredEvent> query_events(const EventQuery& q) override;
  std::optional<StoredEvent> event_by_id(const std::string& id) override;
  // store_export.cpp, store_rollups.cpp
  std::vector<StoredEvent> export_events(const EventExportQuery& q) override;
  std::vector<SpendRow> spend_by(const std::string& team_id, const Period& period, SpendGrouping by) override;
  VerifyReport verify(const VerifyOptions& options) override;
  // store_rollups.cpp
  int64_t prune_events(int64_t before_micros, int64_t limit) override;

 private:
  // Wallet helpers; callers hold a transaction.
  std::optional<Balance> wallet_row(const std::string& team_id, int64_t period_start);
  std::optional<Balance> current_wallet(const std::string& team_id, int64_t now);
  Balance current_or_empty(const std::string& team_id, int64_t now);
  PeriodSpec load_spec(const std::string& team_id);
  Money credits_of(const std::string& team_id, int64_t period_start);
  void lock_wallet(const std::string& team_id, int64_t period_start);
  void append_journal(const std::string& entry_id, const std::string& team_id, int64_t period_start,
                      const char* kind, const std::string& key, Money amount, int64_t now,
                      const SettleOp* usage = nullptr, const std::string* description = nullptr,
                      const std::string* lease_id = nullptr, std::optional<Money> estimate = std::nullopt);
  std::optional<Reservation> lock_reservation(const std::string& key);
  // store_key_budgets.cpp: a consumer key's own budget, held in the reservation's transaction.
  struct KeyBudget {
    std::string budget_key;  // whose key_spend row counts
    int64_t period_start = 0;
    Money budget;
  };
  std::optional<KeyBudget> key_budget_of(const std::string& key_id, int64_t now);
  bool hold_key_budget(const KeyBudget& k, Money amount);  // false: it does not fit
  void move_key_budget(const std::string& budget_key, int64_t period_start, Money spent, Money reserved);
  std::vector<int> fire_alerts(const std::string& team_id, int64_t period_start,
                               const std::vector<int>& thresholds, int64_t now);
  // The projected_exhaustion alert (store_forecast.cpp): the date at which the wallet runs out at
  // its recent pace, the first time in the period that it falls before the period's end; checked
  // at most once a minute per team by this connection.
  std::optional<int64_t> fire_projected_exhaustion(const std::string& team_id, int64_t period_start, int64_t now);
  SpendHistory read_spend_history(const std::string& team_id, int64_t now);

  // One op each, inside apply()'s transaction.
  OpResult reserve(const ReserveOp& op, int64_t now);
  OpResult settle(const SettleOp& op, int64_t now);
  OpResult release(const ReleaseOp& op, int64_t now);
  OpResult lease_acquire(const LeaseAcquireOp& op, int64_t now);
  OpResult lease_renew(const LeaseRenewOp& op, int64_t now);
  OpResult lease_return(const LeaseReturnOp& op, int64_t now);
  OpResult settle_on_lease(const SettleOp& op, int64_t now);
  std::optional<LeaseState> find_lease(const std::string& lease_id, std::string* team_id = nullptr,
                                       int64_t* period_start = nullptr, bool lock = false);

  // Spend rollups (store_rollups.cpp). roll_up() adds a settle or charge journal line to the
  // transaction's pending sums; flush_rollups() writes them, one upsert per key, before the
  // transaction that wrote the lines commits. Writers that journal spend start with
  // rollups_.clear() (a retried or failed transaction leaves nothing behind).
  struct RollupKey {
    std::string team;
    int64_t period_start = 0, hour_start = 0;
    std::string model, group;
    auto operator<=>(const RollupKey&) const = default;
  };
  struct RollupSum {
    Money cost;
    int64_t prompt_tokens = 0, completion_tokens = 0, requests = 0;
  };
  void roll_up(std::string_view team, int64_t period_start, int64_t at, std::string_view model,
               std::string_view group, Money cost, int64_t prompt_tokens, int64_t completion_tokens);
  void flush_rollups();
  // Issues for rollups that differ from their journal lines (inside verify's read transaction).
  void audit_rollups(VerifyReport& report);
  Money journal_spend_between(const std::string& team_id, int64_t after, int64_t before);

  // Applying a log batch (store_log.cpp): what it has moved so far, written at flush.
  struct LogApply;
  void apply_log_record(LogApply& a, const LogRecord& r, int64_t now);
  void settle_log_on_lease(LogApply& a, const LogRecord& r, int64_t now);
  void flush_log_apply(LogApply& a, int64_t now);
  void close_log(const std::string& log_id, int64_t now);

  std::unique_ptr<Db> db_;
  std::map<std::string, int64_t, std::less<>> exhaustion_checked_at_;  // team -> unix seconds
  std::map<RollupKey, RollupSum> rollups_;  // spend journaled in this transaction, not yet upserted
};

}  // namespace kt::ledger::sql
