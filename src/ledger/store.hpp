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
  std::optional<Money> cache_creation_per_1k;  // Anthropic cache writes; default: the input price
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

// --- Verification (kt ledger verify) ------------------------------------------------------

struct VerifyOptions {
  int64_t now = 0;                       // unix seconds
  int64_t reservation_ttl_seconds = 900; // a reservation held longer than this is a violation
};

struct VerifyIssue {
  enum class Severity { warning, violation } severity = Severity::violation;
  std::string team_id;
  std::string period;   // "2026-04"
  std::string message;  // what does not add up, with the figures
};

struct VerifyReport {
  std::vector<VerifyIssue> issues;
  int64_t wallets = 0, journal_entries = 0, held_reservations = 0, events = 0;
  int64_t violations() const;
  int64_t warnings() const;
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

  // Checks the ledger's invariants for every wallet and period: spent equals the settle and
  // charge entries of its journal; reserved equals the held reservations and the reserve
  // entries not yet settled or released; no negative remaining (a warning when settles over
  // their estimate, direct charges or a lowered budget explain it); no reservation held longer
  // than the TTL. Not pure, like journal().
  virtual VerifyReport verify(const VerifyOptions& options) {
    throw StoreError("this store cannot verify its ledger");
  }

  // Inserting an event id twice keeps the first (batches may be re-sent after a timeout).
  virtual void insert_events(const std::vector<EventRecord>& events) = 0;
  virtual std::vector<StoredEvent> query_events(const EventQuery& q) = 0;
};

// "sqlite:/path/file.db", "sqlite::memory:", "postgresql://user[:password]@host[:port]/db"
// (also "postgres://"). Migrates before returning. Throws StoreError with a clear message for
// an unknown scheme or a database that cannot be opened; the message never holds a password.
std::unique_ptr<Store> open_store(const std::string& url);

// The URL fit for a log line: "postgresql://kt:***@db:5432/kt" (the password masked).
std::string redact_database_url(const std::string& url);

// Shared by the stores' verify(): the per-wallet figures each store reads with its own SQL.
struct WalletAudit {
  std::string team_id;
  int64_t period_start = 0;
  Money budget, spent, reserved;
  Money journal_spent;         // settle + charge entries
  Money held_reservations;     // reservations in state 'held'
  Money journal_open_reserves; // reserve entries without a settle or release entry
  Money overrun;               // settles above their estimate, plus direct charges
  Money max_allocated;         // the largest budget allocated in the period
};
struct HeldReservation {
  std::string key, team_id;
  int64_t period_start = 0, created_at = 0;
  Money amount;
};
// Turns the figures into issues (same rules for every store).
void audit_wallet(const WalletAudit& w, VerifyReport& report);
void audit_held(const HeldReservation& r, const VerifyOptions& options, VerifyReport& report);

}  // namespace kt::ledger
