// The event log: decision and alert events, appended in batches, read newest-first and
// returned oldest-first so a CLI can print them chronologically.
#include <algorithm>

#include "ledger/postgres/pg_store.hpp"

namespace kt::ledger::postgres {

void PostgresStore::insert_events(const std::vector<EventRecord>& events) {
  if (events.empty()) return;
  for (const auto& e : events)
    if (e.id.empty()) throw StoreError("an event needs an id");
  db_.transaction([&] {
    for (const auto& e : events) {
      // A re-sent batch (possibly to another replica) keeps the first copy of each event.
      db_.query(
          "INSERT INTO events(id, type, ts_micros, team_id, consumer_group, json) "
          "VALUES($1, $2, $3, $4, $5, $6) ON CONFLICT(id) DO NOTHING",
          e.id, e.type, e.ts_micros, e.team_id, e.consumer_group, e.json);
    }
  });
}

std::vector<StoredEvent> PostgresStore::query_events(const EventQuery& q) {
  std::vector<StoredEvent> out;
  if (q.last <= 0) return out;
  // The SQL text depends only on which filters are present (a handful of variants, each
  // prepared once), so each variant can use its index. PostgreSQL numbers parameters densely.
  Params params;
  params.add(q.after_seq);
  std::string sql = "SELECT seq, json FROM events WHERE seq > $1";
  auto next = [&] { return "$" + std::to_string(params.values().size() + 1); };
  if (q.type != "all") {
    sql += " AND type = " + next();
    params.add(q.type);
  }
  if (q.team_id) {
    sql += " AND team_id = " + next();
    params.add(*q.team_id);
  }
  if (q.consumer_group) {
    sql += " AND consumer_group = " + next();
    params.add(*q.consumer_group);
  }
  // Newest by the time the event happened: gateways ship batches independently, so arrival
  // order (seq) can differ from the order in which requests finished.
  sql += " ORDER BY ts_micros DESC, seq DESC LIMIT " + next();
  params.add(q.last);

  return db_.transaction([&] {
    std::vector<StoredEvent> rows;
    auto r = db_.exec(sql, params);
    for (int i = 0; i < r.rows(); ++i) rows.push_back({r.i64(i, 0), r.text(i, 1)});
    std::reverse(rows.begin(), rows.end());
    return rows;
  });
}

}  // namespace kt::ledger::postgres
