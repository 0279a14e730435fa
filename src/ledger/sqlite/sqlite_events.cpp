// The event log: decision and alert events, appended in batches, read newest-first and
// returned oldest-first so a CLI can print them chronologically.
#include <algorithm>

#include "ledger/sqlite/sqlite_store.hpp"

namespace kt::ledger::sqlite {

void SqliteStore::insert_events(const std::vector<EventRecord>& events) {
  if (events.empty()) return;
  Transaction tx(db_, Transaction::Mode::immediate);
  for (const auto& e : events) {
    if (e.id.empty()) throw StoreError("an event needs an id");
    // A re-sent batch keeps the first copy of each event.
    db_.query(
           "INSERT OR IGNORE INTO events(id, type, ts_micros, team_id, consumer_group, json) "
           "VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
           e.id, e.type, e.ts_micros, e.team_id, e.consumer_group, e.json)
        .run();
  }
  tx.commit();
}

std::vector<StoredEvent> SqliteStore::query_events(const EventQuery& q) {
  std::vector<StoredEvent> out;
  if (q.last <= 0) return out;
  // The SQL text depends only on which filters are present (a handful of variants, each
  // prepared once), so every variant can use its index instead of "?n IS NULL OR ..." scans.
  std::string sql = "SELECT seq, json FROM events WHERE seq > ?1";
  bool by_type = q.type != "all";
  if (by_type) sql += " AND type = ?2";
  if (q.team_id) sql += " AND team_id = ?3";
  if (q.consumer_group) sql += " AND consumer_group = ?4";
  // Newest by the time the event happened: gateway workers ship batches independently, so
  // arrival order (seq) can differ from the order in which requests finished.
  sql += " ORDER BY ts_micros DESC, seq DESC LIMIT ?5";

  Transaction tx(db_, Transaction::Mode::deferred);
  {
    auto rows = db_.query(sql);
    rows.bind(1, q.after_seq).bind(5, q.last);
    if (by_type) rows.bind(2, q.type);
    if (q.team_id) rows.bind(3, *q.team_id);
    if (q.consumer_group) rows.bind(4, *q.consumer_group);
    while (rows.next()) out.push_back({rows.i64(0), rows.text(1)});
  }
  tx.commit();
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace kt::ledger::sqlite
