// Spend rollups and event retention (docs/api.md "Spend rollups and retention").
//
// spend_rollups holds the settle and charge journal lines summed per team, period, UTC hour,
// model and consumer group. A transaction that journals spend collects its sums in memory
// (roll_up) and upserts each key once before it commits (flush_rollups), so the rollups are the
// journal's sums at every commit, on every replica. Hours rather than days: a forecast's windows
// (an hour, a day, 7 days) then read whole hours from here and only their partial hours from the
// journal; a report by day sums 24 rows per model and group.
#include "core/period.hpp"
#include "ledger/sql/sql_store.hpp"

namespace kt::ledger::sql {
namespace {

constexpr int64_t kHour = 3600;
// Past this many differing keys verify only counts them: one broken rollup is enough to act on.
constexpr int64_t kRollupIssuesShown = 20;

}  // namespace

void SqlStore::roll_up(std::string_view team, int64_t period_start, int64_t at, std::string_view model,
                       std::string_view group, Money cost, int64_t prompt_tokens, int64_t completion_tokens) {
  // The same hour as the schema's back-fill computes (integer division in SQL and C++ alike).
  auto& sum = rollups_[RollupKey{std::string(team), period_start, at / kHour * kHour, std::string(model),
                                 std::string(group)}];
  sum.cost += cost;
  sum.prompt_tokens += prompt_tokens;
  sum.completion_tokens += completion_tokens;
  ++sum.requests;
}

void SqlStore::flush_rollups() {
  if (rollups_.empty()) return;
  // Keys go in one order (the map's) for every writer. Each rollup row belongs to one wallet,
  // which this transaction has already updated (locked), so the upserts add no lock-order cycle.
  std::vector<Param> rows;
  rows.reserve(rollups_.size() * 9);
  for (const auto& [k, s] : rollups_)
    rows.insert(rows.end(), {k.team, k.period_start, k.hour_start, k.model, k.group, s.cost, s.prompt_tokens,
                             s.completion_tokens, s.requests});
  db_->insert_rows("spend_rollups",
                   "team_id, period_start, hour_start, model, consumer_group, cost, prompt_tokens, completion_tokens, "
                   "requests",
                   9, rows,
                   " ON CONFLICT(team_id, period_start, hour_start, model, consumer_group) DO UPDATE SET "
                   "cost = spend_rollups.cost + excluded.cost, "
                   "prompt_tokens = spend_rollups.prompt_tokens + excluded.prompt_tokens, "
                   "completion_tokens = spend_rollups.completion_tokens + excluded.completion_tokens, "
                   "requests = spend_rollups.requests + excluded.requests");
  rollups_.clear();
}

Money SqlStore::journal_spend_between(const std::string& team_id, int64_t after, int64_t before) {
  // The kind test is the partial index's own (journal_spend_by_time), word for word.
  auto q = db_->query(
      "SELECT COALESCE(SUM(amount), 0) FROM journal WHERE team_id = $1 AND kind IN ('settle', 'charge') "
      "AND created_at > $2 AND created_at < $3",
      {team_id, after, before});
  return q.next() ? q.money(0) : Money::zero();
}

SpendHistory SqlStore::read_spend_history(const std::string& team_id, int64_t now) {
  SpendHistory h;
  {
    // The history begins with the team's first allocation, in its first wallet (the index's prefix).
    auto q = db_->query(
        "SELECT MIN(j.created_at) FROM journal j WHERE j.team_id = $1 AND j.kind = 'allocate' AND j.period_start = "
        "(SELECT MIN(period_start) FROM wallets WHERE team_id = $1)",
        {team_id});
    if (q.next() && !q.is_null(0)) h.first_at = q.i64(0);
  }
  // Windows (now - W, now], across periods (a pace is the team's, whatever period it fell in):
  // the whole hours inside a window from the rollups, the hour it starts in and the current hour
  // from the journal. A window is at least an hour, so its first whole hour is never after the
  // current one.
  const int64_t current_hour = now / kHour * kHour;
  const int64_t seconds[3] = {kHour, 24 * kHour, 7 * 24 * kHour};
  Money* out[3] = {&h.last_hour, &h.last_day, &h.last_7_days};
  int64_t first_whole[3];
  for (int i = 0; i < 3; ++i) first_whole[i] = (now - seconds[i]) / kHour * kHour + kHour;
  Money whole[3];
  {
    auto q = db_->query(
        "SELECT COALESCE(SUM(CASE WHEN hour_start >= $3 THEN cost ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN hour_start >= $4 THEN cost ELSE 0 END), 0), COALESCE(SUM(cost), 0) "
        "FROM spend_rollups WHERE team_id = $1 AND hour_start >= $5 AND hour_start < $2",
        {team_id, current_hour, first_whole[0], first_whole[1], first_whole[2]});
    if (q.next())
      for (int i = 0; i < 3; ++i) whole[i] = q.money(i);
  }
  const Money this_hour = journal_spend_between(team_id, current_hour - 1, now + 1);
  for (int i = 0; i < 3; ++i)
    *out[i] = whole[i] + this_hour + journal_spend_between(team_id, now - seconds[i], first_whole[i]);
  return h;
}

std::vector<SpendRow> SqlStore::spend_by(const std::string& team_id, const Period& period, SpendGrouping by) {
  // Days are UTC days (hour_start / 86400); the key is formatted by the caller.
  const char* key = by == SpendGrouping::model ? "model"
                    : by == SpendGrouping::group ? "consumer_group"
                                                 : "CAST(hour_start / 86400 AS TEXT)";
  const char* order = by == SpendGrouping::day ? "MIN(hour_start)" : "cost DESC, k";
  std::string sql = std::string("SELECT ") + key +
                    " AS k, SUM(cost) AS cost, SUM(prompt_tokens), SUM(completion_tokens), SUM(requests) "
                    "FROM spend_rollups WHERE team_id = $1 AND period_start = $2 GROUP BY " + key +
                    " ORDER BY " + order;
  return db_->read([&] {
    std::vector<SpendRow> out;
    auto q = db_->query(sql, {team_id, period.start});
    while (q.next()) out.push_back({q.text(0), q.money(1), q.i64(2), q.i64(3), q.i64(4)});
    return out;
  });
}

void SqlStore::audit_rollups(VerifyReport& report) {
  // Journal minus rollups per key: every non-zero difference is a rollup that lies.
  auto q = db_->query(R"sql(
SELECT team_id, period_start, hour_start, model, consumer_group, SUM(cost), SUM(requests),
       SUM(prompt_tokens), SUM(completion_tokens)
FROM (
  SELECT team_id, period_start, created_at / 3600 * 3600 AS hour_start, COALESCE(model, '') AS model,
         COALESCE(consumer_group, '') AS consumer_group, amount AS cost, 1 AS requests,
         COALESCE(prompt_tokens, 0) AS prompt_tokens, COALESCE(completion_tokens, 0) AS completion_tokens
  FROM journal WHERE kind IN ('settle', 'charge')
  UNION ALL
  SELECT team_id, period_start, hour_start, model, consumer_group, -cost, -requests, -prompt_tokens, -completion_tokens
  FROM spend_rollups
) d
GROUP BY team_id, period_start, hour_start, model, consumer_group
HAVING SUM(cost) <> 0 OR SUM(requests) <> 0 OR SUM(prompt_tokens) <> 0 OR SUM(completion_tokens) <> 0
ORDER BY team_id, period_start, hour_start, model, consumer_group
)sql");
  int64_t differing = 0;
  while (q.next()) {
    if (++differing > kRollupIssuesShown) continue;
    report.issues.push_back(
        {VerifyIssue::Severity::violation, q.text(0), "",
         "spend rollup of the hour from " + format_rfc3339_seconds(q.i64(2)) + " (model '" + q.text(3) +
             "', group '" + q.text(4) + "') differs from its journal lines: journal minus rollup is " +
             q.money(5).to_display() + ", " + std::to_string(q.i64(6)) + " request(s), " + std::to_string(q.i64(7)) +
             " prompt and " + std::to_string(q.i64(8)) + " completion token(s)"});
  }
  if (differing > kRollupIssuesShown)
    report.issues.push_back({VerifyIssue::Severity::violation, "", "",
                             std::to_string(differing) + " spend rollups differ from their journal lines (" +
                                 std::to_string(kRollupIssuesShown) + " shown)"});
}

int64_t SqlStore::prune_events(int64_t before_micros, int64_t limit) {
  // One bounded batch per transaction, oldest first on the time index: a store with millions of
  // old events never holds one long write lock.
  return db_->write([&] {
    return db_->exec(
        "DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE ts_micros < $1 ORDER BY ts_micros, seq LIMIT $2)",
        {before_micros, limit});
  });
}

}  // namespace kt::ledger::sql
