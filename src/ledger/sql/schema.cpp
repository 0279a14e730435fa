// The ledger's schema, written once for both databases. Money columns are 64-bit integer
// nano-dollars; timestamps are unix seconds (events: microseconds). A few words differ per
// dialect and are spelled as tokens:
//   %BIGINT%      INTEGER (SQLite's integers are 64-bit)      | BIGINT
//   %IDENTITY%    INTEGER PRIMARY KEY (the rowid)             | BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY
//   %SEQUENCE%    INTEGER PRIMARY KEY AUTOINCREMENT (never reused) | as %IDENTITY%
//   %TABLE%       STRICT (a REAL never slips into a money column) | (nothing)
//   %HOT_TABLE%   STRICT                                      | WITH (fillfactor = 50): room on each page
//                                                                for HOT updates of a wallet's figures
//
// Versions: 5 is the baseline (the layout kt had when the two stores became one); a database at
// 1-4 was made by an older kt and is refused. Each later step is one more template.
#include "ledger/sql/schema.hpp"

#include <string>
#include <vector>

namespace kt::ledger::sql {
namespace {

constexpr int kBaselineVersion = 5;

const char* const kBaseline = R"sql(
CREATE TABLE model_pricing(
  model TEXT PRIMARY KEY,
  provider TEXT NOT NULL,
  input_per_1k %BIGINT% NOT NULL,
  output_per_1k %BIGINT% NOT NULL,
  cached_input_per_1k %BIGINT%,
  max_output_tokens %BIGINT%,
  version %BIGINT% NOT NULL,
  updated_at %BIGINT% NOT NULL,
  cache_creation_per_1k %BIGINT%,
  effective_from %BIGINT% NOT NULL DEFAULT 0
)%TABLE%;

-- Every price a model ever had, so a cost can later be recomputed at the price of its time.
CREATE TABLE model_pricing_history(
  model TEXT NOT NULL,
  version %BIGINT% NOT NULL,
  provider TEXT NOT NULL,
  input_per_1k %BIGINT% NOT NULL,
  output_per_1k %BIGINT% NOT NULL,
  cached_input_per_1k %BIGINT%,
  max_output_tokens %BIGINT%,
  effective_from %BIGINT% NOT NULL,
  cache_creation_per_1k %BIGINT%,
  created_at %BIGINT% NOT NULL DEFAULT 0,
  PRIMARY KEY(model, version)
)%TABLE%;
CREATE INDEX model_pricing_history_by_time ON model_pricing_history(model, effective_from, version);

-- How each team's wallet cuts time from now on (no row: monthly in UTC).
CREATE TABLE wallet_settings(
  team_id TEXT PRIMARY KEY,
  period_kind TEXT NOT NULL CHECK(period_kind IN ('monthly','weekly','daily','none')),
  timezone TEXT NOT NULL,
  updated_at %BIGINT% NOT NULL
)%TABLE%;

-- One row per team and period; each keeps the kind and zone it was cut with, so a past period
-- still reads with its own label after the team's spec changed. leased is the sum of the active
-- budget leases' unconsumed amounts.
CREATE TABLE wallets(
  team_id TEXT NOT NULL,
  period_start %BIGINT% NOT NULL,
  period_end %BIGINT% NOT NULL,
  currency TEXT NOT NULL,
  budget %BIGINT% NOT NULL,
  spent %BIGINT% NOT NULL DEFAULT 0,
  reserved %BIGINT% NOT NULL DEFAULT 0 CHECK(reserved >= 0),
  leased %BIGINT% NOT NULL DEFAULT 0 CHECK(leased >= 0),
  period_kind TEXT NOT NULL DEFAULT 'monthly' CHECK(period_kind IN ('monthly','weekly','daily','none')),
  timezone TEXT NOT NULL DEFAULT 'UTC',
  PRIMARY KEY(team_id, period_start)
)%HOT_TABLE%;

CREATE TABLE journal(
  id %IDENTITY%,
  entry_id TEXT NOT NULL UNIQUE,
  team_id TEXT NOT NULL,
  period_start %BIGINT% NOT NULL,
  kind TEXT NOT NULL CHECK(kind IN ('allocate','credit','reserve','settle','release','charge','expire','lease',
                                    'lease_return','lease_expire')),
  key TEXT,
  amount %BIGINT% NOT NULL,
  description TEXT,
  model TEXT,
  provider TEXT,
  consumer_group TEXT,
  prompt_tokens %BIGINT%,
  completion_tokens %BIGINT%,
  created_at %BIGINT% NOT NULL,
  lease_id TEXT,
  FOREIGN KEY(team_id, period_start) REFERENCES wallets(team_id, period_start)
)%TABLE%;
CREATE INDEX journal_by_team_period ON journal(team_id, period_start, kind);

-- One row per idempotency key. 'refused' keeps a refused reserve refused on replay; a settle
-- without a reservation leaves a 'settled' row with amount 0 so its replay is detected.
CREATE TABLE reservations(
  key TEXT PRIMARY KEY,
  team_id TEXT NOT NULL,
  period_start %BIGINT% NOT NULL,
  amount %BIGINT% NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('held','settled','released','refused')),
  refusal TEXT CHECK(refusal IS NULL OR refusal IN ('insufficient','blocked','no_wallet')),
  created_at %BIGINT% NOT NULL,
  settled_amount %BIGINT%,
  lease_id TEXT
)%TABLE%;
CREATE INDEX reservations_held ON reservations(team_id, period_start) WHERE state = 'held';
CREATE INDEX reservations_held_age ON reservations(created_at) WHERE state = 'held';

-- A slice of a wallet's remaining budget held by one gateway worker, which reserves and settles
-- against it in-process.
CREATE TABLE leases(
  id TEXT PRIMARY KEY,
  team_id TEXT NOT NULL,
  period_start %BIGINT% NOT NULL,
  holder TEXT NOT NULL,
  amount %BIGINT% NOT NULL CHECK(amount >= 0),
  consumed %BIGINT% NOT NULL DEFAULT 0 CHECK(consumed >= 0),
  state TEXT NOT NULL CHECK(state IN ('active','returned','expired')),
  created_at %BIGINT% NOT NULL,
  expires_at %BIGINT% NOT NULL,
  FOREIGN KEY(team_id, period_start) REFERENCES wallets(team_id, period_start)
)%TABLE%;
CREATE INDEX leases_active ON leases(expires_at) WHERE state = 'active';

CREATE TABLE alerts_fired(
  team_id TEXT NOT NULL,
  period_start %BIGINT% NOT NULL,
  threshold %BIGINT% NOT NULL,
  fired_at %BIGINT% NOT NULL,
  PRIMARY KEY(team_id, period_start, threshold),
  FOREIGN KEY(team_id, period_start) REFERENCES wallets(team_id, period_start)
)%TABLE%;

CREATE TABLE consumer_groups(
  name TEXT PRIMARY KEY,
  team_id TEXT NOT NULL
)%TABLE%;

CREATE TABLE events(
  seq %SEQUENCE%,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  ts_micros %BIGINT% NOT NULL,
  team_id TEXT NOT NULL,
  consumer_group TEXT NOT NULL,
  json TEXT NOT NULL
)%TABLE%;
CREATE INDEX events_by_type ON events(type, ts_micros, seq);
CREATE INDEX events_by_team ON events(team_id, ts_micros, seq);
CREATE INDEX events_by_group ON events(consumer_group, ts_micros, seq);
CREATE INDEX events_by_time ON events(ts_micros, seq);
)sql";

