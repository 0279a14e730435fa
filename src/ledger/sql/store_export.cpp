// Exports: events paged in time order by a cursor (constant memory at any size). A period's spend
// grouped by model, day or consumer group reads the rollups (store_rollups.cpp).
#include "ledger/sql/sql_store.hpp"

namespace kt::ledger::sql {

std::vector<StoredEvent> SqlStore::export_events(const EventExportQuery& q) {
  // As query_events: one SQL text per filter combination, each on its index (events_by_time).
  std::string sql =
      "SELECT seq, ts_micros, json FROM events WHERE ts_micros >= $1 AND ts_micros < $2 "
      "AND (ts_micros > $3 OR (ts_micros = $3 AND seq > $4))";
  const bool by_type = q.type != "all";
  sql += by_type ? " AND type = $5" : " AND CAST($5 AS TEXT) IS NULL";
  sql += q.team_id ? " AND team_id = $6" : " AND CAST($6 AS TEXT) IS NULL";
  sql += " ORDER BY ts_micros, seq LIMIT $7";
  std::optional<std::string_view> type, team;
  if (by_type) type = q.type;
  if (q.team_id) team = *q.team_id;
  return db_->read([&] {
    std::vector<StoredEvent> rows;
    auto r = db_->query(sql, {q.since_micros, q.until_micros, q.after_ts, q.after_seq, type, team, q.limit});
    while (r.next()) rows.push_back({r.i64(0), r.text(2), r.i64(1)});
    return rows;
  });
}

}  // namespace kt::ledger::sql
