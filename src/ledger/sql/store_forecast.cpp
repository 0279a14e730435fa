// Spend history for forecasts (read in store_rollups.cpp), and the projected_exhaustion alert
// (forecast.hpp).
#include "ledger/forecast.hpp"
#include "ledger/sql/sql_store.hpp"

namespace kt::ledger::sql {
namespace {

// A sentinel in alerts_fired's threshold column: percent thresholds are 1..100, so the
// projected_exhaustion alert shares their once-per-team-and-period key.
constexpr int64_t kProjectedExhaustionThreshold = -1;
constexpr int64_t kCheckEverySeconds = 60;

}  // namespace

SpendHistory SqlStore::spend_history(const std::string& team_id, int64_t now) {
  return db_->read([&] { return read_spend_history(team_id, now); });
}

std::optional<int64_t> SqlStore::fire_projected_exhaustion(const std::string& team_id, int64_t period_start,
                                                           int64_t now) {
  auto checked = exhaustion_checked_at_.find(team_id);
  if (checked != exhaustion_checked_at_.end() && now - checked->second < kCheckEverySeconds &&
      now >= checked->second)
    return std::nullopt;
  {
    auto q = db_->query("SELECT 1 FROM alerts_fired WHERE team_id = $1 AND period_start = $2 AND threshold = $3",
                        {team_id, period_start, kProjectedExhaustionThreshold});
    if (q.next()) return std::nullopt;
  }
  exhaustion_checked_at_[team_id] = now;
  auto wallet = wallet_row(team_id, period_start);
  // A period without end (prepaid) has no "before the period ends" to warn about.
  if (!wallet || wallet->period.end <= now || wallet->period.end == INT64_MAX) return std::nullopt;
  Forecast f = make_forecast(*wallet, read_spend_history(team_id, now), now);
  // A history younger than an hour projects from seconds of spend: no alert until a whole window.
  if (!f.exhausts_at || !f.before_period_end || f.left <= Money::zero() || f.pace == "since_first_allocation")
    return std::nullopt;
  // As with thresholds, only the transaction whose insert lands announces it (across replicas).
  if (db_->exec("INSERT INTO alerts_fired(team_id, period_start, threshold, fired_at) VALUES($1, $2, $3, $4) "
                "ON CONFLICT DO NOTHING",
                {team_id, period_start, kProjectedExhaustionThreshold, now}) != 1)
    return std::nullopt;
  return f.exhausts_at;
}

}  // namespace kt::ledger::sql
