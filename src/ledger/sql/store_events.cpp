// The event log: decision and alert events, appended in batches, read newest-first and returned
// oldest-first so a CLI can print them chronologically.
#include <algorithm>

#include "ledger/sql/sql_store.hpp"

namespace kt::ledger::sql {

void SqlStore::insert_events(const std::vector<EventRecord>& events) {
  if (events.empty()) return;
  std::vector<Param> rows;
  rows.reserve(events.size() * 6);
  for (const auto& e : events) {
    if (e.id.empty()) throw StoreError("an event needs an id");
    rows.insert(rows.end(), {e.id, e.type, e.ts_micros, e.team_id, e.consumer_group, e.json});
  }
  // A re-sent batch (possibly to another replica) keeps the first copy of each event.
  db_->write([&] {
    db_->insert_rows("events", "id, type, ts_micros, team_id, consumer_group, json", 6, rows,
                     " ON CONFLICT(id) DO NOTHING");
  });
}

std::vector<StoredEvent> SqlStore::query_events(const EventQuery& q) {
  std::vector<StoredEvent> out;
  if (q.last <= 0) return out;
  // The SQL text depends only on which filters are present (a handful of variants, each
  // prepared once), so each variant can use its index instead of "$n IS NULL OR ..." scans.
  // Absent filters still bind their parameter (always $1..$5), compared to nothing.
  std::string sql = "SELECT seq, json FROM events WHERE seq > $1";
  bool by_type = q.type != "all";
  sql += by_type ? " AND type = $2" : " AND CAST($2 AS TEXT) IS NULL";
  sql += q.team_id ? " AND team_id = $3" : " AND CAST($3 AS TEXT) IS NULL";
  sql += q.consumer_group ? " AND consumer_group = $4" : " AND CAST($4 AS TEXT) IS NULL";
  // Newest by the time the event happened: gateways ship batches independently, so arrival
  // order (seq) can differ from the order in which requests finished.
  sql += " ORDER BY ts_micros DESC, seq DESC LIMIT $5";
  std::optional<std::string_view> type, team, group;
  if (by_type) type = q.type;
  if (q.team_id) team = *q.team_id;
  if (q.consumer_group) group = *q.consumer_group;
  return db_->read([&] {
    std::vector<StoredEvent> rows;
    auto r = db_->query(sql, {q.after_seq, type, team, group, q.last});
    while (r.next()) rows.push_back({r.i64(0), r.text(1)});
    std::reverse(rows.begin(), rows.end());
    return rows;
  });
}

}  // namespace kt::ledger::sql
