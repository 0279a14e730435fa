#pragma once
// The PostgreSQL ledger store: the same tables and semantics as the SQLite store, for several
// API replicas on one database.
//
// Concurrency: each method is one READ COMMITTED transaction. A reserve is one guarded
// UPDATE (... WHERE budget - spent - reserved - leased >= amount), which PostgreSQL re-checks on the
// newest row version after waiting for a concurrent writer, so replicas never over-commit.
// Each idempotency key is claimed by INSERT ... ON CONFLICT DO NOTHING (or locked with
// SELECT ... FOR UPDATE) before money moves, so the same op sent to two replicas at once
// moves money once. Deadlocks between batches touching several wallets are retried whole.
//
// Thread-safety: one PostgresStore (one connection) is used by one caller at a time; the API's
// store executor keeps a pool of them and drives their queries from one Asio thread. Periods follow each team's PeriodSpec, rolled forward like the SQLite store.
#include <optional>
#include <string>

#include "ledger/postgres/pg_connection.hpp"
#include "ledger/store.hpp"

namespace kt::ledger::postgres {

class PostgresStore final : public Store {
 public:
  // Connects; does not migrate (open_store() does).
  explicit PostgresStore(const std::string& url);

  void migrate() override;
  bool set_socket_waiter(SocketWaiter* w) override {
    db_.set_waiter(w);
    return true;
  }

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
  VerifyReport verify(const VerifyOptions& options) override;
  ExpiryReport expire(int64_t now, int64_t reservation_ttl_seconds) override;  // *_lease.cpp

  void insert_events(const std::vector<EventRecord>& events) override;
  std::vector<StoredEvent> query_events(const EventQuery& q) override;

 private:
  // Wallet helpers; callers hold a transaction.
  std::optional<Balance> wallet_row(const std::string& team_id, int64_t period_start);
  std::optional<Balance> current_wallet(const std::string& team_id, int64_t now);
  Balance current_or_empty(const std::string& team_id, int64_t now);
  void append_journal(const std::string& entry_id, const std::string& team_id, int64_t period_start,
                      const char* kind, const std::string& key, Money amount, int64_t now,
                      const SettleOp* usage = nullptr, const std::string* description = nullptr,
                      const std::string* lease_id = nullptr);

  // One op each (pg_apply.cpp), inside apply()'s transaction.
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

}  // namespace kt::ledger::postgres
