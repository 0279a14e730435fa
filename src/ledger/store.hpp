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
  // Unix seconds from which this price is in force (until the model's next version's). Unset on
  // input: from now. Always set in rows read back from a store.
  std::optional<int64_t> effective_from;
};

struct PricingRow : PricingInput {
  int64_t version = 0;     // increments on every change of this model's price
  int64_t updated_at = 0;  // unix seconds: when this version was entered
};

// An upsert that would rewrite history: its effective_from lies in the past and before the
// effective_from of the model's latest version. Nothing was changed.
struct PricingConflict : StoreError {
  using StoreError::StoreError;
};

struct Balance {
  std::string team_id;
  std::string currency = "USD";
  Money budget, spent, reserved;
  Money leased;  // slices of the budget held by gateways (budget leases), not yet spent
  Period period;
  Money remaining() const { return budget - spent - reserved - leased; }
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
  std::string lease_id;     // reserved in-process against this lease (empty: a store reservation)
  Money estimate;           // lease settles: what was held in-process (kept for verify's overrun)
};

struct ReleaseOp {
  std::string key;
  std::string team_id;
};

// --- Budget leases --------------------------------------------------------------------
// A gateway worker leases a slice of a wallet's remaining budget, then reserves, settles and
// releases against it in-process; only settles travel to the API (batched, as SettleOps that
// name the lease). wallets.leased is the sum of the active leases' unconsumed amounts, so the
// store's guard (budget - spent - reserved - leased >= grant) keeps every lease inside the budget.

struct LeaseAcquireOp {
  std::string lease_id;      // chosen by the gateway, unique: the op's idempotency key
  std::string team_id;
  std::string holder;        // which gateway process holds it (for operators)
  Money want;                // what the gateway would like (its recent burn over a refill window)
  Money min;                 // the request waiting for it: a smaller lease is of no use
  int64_t ttl_seconds = 60;  // the lease returns by itself if not renewed within this
  int block_at_percent = 0;  // as ReserveOp
};

struct LeaseRenewOp {
  std::string lease_id, team_id;
  int64_t ttl_seconds = 60;
};

// Gives back what the lease has not consumed. The gateway sends it only after every settle of
// the lease (same queue, same order), so the store's count of what was consumed is final.
struct LeaseReturnOp {
  std::string lease_id, team_id;
};

struct LeaseState {
  std::string id;
  std::string state;        // active | returned | expired | refused
  Money amount, consumed;   // granted; settled against it
  int64_t expires_at = 0;   // unix seconds
  int64_t period_end = 0;   // the wallet period it belongs to ends here: stop using it then
};

enum class ReserveStatus { reserved, insufficient, blocked, no_wallet };

struct OpResult {
  bool replay = false;                 // the key was seen before: nothing changed
  ReserveStatus reserve_status = ReserveStatus::reserved;  // reserve ops only
  Balance balance;                     // the team's balance after the op
  std::vector<int> fired_thresholds;   // settle ops: thresholds that fired now, once per period
  std::optional<LeaseState> lease;     // lease ops: the lease after the op
};

struct LedgerOp {
  enum class Kind { reserve, settle, release, lease_acquire, lease_renew, lease_return } kind;
  ReserveOp reserve;
  SettleOp settle;
  ReleaseOp release;
  LeaseAcquireOp lease_acquire;
  LeaseRenewOp lease_renew;
  LeaseReturnOp lease_return;
  const std::string& team_id() const;
};

// Returns to the budget what is no longer held by anybody: leases past their expiry or whose
// period ended (a killed gateway's), and store reservations held longer than the TTL.
struct ExpiryReport {
  int64_t leases = 0, reservations = 0;
  Money returned;
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
  std::string kind;         // allocate | credit | reserve | settle | release | charge
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
  int64_t wallets = 0, journal_entries = 0, held_reservations = 0, active_leases = 0, events = 0;
  int64_t violations() const;
  int64_t warnings() const;
};

// How a store that talks to a database server waits for its socket. Without one it blocks its
// thread (poll); the API plugs in a waiter that suspends only the calling coroutine, so one
// thread drives many connections' queries at once.
class SocketWaiter {
 public:
  virtual ~SocketWaiter() = default;
  virtual void wait_readable(int fd) = 0;
  virtual void wait_writable(int fd) = 0;
  virtual void sleep_ms(int ms) = 0;  // a retry's back-off
};