// A step's template for each dialect; most steps are one text for both.
struct Step {
  const char* sqlite;
  const char* postgres;
  Step(const char* both) : sqlite(both), postgres(both) {}
  Step(const char* lite, const char* pg) : sqlite(lite), postgres(pg) {}
};

// 12, SQLite: the journal's and the reservations' kind/state checks as chains of comparisons.
// SQLite evaluates `x IN (three or more constants)` in a CHECK by building a temporary B-tree of
// the list for every row written (a CHECK is coded without the run-once guard a query's IN list
// gets): for the journal's ten kinds, ten B-tree inserts and a page clear per journal line. A
// million rows into a table with only this check: 1.40 s of CPU with the list, 0.36 s with the
// chain; kt_bench Apply_SqliteFile/batch:512: 171-184k -> 210-229k ledger writes per CPU-second.
// SQLite cannot alter a CHECK, so both tables are rebuilt by SQLite's documented procedure (new
// table, copy, drop, rename, indexes again), rowids kept: one pass over each at the upgrade.
// PostgreSQL tests an IN list as an array and keeps its tables as they are.
const char* const kChecksAsComparisonsSqlite = R"sql(
CREATE TABLE journal_v12(
  id INTEGER PRIMARY KEY,
  entry_id TEXT NOT NULL UNIQUE,
  team_id TEXT NOT NULL,
  period_start INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK(kind = 'settle' OR kind = 'charge' OR kind = 'lease' OR kind = 'lease_return' OR
                           kind = 'reserve' OR kind = 'release' OR kind = 'allocate' OR kind = 'credit' OR
                           kind = 'expire' OR kind = 'lease_expire'),
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
  estimate INTEGER,
  FOREIGN KEY(team_id, period_start) REFERENCES wallets(team_id, period_start)
) STRICT;
INSERT INTO journal_v12(id, entry_id, team_id, period_start, kind, key, amount, description, model, provider,
                        consumer_group, prompt_tokens, completion_tokens, created_at, lease_id, estimate)
