#pragma once
// The ledger store interface: every money movement, price and event the API keeps.
// Implementations (sqlite/, later postgres/) are synchronous and are called from the API's
// store executor, never from an I/O thread. Each method is one transaction.
//
// Money moves only through journal entries keyed by an idempotency key
// ("<request_id>:<attempt>"): replaying an entry returns the first outcome and changes nothing.
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/money.hpp"
#include "core/period.hpp"

namespace kt::ledger {

struct StoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct PricingInput {
  std::string model, provider;
  Money input_per_1k, output_per_1k;
  std::optional<Money> cached_input_per_1k;
  std::optional<int64_t> max_output_tokens;
};

struct PricingRow : PricingInput {
  int64_t version = 0;     // increments on every change of this model's price
  int64_t updated_at = 0;  // unix seconds
};

struct Balance {
  std::string team_id;
  std::string currency = "USD";
  Money budget, spent, reserved;
  Period period;
  Money remaining() const { return budget - spent - reserved; }
};

struct AllocationResult {
  std::string entry_id;
  Balance balance;
};

// --- Gateway operations, applied in order, each atomic ---------------------------------

struct ReserveOp {
  std::string key;          // request id + attempt
  std::string team_id;
  Money amount;             // the estimate
  int block_at_percent = 0; // >0: refuse once spent*100 >= budget*percent (a "block" alert)
};

struct SettleOp {
  std::string key;          // same key as the reservation (a settle without one charges directly)
  std::string team_id;
  Money actual;
  std::string model, provider, consumer_group;
  int64_t prompt_tokens = 0, completion_tokens = 0;
  std::vector<int> alert_thresholds;  // notify thresholds (percent) to check after this spend
};

struct ReleaseOp {
  std::string key;
  std::string team_id;
};

enum class ReserveStatus { reserved, insufficient, blocked, no_wallet };

struct OpResult {
  bool replay = false;                 // the key was seen before: nothing changed
  ReserveStatus reserve_status = ReserveStatus::reserved;  // reserve ops only
  Balance balance;                     // the team's balance after the op
  std::vector<int> fired_thresholds;   // settle ops: thresholds that fired now, once per period
};

struct LedgerOp {
  enum class Kind { reserve, settle, release } kind;
  ReserveOp reserve;
  SettleOp settle;
  ReleaseOp release;
};

// --- Reporting --------------------------------------------------------------------------

struct ModelSpend {
  std::string model;
  Money cost;
  int64_t prompt_tokens = 0, completion_tokens = 0, requests = 0;
};

struct SpendReport {
  Balance balance;
  std::vector<ModelSpend> models;  // sorted by cost desc, then model name
};

struct EventRecord {
  std::string id;
  std::string type;       // "decision" or "alert"
  int64_t ts_micros = 0;
  std::string team_id, consumer_group;
  std::string json;       // the whole event, already serialised
};

struct EventQuery {
  int64_t last = 20;
  std::optional<std::string> team_id, consumer_group;
  std::string type = "decision";  // decision | alert | all
  int64_t after_seq = 0;           // for --follow: only events stored after this sequence
};

struct StoredEvent {
  int64_t seq = 0;
  std::string json;
};

struct ConsumerGroup {
  std::string name, team_id;
};

// One line of a wallet's journal (allocations, reservations, settlements, releases, charges).
struct JournalEntry {
  std::string entry_id;
  std::string kind;         // allocate | reserve | settle | release | charge
  std::string key;          // idempotency key; empty for allocations
  Money amount;
  std::string description;  // allocations
  std::string model, provider, consumer_group;  // settle and charge
  int64_t prompt_tokens = 0, completion_tokens = 0;
  int64_t created_at = 0;   // unix seconds
};

class Store {
 public:
  virtual ~Store() = default;

  virtual void migrate() = 0;

  virtual PricingRow upsert_pricing(const PricingInput& in, int64_t now) = 0;
  virtual std::vector<PricingRow> list_pricing() = 0;

  // Sets the team's budget for the period containing `now` (creating the wallet), and keeps
  // the allocation as a journal entry with its description.
  virtual AllocationResult allocate(const std::string& team_id, Money amount, const std::string& currency,
                                    const std::string& description, int64_t now) = 0;
  virtual std::optional<Balance> balance(const std::string& team_id, int64_t now) = 0;
  virtual std::vector<Balance> list_balances(int64_t now) = 0;

  // Applies gateway ops in order in one transaction; one result per op.
  virtual std::vector<OpResult> apply(const std::vector<LedgerOp>& ops, int64_t now) = 0;

  virtual void register_groups(const std::vector<ConsumerGroup>& groups) = 0;
  virtual std::vector<ConsumerGroup> list_groups() = 0;

  virtual std::optional<SpendReport> spend(const std::string& team_id, const Period& period, int64_t now) = 0;

  // The team's journal for one period, oldest first. Not pure so that test doubles of Store
  // need not implement it.
  virtual std::vector<JournalEntry> journal(const std::string& team_id, const Period& period) {
    throw StoreError("this store cannot list its journal");
  }

  // Inserting an event id twice keeps the first (batches may be re-sent after a timeout).
  virtual void insert_events(const std::vector<EventRecord>& events) = 0;
  virtual std::vector<StoredEvent> query_events(const EventQuery& q) = 0;
};

// "sqlite:/path/file.db", "sqlite::memory:" (later "postgresql://..."). Throws StoreError with
// a clear message for an unknown scheme or a database that cannot be opened.
std::unique_ptr<Store> open_store(const std::string& url);

}  // namespace kt::ledger
