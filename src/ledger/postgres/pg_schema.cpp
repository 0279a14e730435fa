#include "ledger/postgres/pg_schema.hpp"

#include <string>
#include <vector>

namespace kt::ledger::postgres {
namespace {

// Money columns are BIGINT nano-dollars; timestamps are unix seconds (events: microseconds).
// The same tables as the SQLite store, so both pass one test suite.
const std::vector<std::string>& migrations() {
  static const std::vector<std::string> steps = {
      // 1: initial schema
      R"sql(
CREATE TABLE model_pricing(
  model TEXT PRIMARY KEY,
  provider TEXT NOT NULL,
  input_per_1k BIGINT NOT NULL,
  output_per_1k BIGINT NOT NULL,
  cached_input_per_1k BIGINT,
  max_output_tokens BIGINT,
  version BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- Every price a model ever had, so a cost can later be recomputed at the price of its time.
CREATE TABLE model_pricing_history(
  model TEXT NOT NULL,
  version BIGINT NOT NULL,
  provider TEXT NOT NULL,
  input_per_1k BIGINT NOT NULL,
  output_per_1k BIGINT NOT NULL,
  cached_input_per_1k BIGINT,
  max_output_tokens BIGINT,
  effective_from BIGINT NOT NULL,
  PRIMARY KEY(model, version)
);

-- The hot row of every request: room on each page for HOT updates of spent/reserved.
CREATE TABLE wallets(
  team_id TEXT NOT NULL,
  period_start BIGINT NOT NULL,
  period_end BIGINT NOT NULL,
  currency TEXT NOT NULL,
  budget BIGINT NOT NULL,
  spent BIGINT NOT NULL DEFAULT 0,
  reserved BIGINT NOT NULL DEFAULT 0 CHECK(reserved >= 0),
  PRIMARY KEY(team_id, period_start)
) WITH (fillfactor = 50);

CREATE TABLE journal(
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  entry_id TEXT NOT NULL UNIQUE,
  team_id TEXT NOT NULL,
  period_start BIGINT NOT NULL,
  kind TEXT NOT NULL CHECK(kind IN ('allocate','reserve','settle','release','charge')),
  key TEXT,
  amount BIGINT NOT NULL,
  description TEXT,
  model TEXT,
  provider TEXT,
  consumer_group TEXT,
  prompt_tokens BIGINT,
  completion_tokens BIGINT,
  created_at BIGINT NOT NULL,
  FOREIGN KEY(team_id, period_start) REFERENCES wallets(team_id, period_start)
);
CREATE INDEX journal_by_team_period ON journal(team_id, period_start, kind);

-- One row per idempotency key. 'refused' keeps a refused reserve refused on replay; a settle
-- without a reservation leaves a 'settled' row with amount 0 so its replay is detected.
CREATE TABLE reservations(
  key TEXT PRIMARY KEY,
  team_id TEXT NOT NULL,
  period_start BIGINT NOT NULL,
  amount BIGINT NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('held','settled','released','refused')),
  refusal TEXT CHECK(refusal IS NULL OR refusal IN ('insufficient','blocked','no_wallet')),
  created_at BIGINT NOT NULL,
  settled_amount BIGINT
);
CREATE INDEX reservations_held ON reservations(team_id, period_start) WHERE state = 'held';

CREATE TABLE alerts_fired(
  team_id TEXT NOT NULL,
  period_start BIGINT NOT NULL,
  threshold INTEGER NOT NULL,
  fired_at BIGINT NOT NULL,
  PRIMARY KEY(team_id, period_start, threshold),
  FOREIGN KEY(team_id, period_start) REFERENCES wallets(team_id, period_start)
);

CREATE TABLE consumer_groups(
  name TEXT PRIMARY KEY,
  team_id TEXT NOT NULL
);

CREATE TABLE events(
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  ts_micros BIGINT NOT NULL,
  team_id TEXT NOT NULL,
  consumer_group TEXT NOT NULL,
  json TEXT NOT NULL
);
CREATE INDEX events_by_type ON events(type, ts_micros, seq);
CREATE INDEX events_by_team ON events(team_id, ts_micros, seq);
CREATE INDEX events_by_group ON events(consumer_group, ts_micros, seq);
CREATE INDEX events_by_time ON events(ts_micros, seq);
)sql",
      // 2: Anthropic cache writes have their own price.
      R"sql(
ALTER TABLE model_pricing ADD COLUMN cache_creation_per_1k BIGINT;
ALTER TABLE model_pricing_history ADD COLUMN cache_creation_per_1k BIGINT;
)sql",
      // 3: budget leases (see the SQLite schema for the design); the journal gains the lease
      // kinds, credits and expiries.
      R"sql(
ALTER TABLE wallets ADD COLUMN leased BIGINT NOT NULL DEFAULT 0 CHECK(leased >= 0);
ALTER TABLE reservations ADD COLUMN lease_id TEXT;
ALTER TABLE journal ADD COLUMN lease_id TEXT;
ALTER TABLE journal DROP CONSTRAINT IF EXISTS journal_kind_check;
ALTER TABLE journal ADD CONSTRAINT journal_kind_check CHECK(kind IN ('allocate','credit','reserve','settle','release','charge','expire','lease','lease_return','lease_expire'));
CREATE TABLE leases(
  id TEXT PRIMARY KEY,
  team_id TEXT NOT NULL,
  period_start BIGINT NOT NULL,
  holder TEXT NOT NULL,
  amount BIGINT NOT NULL CHECK(amount >= 0),
  consumed BIGINT NOT NULL DEFAULT 0 CHECK(consumed >= 0),
  state TEXT NOT NULL CHECK(state IN ('active','returned','expired')),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  FOREIGN KEY(team_id, period_start) REFERENCES wallets(team_id, period_start)
);
CREATE INDEX leases_active ON leases(expires_at) WHERE state = 'active';
CREATE INDEX reservations_held_age ON reservations(created_at) WHERE state = 'held';
)sql",
      // 4: budget periods. wallet_settings holds how each team's wallet cuts time from now on
      // (no row: monthly in UTC); each wallet row keeps the kind and zone it was cut with, so a
      // past period still reads with its own label after the team's spec changed.
      R"sql(
CREATE TABLE wallet_settings(
  team_id TEXT PRIMARY KEY,
  period_kind TEXT NOT NULL CHECK(period_kind IN ('monthly','weekly','daily','none')),
  timezone TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
ALTER TABLE wallets ADD COLUMN period_kind TEXT NOT NULL DEFAULT 'monthly'
  CHECK(period_kind IN ('monthly','weekly','daily','none'));
ALTER TABLE wallets ADD COLUMN timezone TEXT NOT NULL DEFAULT 'UTC';
)sql",
      // 5: versioned price book. The history is the source of truth (the price in force at T is
      // the version with the greatest effective_from <= T, ties to the higher version);
      // model_pricing stays a cache of each model's latest version, now with its effective_from.
      R"sql(
ALTER TABLE model_pricing ADD COLUMN effective_from BIGINT NOT NULL DEFAULT 0;
UPDATE model_pricing SET effective_from = updated_at;
ALTER TABLE model_pricing_history ADD COLUMN created_at BIGINT NOT NULL DEFAULT 0;
UPDATE model_pricing_history SET created_at = effective_from;
CREATE INDEX model_pricing_history_by_time ON model_pricing_history(model, effective_from, version);
)sql",
  };
  return steps;
}

}  // namespace

int latest_schema_version() { return int(migrations().size()); }

int migrate_schema(Connection& c) {
  const auto& steps = migrations();
  return c.transaction([&] {
    // One lock per target schema: replicas starting at once wait here instead of racing on
    // CREATE TABLE; the lock goes with the transaction.
    c.exec_script("SELECT pg_advisory_xact_lock(hashtext('keeptrusts.ledger.migrate.' || current_schema()))");
    c.exec_script(
        "CREATE TABLE IF NOT EXISTS schema_migrations("
        "version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
    int64_t version = c.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").i64(0, 0);
    if (version > int64_t(steps.size()))
      throw StoreError("ledger database schema version " + std::to_string(version) +
                       " is newer than this build supports (" + std::to_string(steps.size()) + ")");
    for (size_t i = size_t(version); i < steps.size(); ++i) {
      c.exec_script(steps[i]);
      c.query("INSERT INTO schema_migrations(version) VALUES($1)", int64_t(i + 1));
    }
    return int(steps.size());
  });
}

}  // namespace kt::ledger::postgres