SELECT id, entry_id, team_id, period_start, kind, key, amount, description, model, provider,
       consumer_group, prompt_tokens, completion_tokens, created_at, lease_id, estimate FROM journal;
DROP TABLE journal;
ALTER TABLE journal_v12 RENAME TO journal;
CREATE INDEX journal_by_team_period ON journal(team_id, period_start, kind);
CREATE INDEX journal_spend_by_time ON journal(team_id, created_at) WHERE kind IN ('settle', 'charge');

CREATE TABLE reservations_v12(
  key TEXT PRIMARY KEY,
  team_id TEXT NOT NULL,
  period_start INTEGER NOT NULL,
  amount INTEGER NOT NULL,
  state TEXT NOT NULL CHECK(state = 'held' OR state = 'settled' OR state = 'released' OR state = 'refused'),
  refusal TEXT CHECK(refusal IS NULL OR refusal = 'insufficient' OR refusal = 'blocked' OR refusal = 'no_wallet'),
  created_at INTEGER NOT NULL,
  settled_amount INTEGER,
  lease_id TEXT,
  log_id TEXT,
  key_id TEXT,
  key_period_start INTEGER
) STRICT;
INSERT INTO reservations_v12(key, team_id, period_start, amount, state, refusal, created_at, settled_amount,
                             lease_id, log_id, key_id, key_period_start)
SELECT key, team_id, period_start, amount, state, refusal, created_at, settled_amount,
       lease_id, log_id, key_id, key_period_start FROM reservations;
DROP TABLE reservations;
ALTER TABLE reservations_v12 RENAME TO reservations;
CREATE INDEX reservations_held ON reservations(team_id, period_start) WHERE state = 'held';
CREATE INDEX reservations_held_age ON reservations(created_at) WHERE state = 'held';
CREATE INDEX reservations_by_log ON reservations(log_id) WHERE state = 'held';
)sql";

