#pragma once
// The ledger's value types: prices, balances, gateway operations and their results, reports,
// events. Layers above the store (the API's wire format, the gateway) use these without the
// Store interface (store.hpp).
#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.hpp"
#include "core/secrets.hpp"
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
  std::string log_id;       // the gateway log whose records will settle it (empty: none)
  std::string key_id;       // the API-made consumer key (ck_...) whose own budget must fit too (empty: none)
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
  std::string log_id;        // as ReserveOp: a closed log's leases go back at once
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

// key_budget: the team's wallet had room, the consumer key's own budget did not.
enum class ReserveStatus { reserved, insufficient, blocked, no_wallet, key_budget };

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

// --- The gateway's durable log ---------------------------------------------------------
// A gateway worker appends what it owes the ledger to a local log (src/spool/) before it forgets
// a request, and ships the log in order. The store applies each log once: it keeps, per log, the
// highest sequence number applied, so a batch re-sent after a timeout, or a whole log shipped
// again after a crash, changes nothing twice.

// One record, as the store reads it. Text fields point into the shipped batch.
struct LogRecord {
  enum class Kind {
    intent,        // a request was held (lease) or reserved and is being forwarded
    settle,        // its answer's cost (plus its decision event)
    release,       // nothing was served (plus its decision event)
    event,         // an event without money (a refusal, an alert)
    lease,         // a lease was granted to this log's worker (recovery's bookkeeping)
    lease_return,  // the worker gives back a lease's unconsumed part, after all its settles
    close,         // the log will never be written again: whatever it still holds goes back
    invalid        // a record the store cannot apply: kept in log_rejects, skipped
  } kind = Kind::invalid;
  int64_t seq = 0;
  std::string_view key, team_id, lease_id, model, provider, consumer_group, request_id;
  Money amount;    // settle: the actual cost; intent: what was held; lease: what was granted
  Money estimate;  // settle: what was held for it
  int64_t prompt_tokens = 0, completion_tokens = 0;
  // settle, release: how the request was held — on a lease (lease_id), by a reservation at the
  // API under `key` (reserved), or not at all (enforcement off: a settle is a direct charge).
  bool reserved = false;
  bool recovered = false;  // settle: billed at its reservation by recovery (the answer was never seen)
  // The event it carries (settle, release, event): its row's columns and its JSON text.
  std::string_view event_id, event_type, event_json;
  int64_t ts_micros = 0;
  std::string_view raw;    // the record's JSON (kept for a rejected one)
  std::string reject_reason;
};

// Answered but not yet applied, per team, as the gateway reported it.
struct TeamPending {
  std::string team_id;
  Money amount;
  int64_t records = 0;
};

struct LogBatch {
  std::string log_id, holder;
  int64_t through_seq = 0;  // the batch stands for every record up to this one (intents are not sent)
  int64_t head_seq = 0;     // the last record the gateway had written when it sent the batch
  int64_t unapplied_records = 0, unapplied_bytes = 0;  // what will remain once this batch is applied
  std::vector<TeamPending> pending;                    // the same, per team
  std::vector<int> alert_thresholds;                   // notify thresholds of the gateway's config
  std::vector<LogRecord> records;
  std::deque<std::string> unescaped;  // the few record texts that had JSON escapes (records point here)
};

struct LogTeamResult {
  std::string team_id;
  Balance balance;           // after the batch
  std::vector<int> fired;    // alert thresholds that fired now
  Money settled;             // what this batch settled for the team
  // The projected_exhaustion alert fired now (once per team and period): when the budget runs
  // out at the team's recent pace (unix seconds), before the period's end.
  std::optional<int64_t> exhausts_at;
};

struct LogApplyResult {
  int64_t applied_seq = 0;   // the log's high-water mark after the batch
  int64_t applied = 0, skipped = 0, rejected = 0;
  std::vector<LogTeamResult> teams;
};

// A gateway log as the store last heard of it.
struct GatewayLogState {
  std::string log_id, holder;
  int64_t applied_seq = 0, reported_head = 0, unapplied_records = 0, unapplied_bytes = 0;
  int64_t first_seen = 0, last_seen = 0;
  std::optional<int64_t> closed_at;
  std::vector<TeamPending> pending;
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
  int64_t ts_micros = 0;  // set by export_events (its cursor)
};

// Events in time order between two instants, after a cursor (the last page's last event), for
// exports that page through millions in constant memory.
struct EventExportQuery {
  int64_t since_micros = 0, until_micros = 0;  // [since, until)
  int64_t after_ts = std::numeric_limits<int64_t>::min(), after_seq = 0;
  int64_t limit = 1000;
  std::string type = "all";  // decision | alert | all
  std::optional<std::string> team_id;
};

// A period's spend grouped by one key (days: UTC days, the key is the day number since 1970).
enum class SpendGrouping { model, day, group };
struct SpendRow {
  std::string key;
  Money cost;
  int64_t prompt_tokens = 0, completion_tokens = 0, requests = 0;
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

// --- API tokens (issue 11: least privilege) ----------------------------------------------

// A scoped token of the API. The store keeps only its SHA-256 (hex) and a short prefix to
// recognise it by; the token itself is shown once, when it is made.
struct ApiToken {
  std::string id;            // tok_...
  std::string name;          // a label; unique among the tokens not revoked
  std::string scope;         // admin | gateway | viewer
  std::string prefix;        // the token's first characters (kt_tok_1a2b3c4d), for people
  std::string hash;          // hex SHA-256 of the token
  int64_t created_at = 0;    // unix seconds
  std::optional<int64_t> last_used_at, revoked_at;
};

// A new token's name is held by a token not revoked. Nothing was changed.
struct TokenNameTaken : StoreError {
  using StoreError::StoreError;
};

// When a token was last used (unix seconds), as an API process saw it.
using TokenUse = SecretUse;

// --- API-managed consumer keys (issue 13) ---------------------------------------------------

// A consumer key made through the API (kt keys create): kt_ck_ + 64 hex digits, kept as its
// SHA-256 (hex) and its first characters, like an API token. It bills like the config's key of
// its consumer group (the gateways map the group name to their config's group).
// A key's own rate limits (issue 13), applied inside its group's: unset, the group's alone.
struct KeyRateLimits {
  std::optional<int64_t> requests_per_minute, tokens_per_minute, tokens_per_day;
  bool any() const { return requests_per_minute || tokens_per_minute || tokens_per_day; }
};

struct ConsumerKeyRow {
  std::string id;             // ck_...
  std::string group;          // a consumer group's name
  std::string prefix;         // kt_ck_1a2b3c4d
  std::string hash;           // hex SHA-256 of the key
  int64_t created_at = 0;     // unix seconds
  std::optional<int64_t> expires_at, last_used_at, revoked_at;
  std::string replaced_by;    // rotation: the key that takes over (empty: none)
  KeyRateLimits rate_limits;  // a successor keeps its predecessor's
  // A budget of its own inside the team's wallet (none: the wallet alone). A successor (rotation)
  // shares its predecessor's: spend counts once across the rotation.
  std::optional<Money> budget;
  std::string budget_period;  // "monthly" (calendar months, UTC) | "none" (never resets)
  Money spent, reserved;      // listing only: the current period's
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
  // Gateway logs not closed: what their gateways had answered but the ledger had not applied when
  // they last reported (the ledger cannot see a gateway's spool; a log unseen for long is one to
  // ship with `kt gateway drain`), and records the store could not apply.
  std::vector<GatewayLogState> open_logs;
  int64_t log_rejects = 0;
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

}  // namespace kt::ledger
