#include "ledger/sqlite/sqlite_schema.hpp"

#include <string>
#include <vector>

namespace kt::ledger::sqlite {
namespace {

// Money columns are INTEGER nano-dollars; timestamps are unix seconds (events: microseconds).
// STRICT tables refuse a REAL slipping into any of them.
const std::vector<std::string>& migrations() {
  static const std::vector<std::string> steps = {
      // 1: initial schema
      R"sql(
CREATE TABLE model_pricing(
  model TEXT PRIMARY KEY,
  provider TEXT NOT NULL,
  input_per_1k INTEGER NOT NULL,
  output_per_1k INTEGER NOT NULL,
  cached_input_per_1k INTEGER,
  max_output_tokens INTEGER,
  version INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

-- Every price a model ever had, so a cost can later be recomputed at the price of its time.
CREATE TABLE model_pricing_history(
  model TEXT NOT NULL,
  version INTEGER NOT NULL,
  provider TEXT NOT NULL,
  input_per_1k INTEGER NOT NULL,
  output_per_1k INTEGER NOT NULL,
  cached_input_per_1k INTEGER,
  max_output_tokens INTEGER,
  effective_from INTEGER NOT NULL,
  PRIMARY KEY(model, version)
) STRICT;

CREATE TABLE wallets(
  team_id TEXT NOT NULL,
  period_start INTEGER NOT NULL,
  period_end INTEGER NOT NULL,
  currency TEXT NOT NULL,
  budget INTEGER NOT NULL,
  spent INTEGER NOT NULL DEFAULT 0,
  reserved INTEGER NOT NULL DEFAULT 0 CHECK(reserved >= 0),
  PRIMARY KEY(team_id, period_start)
) STRICT;

CREATE TABLE journal(
  id INTEGER PRIMARY KEY,
  entry_id TEXT NOT NULL UNIQUE,
  team_id TEXT NOT NULL,
  period_start INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK(kind IN ('allocate','reserve','settle','release','charge')),
  key TEXT,
  amount INTEGER NOT NULL,
  description TEXT,
  model TEXT,
  provider TEXT,
  consumer_group TEXT,
  prompt_tokens INTEGER,
  completion_tokens INTEGER,
  created_at INTEGER NOT NULL,
  FOREIGN KEY(team_id, period_start) REFERENCES wallets(team_id, period_start)
) STRICT;
CREATE INDEX journal_by_team_period ON journal(team_id, period_start, kind);

-- One row per idempotency key. 'refused' keeps a refused reserve refused on replay; a settle
-- without a reservation leaves a 'settled' row with amount 0 so its replay is detected.
CREATE TABLE reservations(
  key TEXT PRIMARY KEY,
  team_id TEXT NOT NULL,
  period_start INTEGER NOT NULL,
  amount INTEGER NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('held','settled','released','refused')),
  refusal TEXT CHECK(refusal IS NULL OR refusal IN ('insufficient','blocked','no_wallet')),
  created_at INTEGER NOT NULL,
  settled_amount INTEGER
) STRICT;
CREATE INDEX reservations_held ON reservations(team_id, period_start) WHERE state = 'held';

CREATE TABLE alerts_fired(
  team_id TEXT NOT NULL,
  period_start INTEGER NOT NULL,
  threshold INTEGER NOT NULL,
  fired_at INTEGER NOT NULL,
  PRIMARY KEY(team_id, period_start, threshold),
  FOREIGN KEY(team_id, period_start) REFERENCES wallets(team_id, period_start)
) STRICT;

CREATE TABLE consumer_groups(
  name TEXT PRIMARY KEY,
  team_id TEXT NOT NULL
) STRICT;

CREATE TABLE events(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  ts_micros INTEGER NOT NULL,
  team_id TEXT NOT NULL,
  consumer_group TEXT NOT NULL,
  json TEXT NOT NULL
) STRICT;
CREATE INDEX events_by_type ON events(type, ts_micros, seq);
CREATE INDEX events_by_team ON events(team_id, ts_micros, seq);
CREATE INDEX events_by_group ON events(consumer_group, ts_micros, seq);
CREATE INDEX events_by_time ON events(ts_micros, seq);
)sql",
      // 2: Anthropic's cache writes have their own price (NULL: the input price)
      R"sql(
ALTER TABLE model_pricing ADD COLUMN cache_creation_per_1k INTEGER;
ALTER TABLE model_pricing_history ADD COLUMN cache_creation_per_1k INTEGER;
)sql",
      // 3: budget leases. A lease is a slice of a wallet's remaining budget held by one gateway
      // worker, which reserves and settles against it in-process; wallets.leased is the sum of
      // the active leases' unconsumed amounts. The journal gains the lease kinds, credits and
      // expiries (SQLite cannot alter a CHECK: the table is rebuilt).
      R"sql(
ALTER TABLE wallets ADD COLUMN leased INTEGER NOT NULL DEFAULT 0 CHECK(leased >= 0);
ALTER TABLE reservations ADD COLUMN lease_id TEXT;
CREATE TABLE journal_v3(
  id INTEGER PRIMARY KEY,
  entry_id TEXT NOT NULL UNIQUE,
  team_id TEXT NOT NULL,
  period_start INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK(kind IN ('allocate','credit','reserve','settle','release','charge','expire','lease','lease_return','lease_expire')),
  key TEXT,
  amount INTEGER NOT NULL,
  description TEXT,
  model TEXT,
  provider TEXT,
  consumer_group TEXT,
  prompt_tokens INTEGER,
  completion_tokens INTEGER,
  created_at INTEGER NOT NULL,
  lease_id TEXT,
  FOREIGN KEY(team_id, period_start) REFERENCES wallets(team_id, period_start)
) STRICT;
INSERT INTO journal_v3(id, entry_id, team_id, period_start, kind, key, amount, description, model, provider,
                       consumer_group, prompt_tokens, completion_tokens, created_at)
  SELECT id, entry_id, team_id, period_start, kind, key, amount, description, model, provider,
         consumer_group, prompt_tokens, completion_tokens, created_at FROM journal;
DROP TABLE journal;
ALTER TABLE journal_v3 RENAME TO journal;
CREATE INDEX journal_by_team_period ON journal(team_id, period_start, kind);
CREATE TABLE leases(
  id TEXT PRIMARY KEY,
  team_id TEXT NOT NULL,
  period_start INTEGER NOT NULL,
  holder TEXT NOT NULL,
  amount INTEGER NOT NULL CHECK(amount >= 0),
  consumed INTEGER NOT NULL DEFAULT 0 CHECK(consumed >= 0),
  state TEXT NOT NULL CHECK(state IN ('active','returned','expired')),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  FOREIGN KEY(team_id, period_start) REFERENCES wallets(team_id, period_start)
) STRICT;
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
  updated_at INTEGER NOT NULL
) STRICT;
ALTER TABLE wallets ADD COLUMN period_kind TEXT NOT NULL DEFAULT 'monthly'
  CHECK(period_kind IN ('monthly','weekly','daily','none'));
ALTER TABLE wallets ADD COLUMN timezone TEXT NOT NULL DEFAULT 'UTC';
)sql",
      // 5: versioned price book. The history is the source of truth (the price in force at T is
      // the version with the greatest effective_from <= T, ties to the higher version);
      // model_pricing stays a cache of each model's latest version, now with its effective_from.
      R"sql(
ALTER TABLE model_pricing ADD COLUMN effective_from INTEGER NOT NULL DEFAULT 0;
UPDATE model_pricing SET effective_from = updated_at;
ALTER TABLE model_pricing_history ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
UPDATE model_pricing_history SET created_at = effective_from;
CREATE INDEX model_pricing_history_by_time ON model_pricing_history(model, effective_from, version);
)sql",
  };
  return steps;
}

}  // namespace

int latest_schema_version() { return int(migrations().size()); }

void migrate_schema(Connection& c) {
  Transaction tx(c, Transaction::Mode::immediate);
  int64_t version = 0;
  {
    auto q = c.query("PRAGMA user_version");
    if (q.next()) version = q.i64(0);
  }
  const auto& steps = migrations();
  if (version > int64_t(steps.size()))
    throw StoreError("ledger database schema version " + std::to_string(version) +
                     " is newer than this build supports (" + std::to_string(steps.size()) + ")");
  for (size_t i = size_t(version); i < steps.size(); ++i) c.exec(steps[i]);
  if (size_t(version) != steps.size()) c.exec("PRAGMA user_version = " + std::to_string(steps.size()));
  tx.commit();
}

}  // namespace kt::ledger::sqlite
