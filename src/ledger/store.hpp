#pragma once
// The ledger store interface: every money movement, price and event the API keeps. One
// implementation (sql/), written once over a statement layer with a dialect per database
// (sqlite/, postgres/). A store is synchronous and is called from the API's store executor,
// never from an I/O thread. Each method is one transaction.
//
// Money moves only through journal entries keyed by an idempotency key
// ("<request_id>:<attempt>"): replaying an entry returns the first outcome and changes nothing.
#include "ledger/rate_grants.hpp"
#include "ledger/forecast.hpp"
#include "ledger/store_types.hpp"

namespace kt::ledger {

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
  // One version of a model's price (explain-why: the price a decision event names). Not pure.
  virtual std::optional<PricingRow> pricing_version(const std::string& model, int64_t version) {
    throw StoreError("this store has no price history");
  }
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

  // Applies one shipped batch of a gateway log in one transaction: its records above the log's
  // high-water mark, in order (lease settles summed per wallet and lease; journal lines and events
  // inserted in bulk), then alerts, then the mark. A record that cannot be applied is kept in
  // log_rejects and skipped. Throws StoreError for a batch without a log id or out of order.
  virtual LogApplyResult apply_log(const LogBatch& batch, int64_t now) = 0;
  // The gateway logs the store knows: every open one, and those closed since `closed_since`.
  virtual std::vector<GatewayLogState> gateway_logs(int64_t closed_since) = 0;

  // Expires leases and held reservations nobody will settle (see ExpiryReport). The API runs it
  // every second; each expiry is a journal entry. A lease named by an open gateway log is kept
  // until `lease_grace_seconds` past its expiry (that log's settles may still come: a restarted
  // gateway or `kt gateway drain` ships them and gives the rest back); a closed log's go back at
  // its close. Not pure, like journal().
  virtual ExpiryReport expire(int64_t now, int64_t reservation_ttl_seconds, int64_t lease_grace_seconds) {
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

  // What the team spent in the hour, day and 7 days up to `now`, and when its history began
  // (forecast.hpp). Not pure, like journal().
  virtual SpendHistory spend_history(const std::string& team_id, int64_t now) {
    throw StoreError("this store has no spend history");
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

  // API tokens. create_api_token inserts `token` (id, name, scope, prefix, hash set by the
  // caller) made at `now`; throws TokenNameTaken when a token not revoked has that name.
  // revoke_api_token marks it revoked at `now` (a second revoke keeps the first time); nullopt
  // for an unknown id. list_api_tokens: every token, revoked ones too, oldest first.
  // touch_api_tokens records last uses (never moving one back). Not pure, like journal().
  virtual ApiToken create_api_token(const ApiToken& token, int64_t now) { throw StoreError("this store has no API tokens"); }
  virtual std::optional<ApiToken> revoke_api_token(const std::string& id, int64_t now) {
    throw StoreError("this store has no API tokens");
  }
  virtual std::vector<ApiToken> list_api_tokens() { throw StoreError("this store has no API tokens"); }
  virtual void touch_api_tokens(const std::vector<TokenUse>& uses) { throw StoreError("this store has no API tokens"); }

  // API-managed consumer keys (store_consumer_keys.cpp). create_consumer_key inserts `key` (id,
  // group, prefix, hash, expires_at set by the caller) made at `now`. revoke_consumer_key marks
  // the key with that id revoked (a second revoke keeps the first time); nullopt for an unknown id.
  // rotate_consumer_key, in one transaction: inserts `fresh` for the group of the live key `id`
  // and makes that key expire at `old_expires_at` (or earlier, if it expired sooner); nullopt
  // (nothing changed) when `id` names no key that is neither revoked nor expired at `now`; returns
  // {old, fresh}. list_consumer_keys: every key, oldest first. touch_consumer_keys: last uses.
  virtual ConsumerKeyRow create_consumer_key(const ConsumerKeyRow& key, int64_t now) { throw StoreError("this store has no consumer keys"); }
  // The current period's spent and reserved of each key with a budget of its own (key_spend).
  virtual void fill_key_spend(std::vector<ConsumerKeyRow>& keys, int64_t now) {}
  virtual std::optional<ConsumerKeyRow> revoke_consumer_key(const std::string& id, int64_t now) {
    throw StoreError("this store has no consumer keys");
  }
  virtual std::optional<std::pair<ConsumerKeyRow, ConsumerKeyRow>> rotate_consumer_key(const std::string& id, const ConsumerKeyRow& fresh,
                                                                                      int64_t old_expires_at, int64_t now) {
    throw StoreError("this store has no consumer keys");
  }
  virtual std::vector<ConsumerKeyRow> list_consumer_keys() { throw StoreError("this store has no consumer keys"); }
  virtual void touch_consumer_keys(const std::vector<TokenUse>& uses) { throw StoreError("this store has no consumer keys"); }

  // Rate-limit allowance (rate_grants.hpp): each ask is granted in its own transaction at `now_ms`
  // (scopes take turns), returns lower their grants. Not pure, like journal().
  virtual std::vector<RateGrant> grant_rate(const std::vector<RateGrantAsk>& asks, int64_t now_ms) {
    throw StoreError("this store has no rate grants");
  }
  virtual void return_rate(const std::vector<RateReturn>& returns) { throw StoreError("this store has no rate grants"); }

  // Inserting an event id twice keeps the first (batches may be re-sent after a timeout).
  virtual void insert_events(const std::vector<EventRecord>& events) = 0;
  virtual std::vector<StoredEvent> query_events(const EventQuery& q) = 0;
  // Exports (store_export.cpp): events oldest first after the query's cursor; a period's spend
  // grouped, by cost (days: by day). Not pure, like journal().
  virtual std::vector<StoredEvent> export_events(const EventExportQuery& q) { throw StoreError("this store cannot export"); }
  virtual std::vector<SpendRow> spend_by(const std::string& team_id, const Period& period, SpendGrouping by) {
    throw StoreError("this store cannot group spend");
  }
  // Event retention: deletes up to `limit` events older than `before_micros` (oldest first) and
  // returns how many; the API calls it in bounded batches (docs/api.md "Retention"). Journal lines and
  // spend rollups are kept. Not pure, like journal().
  virtual int64_t prune_events(int64_t before_micros, int64_t limit) { throw StoreError("this store cannot prune events"); }
  // One event by its id. Not pure, like journal().
  virtual std::optional<StoredEvent> event_by_id(const std::string& id) { throw StoreError("this store cannot find an event"); }
};

// "sqlite:/path/file.db", "sqlite::memory:", "postgresql://user[:password]@host[:port]/db"
// (also "postgres://"). Migrates before returning. Throws StoreError with a clear message for
// an unknown scheme or a database that cannot be opened; the message never holds a password.
std::unique_ptr<Store> open_store(const std::string& url);

// The URL fit for a log line: "postgresql://kt:***@db:5432/kt" (the password masked).
std::string redact_database_url(const std::string& url);

}  // namespace kt::ledger