// Steps after the baseline, in order (step i takes version kBaselineVersion + i to + i + 1).
const std::vector<Step>& later_steps() {
  static const std::vector<Step> steps = {
      // 6: the gateway's durable log. Each log's high-water mark (gateway_logs) replaces a
      // key lookup per request; its last report of what is answered but not yet applied, per team
      // (gateway_log_pending); records the store could not apply (log_rejects). A settle's journal
      // line keeps what was held for it (estimate: verify's overrun), and leases and reservations
      // name the log whose records settle them (a closed log's holdings go back at once).
      R"sql(
ALTER TABLE journal ADD COLUMN estimate %BIGINT%;
UPDATE journal SET estimate = (SELECT r.amount FROM reservations r WHERE r.key = journal.key) WHERE kind = 'settle';
ALTER TABLE leases ADD COLUMN log_id TEXT;
ALTER TABLE reservations ADD COLUMN log_id TEXT;
CREATE INDEX leases_by_log ON leases(log_id) WHERE state = 'active';
CREATE INDEX reservations_by_log ON reservations(log_id) WHERE state = 'held';
CREATE TABLE gateway_logs(
  log_id TEXT PRIMARY KEY,
  holder TEXT NOT NULL DEFAULT '',
  applied_seq %BIGINT% NOT NULL DEFAULT 0,
  reported_head %BIGINT% NOT NULL DEFAULT 0,
  unapplied_records %BIGINT% NOT NULL DEFAULT 0,
  unapplied_bytes %BIGINT% NOT NULL DEFAULT 0,
  first_seen %BIGINT% NOT NULL,
  last_seen %BIGINT% NOT NULL,
  closed_at %BIGINT%
)%TABLE%;
CREATE TABLE gateway_log_pending(
  log_id TEXT NOT NULL,
  team_id TEXT NOT NULL,
  amount %BIGINT% NOT NULL,
  records %BIGINT% NOT NULL,
  PRIMARY KEY(log_id, team_id)
)%TABLE%;
CREATE TABLE log_rejects(
  log_id TEXT NOT NULL,
  seq %BIGINT% NOT NULL,
  reason TEXT NOT NULL,
  record TEXT NOT NULL,
  created_at %BIGINT% NOT NULL,
  PRIMARY KEY(log_id, seq)
)%TABLE%;
)sql",
      // 7: scoped API tokens (issue 11). Only the SHA-256 of a token is kept; a name is unique
      // among the tokens not revoked, so a revoked token's name can be given again.
      R"sql(
CREATE TABLE api_tokens(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  scope TEXT NOT NULL CHECK(scope IN ('admin','gateway','viewer')),
  prefix TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at %BIGINT% NOT NULL,
  last_used_at %BIGINT%,
  revoked_at %BIGINT%
)%TABLE%;
CREATE UNIQUE INDEX api_tokens_active_name ON api_tokens(name) WHERE revoked_at IS NULL;
)sql",
      // 8: rate-limit allowance grants (issue 13): a sliding window per scope ("group/limit").
      // Rows leave once their window has passed (store_rate_grants.cpp).
      R"sql(
CREATE TABLE rate_grants(
  id %SEQUENCE%,
  scope TEXT NOT NULL,
  holder TEXT NOT NULL,
  granted_at_ms %BIGINT% NOT NULL,
  window_ms %BIGINT% NOT NULL,
  amount %BIGINT% NOT NULL CHECK(amount >= 0)
)%TABLE%;
CREATE INDEX rate_grants_by_scope ON rate_grants(scope, granted_at_ms);
)sql",
      // 9: consumer keys made through the API (issue 13): only the SHA-256 of a key is kept.
      R"sql(
CREATE TABLE consumer_keys(
  id TEXT PRIMARY KEY,
  group_name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  created_at %BIGINT% NOT NULL,
  expires_at %BIGINT%,
  last_used_at %BIGINT%,
  revoked_at %BIGINT%,
  replaced_by TEXT
)%TABLE%;
)sql",
      // 10: a key's own rate limits (null: none; its group's apply either way) and budget inside
      // its team's wallet: budget (nano-dollars, null: none), its period, the key whose spend it
      // shares (a rotation's successor: its predecessor's); key_spend per (budget key, period);
      // a reservation names the key budget it also holds.
      R"sql(
ALTER TABLE consumer_keys ADD COLUMN requests_per_minute %BIGINT%;
ALTER TABLE consumer_keys ADD COLUMN tokens_per_minute %BIGINT%;
ALTER TABLE consumer_keys ADD COLUMN tokens_per_day %BIGINT%;
ALTER TABLE consumer_keys ADD COLUMN budget %BIGINT%;
ALTER TABLE consumer_keys ADD COLUMN budget_period TEXT;
ALTER TABLE consumer_keys ADD COLUMN budget_key TEXT;
CREATE TABLE key_spend(
  key_id TEXT NOT NULL,
  period_start %BIGINT% NOT NULL,
  spent %BIGINT% NOT NULL DEFAULT 0,
  reserved %BIGINT% NOT NULL DEFAULT 0,
  PRIMARY KEY(key_id, period_start)
)%TABLE%;
ALTER TABLE reservations ADD COLUMN key_id TEXT;
ALTER TABLE reservations ADD COLUMN key_period_start %BIGINT%;
)sql",
      // 11: spend rollups (issue 12): the settle and charge journal lines summed per team, period,
      // UTC hour, model and consumer group, kept in the transaction that writes the lines
      // (store_rollups.cpp), back-filled here. Reports and forecasts read them: O(hours), not
      // O(requests); the journal index by time serves a forecast window's partial hours.
      R"sql(
