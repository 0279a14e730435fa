#pragma once
// The SQLite ledger store.
//
// Thread-safety: one SqliteStore (one connection) must be used by one thread at a time; the
// API runs it on its store executor. Several SqliteStore objects (in threads or processes) may
// share one database file: every write runs in BEGIN IMMEDIATE under a busy timeout, so they
// serialise instead of failing.
//
// A wallet row exists per (team, period), cut by the team's PeriodSpec (wallet_settings; default
// monthly in UTC); when an operation needs the current period's wallet and only an older one
// exists, the new period's row is created with the latest allocated budget (without that
// period's credits) and currency carried over and nothing spent or reserved.
#include <memory>
#include <optional>
#include <string>

#include "ledger/sqlite/sqlite_db.hpp"
#include "ledger/store.hpp"

namespace kt::ledger::sqlite {

class SqliteStore final : public Store {
 public:
  // `path` is a file path or ":memory:". Does not migrate: open_store() does.
  explicit SqliteStore(const std::string& path, int busy_timeout_ms = 10000);

  void migrate() override;

  PricingRow upsert_pricing(const PricingInput& in, int64_t now) override;
  std::vector<PricingRow> list_pricing() override;
  std::vector<PricingRow> pricing_at(int64_t at) override;
  std::vector<PricingRow> scheduled_pricing(int64_t now) override;

  AllocationResult allocate(const std::string& team_id, Money amount, const std::string& currency,
                            const std::string& description, int64_t now,
                            const std::optional<PeriodSpec>& period = std::nullopt) override;
  PeriodSpec period_spec(const std::string& team_id) override;
  std::optional<AllocationResult> credit(const std::string& team_id, Money amount, const std::string& description,
                                         int64_t now) override;
  std::optional<Balance> balance(const std::string& team_id, int64_t now) override;
  std::vector<Balance> list_balances(int64_t now) override;

  std::vector<OpResult> apply(const std::vector<LedgerOp>& ops, int64_t now) override;

  void register_groups(const std::vector<ConsumerGroup>& groups) override;
  std::vector<ConsumerGroup> list_groups() override;

  std::optional<SpendReport> spend(const std::string& team_id, const Period& period, int64_t now) override;
  std::vector<JournalEntry> journal(const std::string& team_id, const Period& period) override;
  VerifyReport verify(const VerifyOptions& options) override;  // sqlite_verify.cpp
  ExpiryReport expire(int64_t now, int64_t reservation_ttl_seconds) override;  // sqlite_lease.cpp

  void insert_events(const std::vector<EventRecord>& events) override;
  std::vector<StoredEvent> query_events(const EventQuery& q) override;

 private:
  // Wallet helpers; callers hold a transaction (a write one for current_wallet).
  std::optional<Balance> wallet_row(const std::string& team_id, int64_t period_start);
  std::optional<Balance> current_wallet(const std::string& team_id, int64_t now);
  Balance current_or_empty(const std::string& team_id, int64_t now);
  void append_journal(const std::string& entry_id, const std::string& team_id, int64_t period_start,
               const char* kind, const std::string& key, Money amount, int64_t now,
               const SettleOp* usage = nullptr, const std::string* description = nullptr,
                      const std::string* lease_id = nullptr);

  // One op each (sqlite_apply.cpp), inside apply()'s transaction.
  OpResult reserve(const ReserveOp& op, int64_t now);
  OpResult settle(const SettleOp& op, int64_t now);
  OpResult release(const ReleaseOp& op, int64_t now);
  // Budget leases (*_lease.cpp).
  OpResult lease_acquire(const LeaseAcquireOp& op, int64_t now);
  OpResult lease_renew(const LeaseRenewOp& op, int64_t now);
  OpResult lease_return(const LeaseReturnOp& op, int64_t now);
  OpResult settle_on_lease(const SettleOp& op, int64_t now);
  std::optional<LeaseState> find_lease(const std::string& lease_id, std::string* team_id = nullptr,
                                       int64_t* period_start = nullptr, bool lock = false);
  std::vector<int> fire_alerts(const std::string& team_id, int64_t period_start,
                               const std::vector<int>& thresholds, int64_t now);

  Connection db_;
};

}  // namespace kt::ledger::sqlite