class Store {
 public:
  virtual ~Store() = default;

  // Uses `w` for every wait until called again (nullptr: block). Returns false when the store
  // has no socket to wait on (SQLite: calls block on the file and must own a thread).
  virtual bool set_socket_waiter(SocketWaiter* w) { return false; }

  virtual void migrate() = 0;

  // Each change is a new version, in force from in.effective_from (default `now`); the same price
  // again (already in force by then) is no change. Throws PricingConflict for a past
  // effective_from earlier than the model's latest version's.
  virtual PricingRow upsert_pricing(const PricingInput& in, int64_t now) = 0;
  // The latest version of every model (the last change, whether or not in force yet).
  virtual std::vector<PricingRow> list_pricing() = 0;
  // The version of every model in force at `at` (unix seconds), from the price history; models
  // without a version by then are absent. Not pure, like journal().
  virtual std::vector<PricingRow> pricing_at(int64_t at) { throw StoreError("this store has no price history"); }
  // Versions taking effect after `now`, by model then effective_from.
  virtual std::vector<PricingRow> scheduled_pricing(int64_t now) {
    throw StoreError("this store has no price history");
  }

  // Sets the team's budget for the period containing `now` (creating the wallet), and keeps
  // the allocation as a journal entry with its description.
  virtual AllocationResult allocate(const std::string& team_id, Money amount, const std::string& currency,
                                    const std::string& description, int64_t now,
                                    const std::optional<PeriodSpec>& period = std::nullopt) = 0;
  virtual std::optional<Balance> balance(const std::string& team_id, int64_t now) = 0;
  virtual std::vector<Balance> list_balances(int64_t now) = 0;

  // Applies gateway ops in order in one transaction; one result per op.
  virtual std::vector<OpResult> apply(const std::vector<LedgerOp>& ops, int64_t now) = 0;

  // Expires leases and held reservations nobody will settle (see ExpiryReport). The API runs it
  // every second; each expiry is a journal entry. Not pure, like journal().
  virtual ExpiryReport expire(int64_t now, int64_t reservation_ttl_seconds) {
    throw StoreError("this store cannot expire leases");
  }

  virtual void register_groups(const std::vector<ConsumerGroup>& groups) = 0;
  virtual std::vector<ConsumerGroup> list_groups() = 0;

  virtual std::optional<SpendReport> spend(const std::string& team_id, const Period& period, int64_t now) = 0;

  // Budget periods (issue 4). `period` on allocate, when given, sets how the team's wallet
  // cuts time (kind and time zone) from the period containing `now` on; without it the
  // team keeps its spec (monthly UTC by default). The spec of a team:
  virtual PeriodSpec period_spec(const std::string& team_id) { return {}; }
  // Adds `amount` to the budget of the team's current period as a 'credit' journal entry (a
  // prepaid wallet's top-up; for recurring kinds an extra for this period only: the next
  // period starts again from the allocated budget). nullopt when the team has no wallet.
  virtual std::optional<AllocationResult> credit(const std::string& team_id, Money amount,
                                                 const std::string& description, int64_t now) {
    throw StoreError("this store cannot credit a wallet");
  }

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
  Money leased;                // the wallet's cached figure
  Money active_leases;         // what the active leases have not consumed
  std::string period_label;    // "2026-04", "2026-W15", "2026-04-12", "all"
};
// The label of the period starting at `period_start` for a wallet of that kind and zone.
std::string period_label_of(const std::string& kind, const std::string& timezone, int64_t period_start);
struct ActiveLease {
  std::string id, team_id;
  int64_t period_start = 0, expires_at = 0;
  Money unconsumed;
};
struct HeldReservation {
  std::string key, team_id;
  int64_t period_start = 0, created_at = 0;
  Money amount;
};
// Turns the figures into issues (same rules for every store).
void audit_wallet(const WalletAudit& w, VerifyReport& report);
void audit_held(const HeldReservation& r, const VerifyOptions& options, VerifyReport& report);
// A lease still active well past its expiry: nobody returned it (the API's expiry sweep runs
// every second while an API process is up).
void audit_lease(const ActiveLease& l, const VerifyOptions& options, VerifyReport& report);

}  // namespace kt::ledger