CREATE TABLE spend_rollups(
  team_id TEXT NOT NULL,
  period_start %BIGINT% NOT NULL,
  hour_start %BIGINT% NOT NULL,
  model TEXT NOT NULL,
  consumer_group TEXT NOT NULL,
  cost %BIGINT% NOT NULL,
  prompt_tokens %BIGINT% NOT NULL,
  completion_tokens %BIGINT% NOT NULL,
  requests %BIGINT% NOT NULL,
  PRIMARY KEY(team_id, period_start, hour_start, model, consumer_group)
)%TABLE%;
CREATE INDEX spend_rollups_by_time ON spend_rollups(team_id, hour_start);
CREATE INDEX journal_spend_by_time ON journal(team_id, created_at) WHERE kind IN ('settle', 'charge');
INSERT INTO spend_rollups(team_id, period_start, hour_start, model, consumer_group, cost, prompt_tokens,
                          completion_tokens, requests)
SELECT team_id, period_start, created_at / 3600 * 3600, COALESCE(model, ''), COALESCE(consumer_group, ''),
       SUM(amount), COALESCE(SUM(prompt_tokens), 0), COALESCE(SUM(completion_tokens), 0), COUNT(*)
FROM journal WHERE kind IN ('settle', 'charge')
GROUP BY team_id, period_start, created_at / 3600 * 3600, COALESCE(model, ''), COALESCE(consumer_group, '');
)sql",
      Step(kChecksAsComparisonsSqlite, ""),
  };
  return steps;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  return s;
}

std::string render(const std::string& tmpl, Dialect d) {
  bool lite = d == Dialect::sqlite;
  std::string s = tmpl;
  s = replace_all(s, "%BIGINT%", lite ? "INTEGER" : "BIGINT");
  s = replace_all(s, "%IDENTITY%", lite ? "INTEGER PRIMARY KEY" : "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY");
  s = replace_all(s, "%SEQUENCE%",
                  lite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY");
  s = replace_all(s, "%TABLE%", lite ? " STRICT" : "");
  s = replace_all(s, "%HOT_TABLE%", lite ? " STRICT" : " WITH (fillfactor = 50)");
  return s;
}

// The version a database is at. SQLite databases made before the one schema kept it in
// PRAGMA user_version.
int64_t current_version(Db& db) {
  db.exec_script(render("CREATE TABLE IF NOT EXISTS schema_migrations(version %BIGINT% PRIMARY KEY)%TABLE%",
                        db.dialect()));
  int64_t version = 0;
  {
    auto q = db.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (q.next()) version = q.i64(0);
  }
  if (version == 0 && db.dialect() == Dialect::sqlite) {
    auto q = db.query("PRAGMA user_version");
    if (q.next()) version = q.i64(0);
  }
  return version;
}

}  // namespace

int latest_schema_version() { return kBaselineVersion + int(later_steps().size()); }

void migrate(Db& db, int up_to) {
  db.write([&] {
    db.lock_name("keeptrusts.ledger.migrate");
    int64_t version = current_version(db);
    const int64_t latest = up_to > 0 ? up_to : latest_schema_version();
    if (version > latest)
      throw StoreError("ledger database schema version " + std::to_string(version) +
                       " is newer than this build supports (" + std::to_string(latest) + ")");
    if (version > 0 && version < kBaselineVersion)
      throw StoreError("ledger database schema version " + std::to_string(version) +
                       " was made by an older kt: upgrade it with that release's `kt api migrate` first");
    if (version == 0) {
      db.exec_script(render(kBaseline, db.dialect()));
      version = kBaselineVersion;
    }
    const auto& steps = later_steps();
    for (int64_t v = version; v < latest; ++v) {
      const Step& step = steps[size_t(v - kBaselineVersion)];
      const char* text = db.dialect() == Dialect::sqlite ? step.sqlite : step.postgres;
      if (*text) db.exec_script(render(text, db.dialect()));
    }
    for (int64_t v = 1; v <= latest; ++v)
      db.exec("INSERT INTO schema_migrations(version) VALUES($1) ON CONFLICT DO NOTHING", {v});
  });
}

}  // namespace kt::ledger::sql
